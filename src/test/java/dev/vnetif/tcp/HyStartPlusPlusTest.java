package dev.vnetif.tcp;

import static dev.vnetif.tcp.HyStartPlusPlus.Phase.CONSERVATIVE_SLOW_START;
import static dev.vnetif.tcp.HyStartPlusPlus.Phase.DONE;
import static dev.vnetif.tcp.HyStartPlusPlus.Phase.SLOW_START;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * HyStart++ (RFC 9406 §4) on its own: rounds are driven by hand with explicit ACK and SND.MAX
 * values, each ACK carrying one RTT sample. SMSS is 1000 bytes.
 */
class HyStartPlusPlusTest {

  private static final int SMSS = 1000;
  private static final long MS = 1_000_000L;

  private final HyStartPlusPlus hs = new HyStartPlusPlus(SMSS);
  private int ack;

  /**
   * One round of {@code acks} ACKs of one segment each, every one with an RTT sample of {@code
   * rttMillis}. Its first ACK ends the round before, and SND.MAX then is such that the first ACK of
   * the next call ends this one. Returns the growth of the round.
   */
  private double round(int acks, double rttMillis) {
    int sndMax = ack + (acks + 1) * SMSS;
    double growth = 0;
    for (int i = 0; i < acks; i++) {
      ack += SMSS;
      hs.onRttSample((long) (rttMillis * MS));
      if (hs.onAckAdvanced(ack, sndMax)) {
        return growth;
      }
      growth += hs.onAck(SMSS);
    }
    return growth;
  }

  /** Starts the first round so that the round boundaries below fall where the test says. */
  private void firstRound(int acks, double rttMillis) {
    assertEquals(acks * SMSS, round(acks, rttMillis), 1e-9);
  }

  @Test
  @DisplayName("RFC 9406 §4.3: the recommended constants, and L = 8 for a sender without pacing")
  void constants() {
    assertEquals(4 * MS, HyStartPlusPlus.MIN_RTT_THRESH_NANOS);
    assertEquals(16 * MS, HyStartPlusPlus.MAX_RTT_THRESH_NANOS);
    assertEquals(8, HyStartPlusPlus.MIN_RTT_DIVISOR);
    assertEquals(8, HyStartPlusPlus.N_RTT_SAMPLE);
    assertEquals(4, HyStartPlusPlus.CSS_GROWTH_DIVISOR);
    assertEquals(5, HyStartPlusPlus.CSS_ROUNDS);
    assertEquals(8, HyStartPlusPlus.L);
  }

  @Test
  @DisplayName("RFC 9406 §4.2: in slow start an ACK of N bytes grows cwnd by min(N, L·SMSS)")
  void slowStartGrowthCappedAtL() {
    assertEquals(SLOW_START, hs.phase());
    assertEquals(500, hs.onAck(500), 1e-9);
    assertEquals(3 * SMSS, hs.onAck(3 * SMSS), 1e-9);
    assertEquals(8 * SMSS, hs.onAck(20 * SMSS), 1e-9);
  }

  @Test
  @DisplayName(
      "RFC 9406 §4.2 (packetdrill cubic/cubic-hystart-delay-rtt-jumps-upward.pkt): a round whose minimum RTT is ≥ lastRoundMinRTT + RttThresh after N_RTT_SAMPLE = 8 samples enters Conservative Slow Start on the 8th sample, not before")
  void delayRiseEntersCss() {
    firstRound(10, 200);
    assertEquals(200 * MS, hs.currentRoundMinRttNanos());
    // RttThresh = max(4 ms, min(200/8 = 25 ms, 16 ms)) = 16 ms: 216 ms is enough.
    int sndMax = ack + 11 * SMSS;
    for (int i = 1; i <= 8; i++) {
      ack += SMSS;
      hs.onRttSample(216 * MS);
      hs.onAckAdvanced(ack, sndMax);
      hs.onAck(SMSS);
      assertEquals(i < 8 ? SLOW_START : CONSERVATIVE_SLOW_START, hs.phase(), "sample " + i);
    }
    assertEquals(200 * MS, hs.lastRoundMinRttNanos());
  }

  @Test
  @DisplayName(
      "RFC 9406 §4.2: a rise short of RttThresh (215 ms after 200 ms, threshold 16 ms) stays in slow start")
  void smallRiseStaysInSlowStart() {
    firstRound(10, 200);
    round(10, 215);
    assertEquals(SLOW_START, hs.phase());
  }

  @Test
  @DisplayName(
      "RFC 9406 §4.2: fewer than N_RTT_SAMPLE samples in a round never leave slow start, however high the RTT")
  void fewSamplesNeverExit() {
    firstRound(10, 100);
    round(7, 900);
    round(7, 900);
    assertEquals(SLOW_START, hs.phase());
  }

