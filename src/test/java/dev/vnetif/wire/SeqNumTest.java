package dev.vnetif.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SeqNumTest {

  private static final int TOP = 0xFFFF_FFFF; // 2^32 - 1, just before the wrap

  @Test
  void comparesPlainNumbers() {
    assertTrue(SeqNum.lt(1, 2));
    assertTrue(SeqNum.leq(2, 2));
    assertTrue(SeqNum.gt(3, 2));
    assertTrue(SeqNum.geq(2, 2));
    assertFalse(SeqNum.lt(2, 2));
    assertFalse(SeqNum.gt(2, 2));
  }

  @Test
  void comparesAcrossTheWrap() {
    assertTrue(SeqNum.lt(TOP, 0));
    assertTrue(SeqNum.gt(0, TOP));
    assertTrue(SeqNum.lt(0xFFFF_FF00, 0x0000_0100));
    assertTrue(SeqNum.leq(TOP, 5));
    assertTrue(SeqNum.geq(5, TOP));
    assertFalse(SeqNum.gt(TOP, 0));
    // Across the signed boundary 0x7FFFFFFF -> 0x80000000 too.
    assertTrue(SeqNum.lt(0x7FFF_FFFF, 0x8000_0000));
  }

  @Test
  void addAndDiffWrap() {
    assertEquals(4, SeqNum.add(TOP, 5));
    assertEquals(5, SeqNum.diff(4, TOP));
    assertEquals(-5, SeqNum.diff(TOP, 4));
    assertEquals(0x8000_0000, SeqNum.add(0x7FFF_FFFF, 1));
  }

  @Test
  void maxAndMinFollowSequenceOrder() {
    assertEquals(3, SeqNum.max(TOP, 3));
    assertEquals(TOP, SeqNum.min(TOP, 3));
    assertEquals(3, SeqNum.max(3, TOP));
    assertEquals(TOP, SeqNum.min(3, TOP));
    assertEquals(7, SeqNum.max(7, 7));
  }

  @Test
  void inWindowIsHalfOpen() {
    assertTrue(SeqNum.inWindow(100, 100, 10));
    assertTrue(SeqNum.inWindow(109, 100, 10));
    assertFalse(SeqNum.inWindow(110, 100, 10));
    assertFalse(SeqNum.inWindow(99, 100, 10));
  }

  @Test
  void inWindowAcrossTheWrap() {
    int start = 0xFFFF_FFF0;
    assertTrue(SeqNum.inWindow(start, start, 0x20));
    assertTrue(SeqNum.inWindow(TOP, start, 0x20));
    assertTrue(SeqNum.inWindow(0, start, 0x20));
    assertTrue(SeqNum.inWindow(0x0F, start, 0x20));
    assertFalse(SeqNum.inWindow(0x10, start, 0x20));
    assertFalse(SeqNum.inWindow(start - 1, start, 0x20));
    assertTrue(SeqNum.inWindow(0x0F, start, 0x20L));
    assertFalse(SeqNum.inWindow(0x10, start, 0x20L));
  }

  @Test
  void emptyAndFullWindows() {
    assertFalse(SeqNum.inWindow(100, 100, 0));
    assertFalse(SeqNum.inWindow(100, 100, 0L));
    assertFalse(SeqNum.inWindow(100, 100, -1));
    assertTrue(SeqNum.inWindow(99, 100, 1L << 32));
    assertTrue(SeqNum.inWindow(TOP, 0, 1L << 32));
    assertFalse(SeqNum.inWindow(TOP, 0, (1L << 32) - 1));
  }

  @Test
  void toUnsignedGivesTheNumberOnTheWire() {
    assertEquals(4_294_967_295L, SeqNum.toUnsigned(TOP));
    assertEquals(2_147_483_648L, SeqNum.toUnsigned(0x8000_0000));
    assertEquals(5L, SeqNum.toUnsigned(5));
  }
}
