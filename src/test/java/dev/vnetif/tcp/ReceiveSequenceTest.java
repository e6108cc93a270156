package dev.vnetif.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link ReceiveSequence} on its own: the receive window we advertise (never shrinking, opened only
 * in worthwhile steps) and RFC 9293's acceptability test.
 */
class ReceiveSequenceTest {
  private static final int IRS = 5_000;
  private static final int NXT = IRS + 1;

  private static ReceiveSequence started(int buffer, int mss) {
    ReceiveSequence rcv = new ReceiveSequence(buffer, mss, 8);
    rcv.start(IRS);
    return rcv;
  }

  /** {@code n} in-order bytes arrive and are delivered but not consumed, as Tcb does it. */
  private static void deliver(ReceiveSequence rcv, int n) {
    rcv.delivered(n);
  }

  // ------------------------------------------------------------------ window

  @Test
  @DisplayName(
      "RFC 9293 §3.3.1: RCV.NXT starts at IRS+1; nothing is offered until the first segment we send advertises the window")
  void startsWithNothingOffered() {
    ReceiveSequence rcv = started(10_000, 1_000);
    assertEquals(NXT, rcv.rcvNxt());
    assertEquals(0, rcv.window());
    assertEquals(10_000, rcv.windowField(false));
    assertEquals(10_000, rcv.window());
    assertEquals(NXT + 10_000, rcv.advertisedEdge());
  }

  @Test
  @DisplayName(
      "RFC 7323 §2.2–2.3: a SYN's window field is unscaled (at most 65535); later fields are shifted by our scale")
  void scaledAndUnscaledFields() {
    ReceiveSequence rcv = started(300_000, 1_460);
    rcv.negotiated(1_460, 3);
    assertEquals(65_535, rcv.windowField(true));
    assertEquals(65_535, rcv.window());
    assertEquals(37_500, rcv.windowField(false));
    assertEquals(300_000, rcv.window());
  }

