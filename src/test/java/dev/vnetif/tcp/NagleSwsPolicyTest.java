package dev.vnetif.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link NagleSwsPolicy} on its own: when a segment shorter than the MSS goes. */
class NagleSwsPolicyTest {
  private static final int MSS = 1460;
  private static final int WINDOW = 64_000;

  /** A tail of {@code length} bytes (everything queued) with the given flight. */
  private static boolean tail(
      NagleSwsPolicy policy, int length, boolean anyInFlight, boolean smallInFlight) {
    return policy.sendNow(length, length, MSS, WINDOW, false, anyInFlight, smallInFlight);
  }

  @Test
  @DisplayName("nagle and nagle-minshall select the policy; Nagle off means no delay")
  void selectedByConfig() {
    TcpConfig d = TcpConfig.defaults();
    assertEquals(NagleSwsPolicy.MINSHALL, NagleSwsPolicy.of(d));
    assertEquals(NagleSwsPolicy.CLASSIC, NagleSwsPolicy.of(d.withMinshallNagle(false)));
    assertEquals(NagleSwsPolicy.NO_DELAY, NagleSwsPolicy.of(d.withNagle(false)));
    assertEquals(
        NagleSwsPolicy.NO_DELAY, NagleSwsPolicy.of(d.withNagle(false).withMinshallNagle(false)));
  }

  @Test
  @DisplayName("RFC 1122 §4.2.3.4 (1): a full-sized segment always goes, whatever is in flight")
  void fullSegmentAlwaysGoes() {
    for (NagleSwsPolicy p : NagleSwsPolicy.values()) {
      assertTrue(p.sendNow(MSS, 10 * MSS, MSS, WINDOW, false, true, true), p.name());
      assertTrue(p.sendNow(MSS, MSS, MSS, 0, false, true, true), p.name());
    }
  }

  @Test
  @DisplayName("RFC 896: the classic rule holds a tail while any data is unacknowledged")
  void classicHoldsTailWhileAnythingInFlight() {
    assertTrue(tail(NagleSwsPolicy.CLASSIC, 100, false, false), "nothing in flight: it goes");
    assertFalse(tail(NagleSwsPolicy.CLASSIC, 100, true, false), "full segments in flight");
    assertFalse(tail(NagleSwsPolicy.CLASSIC, 100, true, true));
  }

  @Test
  @DisplayName(
      "Minshall: a tail waits only while an earlier small segment is unacknowledged, not behind full ones")
  void minshallHoldsTailOnlyBehindASmallSegment() {
    assertTrue(tail(NagleSwsPolicy.MINSHALL, 100, false, false));
    assertTrue(tail(NagleSwsPolicy.MINSHALL, 100, true, false), "only full segments in flight");
    assertFalse(tail(NagleSwsPolicy.MINSHALL, 100, true, true), "a small one is in flight");
  }

  @Test
  @DisplayName("Nagle off: a tail never waits")
  void noDelayNeverHoldsATail() {
    assertTrue(tail(NagleSwsPolicy.NO_DELAY, 100, true, true));
  }

  @Test
  @DisplayName("RFC 1122 §4.2.3.4: data written with nodelay bypasses Nagle, in either variant")
  void nodelayBypassesNagle() {
    for (NagleSwsPolicy p : NagleSwsPolicy.values()) {
      assertTrue(p.sendNow(100, 100, MSS, WINDOW, true, true, true), p.name());
    }
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.8.6.2.1: a part of the queue shorter than the MSS waits (sender SWS avoidance), even with nothing in flight or nodelay")
  void partOfTheQueueWaits() {
    for (NagleSwsPolicy p : NagleSwsPolicy.values()) {
      // The window allows 500 of the 3000 queued bytes: sending 500 now would be silly.
      assertFalse(p.sendNow(500, 3000, MSS, WINDOW, false, false, false), p.name());
      assertFalse(p.sendNow(500, 3000, MSS, WINDOW, true, false, false), p.name());
    }
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.4 (3): at least half the largest window ever offered goes, even as a part or a held tail")
  void halfTheMaxWindowGoes() {
    int smallWindow = 1000; // the peer never offered more than 1000 bytes
    for (NagleSwsPolicy p : NagleSwsPolicy.values()) {
      assertTrue(p.sendNow(500, 3000, MSS, smallWindow, false, true, true), p.name());
      assertFalse(p.sendNow(499, 3000, MSS, smallWindow, false, true, true), p.name());
      assertTrue(p.sendNow(500, 500, MSS, smallWindow, false, true, true), "a held tail too");
    }
    assertFalse(
        NagleSwsPolicy.CLASSIC.sendNow(0, 3000, MSS, 0, false, true, true),
        "no window offered yet: nothing qualifies as half of it");
  }
}