  @Test
  @DisplayName(
      "RFC 9406 §4.2: RttThresh = max(MIN_RTT_THRESH, min(lastRoundMinRTT/8, MAX_RTT_THRESH)) — 4 ms at a 10 ms RTT (not 1.25 ms)")
  void thresholdFloorAtSmallRtt() {
    firstRound(10, 10);
    round(10, 13.9);
    assertEquals(SLOW_START, hs.phase(), "3.9 ms is below the 4 ms floor");
    round(10, 10);
    round(10, 14);
    assertEquals(CONSERVATIVE_SLOW_START, hs.phase());
  }

  @Test
  @DisplayName(
      "RFC 9406 §4.2: RttThresh is 12.5 ms at a 100 ms RTT (lastRoundMinRTT/8, between the bounds)")
  void thresholdBetweenBounds() {
    firstRound(10, 100);
    round(10, 112.4);
    assertEquals(SLOW_START, hs.phase());
    round(10, 100);
    round(10, 112.5);
    assertEquals(CONSERVATIVE_SLOW_START, hs.phase());
  }

  @Test
  @DisplayName(
      "RFC 9406 §4.2: in Conservative Slow Start cwnd grows by min(N, L·SMSS)/CSS_GROWTH_DIVISOR — a quarter of slow start")
  void cssGrowsAQuarter() {
    firstRound(10, 100);
    round(10, 120);
    assertEquals(CONSERVATIVE_SLOW_START, hs.phase());
    assertEquals(SMSS / 4.0, hs.onAck(SMSS), 1e-9);
    assertEquals(2 * SMSS, hs.onAck(20 * SMSS), 1e-9);
  }

  @Test
  @DisplayName(
      "RFC 9406 §4.2 (packetdrill cubic/cubic-hystart-delay-min-rtt-jumps-downward.pkt): in CSS, a round whose minimum RTT falls below the CSS baseline was a spurious exit — slow start resumes")
  void rttDropReturnsToSlowStart() {
    firstRound(10, 100);
    round(10, 120); // CSS, baseline 120 ms
    assertEquals(CONSERVATIVE_SLOW_START, hs.phase());
    round(10, 119);
    assertEquals(SLOW_START, hs.phase());
    assertEquals(SMSS, hs.onAck(SMSS), 1e-9, "full slow-start growth again");
  }

  @Test
  @DisplayName(
      "RFC 9406 §4.2: in CSS, an RTT that stays at the baseline does not resume slow start, and after CSS_ROUNDS = 5 rounds HyStart++ hands over to congestion avoidance")
  void cssRoundsEndInCongestionAvoidance() {
    firstRound(10, 100);
    round(10, 120); // CSS entered within this round
    for (int r = 1; r < HyStartPlusPlus.CSS_ROUNDS; r++) {
      round(10, 125);
      assertEquals(CONSERVATIVE_SLOW_START, hs.phase(), "after CSS round " + r);
      assertEquals(r, hs.cssRounds());
    }
    // The ACK that ends the fifth CSS round hands over.
    ack += SMSS;
    assertTrue(hs.onAckAdvanced(ack, ack + 10 * SMSS));
    assertEquals(DONE, hs.phase());
    assertFalse(hs.active());
  }

  @Test
  @DisplayName(
      "RFC 9406 §4.2: a loss ends the initial slow start for good — later samples and rounds change nothing")
  void lossEndsHyStart() {
    firstRound(10, 100);
    hs.onCongestion();
    assertEquals(DONE, hs.phase());
    round(10, 500);
    assertEquals(DONE, hs.phase());
  }

  @Test
  @DisplayName(
      "RFC 9406 §4.2: a round ends when the ACK reaches windowEnd (SND.NXT at its start), across sequence number wrap-around")
  void roundsAcrossWrapAround() {
    HyStartPlusPlus h = new HyStartPlusPlus(SMSS);
    int start = -5 * SMSS; // 0xFFFFEC78: the round's data wraps past 2^32
    h.onRttSample(50 * MS);
    h.onAckAdvanced(start, start + 10 * SMSS);
    h.onAck(SMSS);
    assertEquals(50 * MS, h.currentRoundMinRttNanos());
    h.onRttSample(40 * MS);
    h.onAckAdvanced(start + 9 * SMSS, start + 20 * SMSS); // before windowEnd: same round
    h.onAck(SMSS);
    assertEquals(40 * MS, h.currentRoundMinRttNanos());
    h.onAckAdvanced(start + 10 * SMSS, start + 20 * SMSS); // reaches it: a new round
    assertEquals(40 * MS, h.lastRoundMinRttNanos());
    assertEquals(Long.MAX_VALUE, h.currentRoundMinRttNanos());
  }
}