  @Test
  @DisplayName(
      "RFC 7323 §2.3: a scaled field rounds down, so we never promise more than the buffer holds")
  void scaledFieldRoundsDown() {
    ReceiveSequence rcv = started(10_001, 1_000);
    rcv.negotiated(1_000, 1);
    assertEquals(5_000, rcv.windowField(false));
    assertEquals(10_000, rcv.window());
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.8.6.2.2: the right edge never moves left — unread data shrinks the window by exactly what arrived")
  void rightEdgeNeverMovesLeft() {
    ReceiveSequence rcv = started(10_000, 1_000);
    rcv.windowField(false);
    deliver(rcv, 3_000);
    assertEquals(7_000, rcv.window());
    assertEquals(7_000, rcv.windowField(false));
    assertEquals(NXT + 10_000, rcv.advertisedEdge());
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.3: the window opens only by at least min(buffer/2, MSS): 999 bytes consumed are not announced, 1000 are")
  void receiverSwsAvoidance() {
    ReceiveSequence rcv = started(10_000, 1_000);
    rcv.windowField(false);
    deliver(rcv, 3_000);
    rcv.windowField(false);
    rcv.consume(999);
    assertFalse(rcv.windowUpdateWorthSending());
    assertEquals(7_000, rcv.windowField(false), "the edge stays put");
    rcv.consume(1);
    assertTrue(rcv.windowUpdateWorthSending());
    assertEquals(8_000, rcv.windowField(false));
    assertEquals(8_000, rcv.window());
  }

  @Test
  @DisplayName("RFC 1122 §4.2.3.3: with a buffer smaller than two MSS the step is half the buffer")
  void receiverSwsStepIsHalfASmallBuffer() {
    ReceiveSequence rcv = started(1_000, 1_460);
    rcv.windowField(false);
    deliver(rcv, 1_000);
    assertEquals(0, rcv.windowField(false));
    rcv.consume(499);
    assertFalse(rcv.windowUpdateWorthSending());
    rcv.consume(1);
    assertTrue(rcv.windowUpdateWorthSending());
    assertEquals(500, rcv.windowField(false));
  }

  @Test
  @DisplayName(
      "a FIN one past a full window leaves RCV.NXT beyond the edge: the window is 0, never negative")
  void finPastTheEdgeGivesZeroWindow() {
    ReceiveSequence rcv = started(1_000, 1_000);
    rcv.windowField(false);
    deliver(rcv, 1_000);
    rcv.finArrived();
    assertEquals(0, rcv.window());
    assertEquals(0, rcv.windowField(false));
    assertEquals(0, rcv.window());
  }

  // ------------------------------------------------------------------ delivery

  @Test
  @DisplayName("the application cannot consume more than was delivered, nor a negative count")
  void consumeChecksTheCount() {
    ReceiveSequence rcv = started(10_000, 1_000);
    deliver(rcv, 10);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> rcv.consume(11));
    assertEquals("consumed 11 bytes but 10 are unconsumed", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> rcv.consume(-1));
    rcv.consume(10);
    assertEquals(0, rcv.unconsumed());
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 seventh: out-of-order data is held until the gap fills, then continues from RCV.NXT")
  void outOfOrderDataHeldUntilTheGapFills() {
    ReceiveSequence rcv = started(10_000, 1_000);
    assertFalse(rcv.hasOutOfOrderData());
    assertEquals(0, rcv.takeContiguous().length(), "nothing held: nothing to take");
    rcv.holdOutOfOrder(NXT + 3, ByteString.fromString("def"));
    assertTrue(rcv.hasOutOfOrderData());
    assertEquals(3, rcv.outOfOrderBytes());
    assertEquals(0, rcv.takeContiguous().length(), "the gap [NXT, NXT+3) remains");
    deliver(rcv, 3); // "abc" arrived in order
    assertEquals("def", rcv.takeContiguous().utf8String());
    assertFalse(rcv.hasOutOfOrderData());
    assertEquals(0, rcv.outOfOrderBytes());
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 eighth: a FIN ahead of missing data waits until everything before it arrived")
  void heldFinWaitsForTheGap() {
    ReceiveSequence rcv = started(10_000, 1_000);
    rcv.holdOutOfOrder(NXT + 2, ByteString.fromString("cd"));
    rcv.holdFin(NXT + 4);
    assertFalse(rcv.heldFinIsNext());
    deliver(rcv, 2);
    deliver(rcv, rcv.takeContiguous().length());
    assertTrue(rcv.heldFinIsNext());
    rcv.finArrived();
    assertEquals(NXT + 5, rcv.rcvNxt(), "the FIN takes one sequence number");
    assertFalse(rcv.heldFinIsNext());
    assertFalse(rcv.hasOutOfOrderData());
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.2: an ACK is due once two full-sized segments are unacknowledged; sending one restarts the count")
  void delayedAckCount() {
    ReceiveSequence rcv = started(10_000, 1_000);
    deliver(rcv, 1_999);
    assertFalse(rcv.twoFullSegmentsUnacknowledged());
    deliver(rcv, 1);
    assertTrue(rcv.twoFullSegmentsUnacknowledged());
    rcv.oweAck();
    assertTrue(rcv.ackOwed());
    rcv.ackSent();
    assertFalse(rcv.ackOwed());
    assertFalse(rcv.twoFullSegmentsUnacknowledged());
    rcv.negotiated(500, 0); // the peer announced a smaller MSS: "full-sized" follows it
    deliver(rcv, 1_000);
    assertTrue(rcv.twoFullSegmentsUnacknowledged());
  }

  // ------------------------------------------------------------------ acceptability

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (first) length 0, window 0: acceptable only at SEG.SEQ = RCV.NXT")
  void emptySegmentZeroWindow() {
    ReceiveSequence rcv = started(1_000, 1_000);
    assertEquals(0, rcv.window());
    assertTrue(rcv.acceptable(NXT, 0));
    assertFalse(rcv.acceptable(NXT + 1, 0));
    assertFalse(rcv.acceptable(NXT - 1, 0));
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (first) length 0, window > 0: RCV.NXT ≤ SEG.SEQ < RCV.NXT + RCV.WND")
  void emptySegmentOpenWindow() {
    ReceiveSequence rcv = started(1_000, 1_000);
    rcv.windowField(false);
    assertTrue(rcv.acceptable(NXT, 0));
    assertTrue(rcv.acceptable(NXT + 999, 0));
    assertFalse(rcv.acceptable(NXT + 1_000, 0));
    assertFalse(rcv.acceptable(NXT - 1, 0));
  }

  @Test
  @DisplayName("RFC 9293 §3.10.7.4 (first) length > 0, window 0: never acceptable")
  void dataZeroWindow() {
    ReceiveSequence rcv = started(1_000, 1_000);
    assertFalse(rcv.acceptable(NXT, 1));
    assertFalse(rcv.acceptable(NXT, 100));
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (first) length > 0, window > 0: acceptable if its first or its last octet is in the window")
  void dataOpenWindow() {
    ReceiveSequence rcv = started(1_000, 1_000);
    rcv.windowField(false);
    assertTrue(rcv.acceptable(NXT, 10));
    assertTrue(rcv.acceptable(NXT - 5, 10), "old start, new end: the new part counts");
    assertTrue(rcv.acceptable(NXT + 995, 10), "starts inside, ends beyond");
    assertFalse(rcv.acceptable(NXT - 10, 10), "entirely old");
    assertFalse(rcv.acceptable(NXT + 1_000, 10), "entirely beyond");
  }

  @Test
  @DisplayName("RFC 9293 §3.4: acceptability works across the 2^32 wrap")
  void acceptabilityWraps() {
    ReceiveSequence rcv = new ReceiveSequence(1_000, 1_000, 8);
    rcv.start(0xFFFF_FFF0);
    rcv.windowField(false);
    assertTrue(rcv.acceptable(0xFFFF_FFF1, 100));
    assertTrue(rcv.acceptable(100, 10));
    assertFalse(rcv.acceptable(0xFFFF_FFF1 + 1_000, 1));
    assertFalse(rcv.acceptable(0xFFFF_FF00, 10));
  }
}
