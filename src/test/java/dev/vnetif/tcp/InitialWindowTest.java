package dev.vnetif.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class InitialWindowTest {

  @Test
  @DisplayName("RFC 6928 §2: SMSS 1460 gives min(14600, max(2920, 14600)) = 14600, ten segments")
  void rfc6928Ethernet() {
    assertEquals(14_600, InitialWindow.bytes(1460));
  }

  @Test
  @DisplayName(
      "RFC 6928 §2: SMSS 536 gives min(5360, max(1072, 14600)) = 5360, capped at ten segments")
  void rfc6928SmallMss() {
    assertEquals(5_360, InitialWindow.bytes(536));
  }

  @Test
  @DisplayName("RFC 6928 §2: SMSS 8960 gives min(89600, max(17920, 14600)) = 17920, two segments")
  void rfc6928JumboMss() {
    assertEquals(17_920, InitialWindow.bytes(8960));
  }

  @Test
  @DisplayName("RFC 5681 §3.1: IW is 3 segments for 1095 < SMSS <= 2190")
  void rfc5681ThreeSegments() {
    assertEquals(4_380, InitialWindow.rfc5681(1460));
    assertEquals(3 * 2190, InitialWindow.rfc5681(2190));
    assertEquals(3 * 1096, InitialWindow.rfc5681(1096));
  }

  @Test
  @DisplayName("RFC 5681 §3.1: IW is 4 segments for SMSS <= 1095")
  void rfc5681FourSegments() {
    assertEquals(2_144, InitialWindow.rfc5681(536));
    assertEquals(4 * 1095, InitialWindow.rfc5681(1095));
  }

  @Test
  @DisplayName("RFC 5681 §3.1: IW is 2 segments for SMSS > 2190")
  void rfc5681TwoSegments() {
    assertEquals(17_920, InitialWindow.rfc5681(8960));
    assertEquals(2 * 2191, InitialWindow.rfc5681(2191));
  }

  @Test
  void rejectsImpossibleMss() {
    assertThrows(IllegalArgumentException.class, () -> InitialWindow.bytes(0));
    assertThrows(IllegalArgumentException.class, () -> InitialWindow.rfc5681(65_536));
  }
}
