package dev.vnetif.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RttEstimatorTest {

  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000 * MS;

  /** RFC 6298 defaults: initial 1 s, min 1 s, max 60 s; G = 1 ms. */
  private static RttEstimator rfcDefaults() {
    return new RttEstimator(SECOND, SECOND, 60 * SECOND, MS);
  }

  /** A min RTO low enough that the worked examples are never clamped. */
  private static RttEstimator unclamped() {
    return new RttEstimator(SECOND, MS, 60 * SECOND, MS);
  }

  @Test
  @DisplayName("RFC 6298 §2.1: before any sample the RTO is the initial RTO")
  void initialRtoBeforeAnySample() {
    RttEstimator rtt = new RttEstimator(3 * SECOND, SECOND, 60 * SECOND, MS);
    assertFalse(rtt.hasSample());
    assertEquals(3 * SECOND, rtt.rtoNanos());
    assertEquals(0, rtt.srttNanos());
    assertEquals(0, rtt.rttvarNanos());
  }

  @Test
  @DisplayName(
      "RFC 6298 §2.2: first sample R gives SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, 4*RTTVAR)")
  void firstSample() {
    RttEstimator rtt = unclamped();
    rtt.sample(100 * MS + 1); // odd, so R/2 truncates
    assertTrue(rtt.hasSample());
    assertEquals(100_000_001, rtt.srttNanos());
    assertEquals(50_000_000, rtt.rttvarNanos());
    // 100_000_001 + max(1_000_000, 200_000_000)
    assertEquals(300_000_001, rtt.rtoNanos());
  }

  @Test
  @DisplayName("RFC 6298 §2.3: a worked sequence of five samples, exact integer nanoseconds")
  void workedSequenceOfFiveSamples() {
    RttEstimator rtt = unclamped(); // G = 1 ms never dominates here

    // R1 = 100 ms, §2.2: SRTT = 100_000_000; RTTVAR = 100_000_000 / 2 = 50_000_000;
    // RTO = 100_000_000 + 4 * 50_000_000 = 300_000_000.
    rtt.sample(100 * MS);
    assertState(rtt, 100_000_000, 50_000_000, 300_000_000);

    // R2 = 120 ms, §2.3: RTTVAR = (3 * 50_000_000 + |100_000_000 - 120_000_000|) / 4
    //   = 170_000_000 / 4 = 42_500_000;
    // SRTT = (7 * 100_000_000 + 120_000_000) / 8 = 820_000_000 / 8 = 102_500_000;
    // RTO = 102_500_000 + 4 * 42_500_000 = 272_500_000.
    rtt.sample(120 * MS);
    assertState(rtt, 102_500_000, 42_500_000, 272_500_000);

    // R3 = 80 ms: RTTVAR = (3 * 42_500_000 + |102_500_000 - 80_000_000|) / 4
    //   = (127_500_000 + 22_500_000) / 4 = 150_000_000 / 4 = 37_500_000;
    // SRTT = (7 * 102_500_000 + 80_000_000) / 8 = 797_500_000 / 8 = 99_687_500;
    // RTO = 99_687_500 + 4 * 37_500_000 = 249_687_500.
    rtt.sample(80 * MS);
    assertState(rtt, 99_687_500, 37_500_000, 249_687_500);

    // R4 = 300 ms: RTTVAR = (3 * 37_500_000 + |99_687_500 - 300_000_000|) / 4
    //   = (112_500_000 + 200_312_500) / 4 = 312_812_500 / 4 = 78_203_125;
    // SRTT = (7 * 99_687_500 + 300_000_000) / 8 = 997_812_500 / 8 = 124_726_562 (.5 truncated);
    // RTO = 124_726_562 + 4 * 78_203_125 = 124_726_562 + 312_812_500 = 437_539_062.
    rtt.sample(300 * MS);
    assertState(rtt, 124_726_562, 78_203_125, 437_539_062);

    // R5 = 100 ms: RTTVAR = (3 * 78_203_125 + |124_726_562 - 100_000_000|) / 4
    //   = (234_609_375 + 24_726_562) / 4 = 259_335_937 / 4 = 64_833_984 (.25 truncated);
    // SRTT = (7 * 124_726_562 + 100_000_000) / 8 = 973_085_934 / 8 = 121_635_741 (.75 truncated);
    // RTO = 121_635_741 + 4 * 64_833_984 = 121_635_741 + 259_335_936 = 380_971_677.
    rtt.sample(100 * MS);
    assertState(rtt, 121_635_741, 64_833_984, 380_971_677);
  }

  @Test
  @DisplayName("RFC 6298 §2.3: RTTVAR is updated from the old SRTT, before SRTT moves")
  void rttvarUsesOldSrtt() {
    RttEstimator rtt = unclamped();
    rtt.sample(0);
    rtt.sample(800 * MS);
    // Old SRTT 0: RTTVAR = (3 * 0 + 800 ms) / 4 = 200 ms. With the new SRTT (100 ms) it would be
    // 175 ms.
    assertEquals(200 * MS, rtt.rttvarNanos());
    assertEquals(100 * MS, rtt.srttNanos());
    assertEquals(900 * MS, rtt.rtoNanos());
  }

  @Test
  @DisplayName("RFC 6298 §2.4: an RTO below the minimum is rounded up to it")
  void clampsAtMinimum() {
    RttEstimator rtt = rfcDefaults();
    rtt.sample(10 * MS); // computed RTO = 10 ms + 4 * 5 ms = 30 ms
    assertEquals(10 * MS, rtt.srttNanos());
    assertEquals(SECOND, rtt.rtoNanos());
  }

  @Test
  @DisplayName("RFC 6298 §2.5: an RTO above the maximum is capped to it")
  void clampsAtMaximum() {
    RttEstimator rtt = rfcDefaults();
    rtt.sample(30 * SECOND); // computed RTO = 30 s + 4 * 15 s = 90 s
    assertEquals(60 * SECOND, rtt.rtoNanos());
  }

  @Test
  @DisplayName("RFC 6298 §2: G dominates 4*RTTVAR when the variance is tiny")
  void granularityDominatesTinyVariance() {
    RttEstimator rtt = new RttEstimator(SECOND, MS, 60 * SECOND, 100 * MS);
    rtt.sample(50 * MS); // RTTVAR = 25 ms, 4 * RTTVAR = 100 ms = G
    assertEquals(150 * MS, rtt.rtoNanos());
    rtt.sample(50 * MS); // RTTVAR = (3 * 25 ms + 0) / 4 = 18.75 ms, 4 * RTTVAR = 75 ms < G
    assertEquals(18_750_000, rtt.rttvarNanos());
    assertEquals(50 * MS, rtt.srttNanos());
    assertEquals(50 * MS + 100 * MS, rtt.rtoNanos());
  }

  @Test
  @DisplayName("RFC 6298 §5.5: each backoff doubles the RTO, capped at the maximum")
  void backoffDoublesUpToMaximum() {
    RttEstimator rtt = rfcDefaults();
    long[] expectedSeconds = {1, 2, 4, 8, 16, 32, 60, 60, 60};
    for (int i = 0; i < expectedSeconds.length; i++) {
      assertEquals(i, rtt.backoffCount());
      assertEquals(expectedSeconds[i] * SECOND, rtt.rtoNanos(), "after " + i + " backoffs");
      rtt.backoff();
    }
  }

  @Test
  @DisplayName("RFC 6298 §5.5: backoff doubles a measured RTO too, never overflowing")
  void backoffOfMeasuredRtoNeverOverflows() {
    RttEstimator rtt = new RttEstimator(SECOND, MS, Long.MAX_VALUE, 0);
    rtt.sample(100 * MS); // RTO 300 ms
    rtt.backoff();
    assertEquals(600 * MS, rtt.rtoNanos());
    for (int i = 0; i < 200; i++) {
      rtt.backoff();
    }
    assertEquals(Long.MAX_VALUE, rtt.rtoNanos());
  }

  @Test
  @DisplayName("RFC 6298 §5 note after (5.7): a fresh sample collapses the backed-off RTO")
  void sampleClearsBackoff() {
    RttEstimator rtt = rfcDefaults();
    rtt.backoff();
    rtt.backoff();
    assertEquals(4 * SECOND, rtt.rtoNanos());
    rtt.sample(500 * MS); // 500 ms + 4 * 250 ms = 1.5 s
    assertEquals(0, rtt.backoffCount());
    assertEquals(1_500 * MS, rtt.rtoNanos());
  }

  @Test
  @DisplayName("resetBackoff clears the doubling and keeps SRTT and RTTVAR")
  void resetBackoffKeepsEstimates() {
    RttEstimator rtt = rfcDefaults();
    rtt.sample(2 * SECOND); // RTO = 2 s + 4 * 1 s = 6 s
    rtt.backoff();
    assertEquals(12 * SECOND, rtt.rtoNanos());
    rtt.resetBackoff();
    assertEquals(0, rtt.backoffCount());
    assertEquals(2 * SECOND, rtt.srttNanos());
    assertEquals(SECOND, rtt.rttvarNanos());
    assertEquals(6 * SECOND, rtt.rtoNanos());
  }

  @Test
  void rejectsInconsistentBounds() {
    assertThrows(
        IllegalArgumentException.class, () -> new RttEstimator(SECOND, 2 * SECOND, 60 * SECOND, 0));
    assertThrows(
        IllegalArgumentException.class, () -> new RttEstimator(SECOND, SECOND, SECOND / 2, 0));
    assertThrows(IllegalArgumentException.class, () -> new RttEstimator(0, 0, SECOND, 0));
    assertThrows(
        IllegalArgumentException.class, () -> new RttEstimator(SECOND, SECOND, SECOND, -1));
  }

  @Test
  void rejectsNegativeSample() {
    RttEstimator rtt = rfcDefaults();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> rtt.sample(-5));
    assertTrue(e.getMessage().contains("-5"), e.getMessage());
    assertFalse(rtt.hasSample());
  }

  // ---------------------------------------------------------------- Karn's algorithm

  @Test
  @DisplayName("RFC 6298 §3: an ACK covering the timed segment gives its round trip as a sample")
  void ackOfTimedSegmentIsASample() {
    RttEstimator rtt = unclamped();
    rtt.onSend(1000, 5 * SECOND);
    assertTrue(rtt.isTiming());
    assertEquals(1000, rtt.timedSeq());
    assertTrue(rtt.onAck(1100, 5 * SECOND + 80 * MS));
    assertFalse(rtt.isTiming());
    assertState(rtt, 80 * MS, 40 * MS, 240 * MS);
    assertFalse(rtt.onAck(1200, 6 * SECOND), "one sample per timed segment");
    assertEquals(80 * MS, rtt.srttNanos());
  }

  @Test
  @DisplayName("RFC 6298 §3: one segment is timed at a time; a later send does not restart it")
  void oneSegmentTimedAtATime() {
    RttEstimator rtt = unclamped();
    rtt.onSend(1000, SECOND);
    rtt.onSend(2460, SECOND + 30 * MS); // the second segment of the window
    assertEquals(1000, rtt.timedSeq());
    assertTrue(rtt.onAck(2460, SECOND + 100 * MS)); // covers the first only
    assertEquals(100 * MS, rtt.srttNanos(), "timed from the first send, not the second");
    rtt.onSend(3920, 2 * SECOND);
    assertEquals(3920, rtt.timedSeq(), "after a sample, the next new segment is timed");
  }

  @Test
  @DisplayName("RFC 6298 §3: an ACK that does not pass the timed segment's start takes no sample")
  void ackBelowTimedSegmentIsNoSample() {
    RttEstimator rtt = unclamped();
    rtt.onSend(1000, SECOND);
    assertFalse(rtt.onAck(1000, SECOND + 10 * MS));
    assertFalse(rtt.onAck(900, SECOND + 10 * MS));
    assertTrue(rtt.isTiming());
    assertFalse(rtt.hasSample());
  }

  @Test
  @DisplayName("Karn (RFC 6298 §3): after a retransmission the ACK is ambiguous and never sampled")
  void retransmissionAbandonsTiming() {
    RttEstimator rtt = unclamped();
    rtt.onSend(1000, SECOND);
    rtt.onRetransmit();
    assertFalse(rtt.isTiming());
    assertFalse(rtt.onAck(2000, 4 * SECOND), "a 3 s 'round trip' of either copy is no sample");
    assertFalse(rtt.hasSample());
    assertEquals(SECOND, rtt.rtoNanos());
    rtt.onSend(2000, 5 * SECOND); // new data after the retransmission is timed again
    assertTrue(rtt.onAck(2500, 5 * SECOND + 50 * MS));
    assertEquals(50 * MS, rtt.srttNanos());
  }

  @Test
  @DisplayName("Karn (RFC 6298 §5.5 note): the backed-off RTO stays until a new segment's sample")
  void backoffHeldUntilAFreshSample() {
    RttEstimator rtt = unclamped();
    rtt.sample(100 * MS); // RTO 300 ms
    rtt.onSend(1000, SECOND);
    rtt.backoff(); // the timer expired ...
    rtt.onRetransmit(); // ... and the segment was sent again
    assertEquals(600 * MS, rtt.rtoNanos());
    assertFalse(rtt.onAck(2000, 2 * SECOND));
    assertEquals(600 * MS, rtt.rtoNanos(), "the ACK of a retransmission keeps the backoff");
    rtt.onSend(2000, 3 * SECOND);
    assertTrue(rtt.onAck(2001, 3 * SECOND + 100 * MS));
    assertEquals(0, rtt.backoffCount());
    assertState(rtt, 100 * MS, 37_500_000, 250 * MS);
  }

  @Test
  @DisplayName("timing compares sequence numbers modulo 2^32 (RFC 9293 §3.4)")
  void timingAcrossTheWrap() {
    RttEstimator rtt = unclamped();
    rtt.onSend(0xFFFF_FF00, SECOND);
    assertFalse(rtt.onAck(0xFFFF_FE00, SECOND + MS), "an older ACK, though numerically larger");
    assertTrue(rtt.onAck(0x0000_0100, SECOND + 20 * MS), "past the wrap covers it");
    assertEquals(20 * MS, rtt.srttNanos());
  }

  private static void assertState(RttEstimator rtt, long srtt, long rttvar, long rto) {
    assertEquals(srtt, rtt.srttNanos(), "SRTT");
    assertEquals(rttvar, rtt.rttvarNanos(), "RTTVAR");
    assertEquals(rto, rtt.rtoNanos(), "RTO");
  }
}
