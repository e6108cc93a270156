package dev.vnetif.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * CUBIC's window arithmetic (RFC 9438) driven by hand: ACKs at explicit times, the window compared
 * with the RFC's formulas. SMSS is 1000 bytes so that segments read as thousands; HyStart++ is off
 * here (its own tests are {@link HyStartPlusPlusTest}) except where a test says otherwise.
 */
class CubicTest {

  private static final int SMSS = 1000;
  private static final int IW = 10 * SMSS;
  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000_000_000L;
  private static final long T0 = 1_000 * SECOND;

  /** ∛(W_max·(1 − β)/C) for W_max = 100 segments: ∛75 seconds. */
  private static final double K_100 = Math.cbrt(100 * (1 - 0.7) / 0.4);

  private long now = T0;

  private static Cubic fresh() {
    return new Cubic(SMSS, IW, false);
  }

  /** RFC 9438 §4.2 eq. 1 in segments. */
  private static double wCubic(double t, double k, double wMaxSegments) {
    return 0.4 * Math.pow(t - k, 3) + wMaxSegments;
  }

  /** Slow start (one ACK per segment) until cwnd is {@code segments}, without a loss. */
  private static Cubic grownTo(int segments) {
    Cubic cc = fresh();
    while (cc.cwnd() < segments * SMSS) {
      cc.onAck(SMSS, T0);
    }
    assertEquals(segments * SMSS, cc.cwnd());
    return cc;
  }

  /**
   * A loss at cwnd = {@code segments} found by three duplicate ACKs, and the full ACK that ends
   * recovery with a flight of ssthresh: congestion avoidance starts at ssthresh.
   */
  private Cubic afterLossAt(Cubic cc, int flight) {
    cc.onFastRetransmit(flight, now);
    cc.onRecoveryExit(cc.ssthresh());
    return cc;
  }

  /**
   * The connection is cwnd-limited for {@code duration}: every round trip of {@code rtt} the whole
   * window is acknowledged, one ACK per segment, spread evenly over the round.
   */
  private void runFor(Cubic cc, long duration, long rtt) {
    long end = now + duration;
    while (now < end) {
      int segments = Math.max(1, cc.cwnd() / SMSS);
      long roundStart = now;
      for (int i = 1; i <= segments; i++) {
        now = roundStart + rtt * i / segments;
        cc.onAck(SMSS, now);
      }
    }
  }

  // ------------------------------------------------------------------ the window curve

  @Test
  @DisplayName(
      "RFC 9438 §4.6: a loss at cwnd = 100 segments sets ssthresh = β·cwnd = 70 segments (β_cubic = 0.7) and W_max = 100")
  void multiplicativeDecrease() {
    Cubic cc = grownTo(100);
    cc.onFastRetransmit(100 * SMSS, now);
    assertEquals(70 * SMSS, cc.ssthresh());
    assertEquals(73 * SMSS, cc.cwnd(), "RFC 5681 §3.2 step 3: ssthresh + 3·SMSS during recovery");
    assertEquals(100 * SMSS, cc.wMaxBytes(), 1e-9);
    cc.onRecoveryExit(70 * SMSS);
    assertEquals(70 * SMSS, cc.cwnd());
  }

  @Test
  @DisplayName(
      "RFC 9438 §4.6: ssthresh = β·cwnd is rounded, not truncated: 0.7 · 11000 bytes is 7700 (in binary floating point 7699.999…)")
  void decreaseRoundsTheProduct() {
    Cubic cc = new Cubic(1000, 11_000, false);
    cc.onFastRetransmit(11_000, now);
    assertEquals(7_700, cc.ssthresh());
  }

  @Test
  @DisplayName(
      "RFC 9438 §4.6: ssthresh never falls below 2·SMSS: a loss at cwnd = 2 segments leaves ssthresh = 2 segments, not 1.4")
  void decreaseFloorsAtTwoSegments() {
    Cubic cc = new Cubic(SMSS, 2 * SMSS, false);
    cc.onFastRetransmit(2 * SMSS, now);
    assertEquals(2 * SMSS, cc.ssthresh());
  }

  @Test
  @DisplayName(
      "RFC 9438 §4.2 eq. 2: the first ACK of congestion avoidance after a loss at W_max = 100 starts the epoch with K = ∛((W_max − cwnd_epoch)/C) = ∛75 = 4.217 s and W_est = cwnd_epoch")
  void epochStartsWithK() {
    Cubic cc = afterLossAt(grownTo(100), 100 * SMSS);
    cc.onRttSample(100 * MS);
    assertFalse(cc.epochStarted());
    cc.onAck(SMSS, now);
    assertTrue(cc.epochStarted());
    assertEquals(now, cc.epochStartNanos());
    assertEquals(K_100, cc.kSeconds(), 1e-12);
    assertEquals(4.217, cc.kSeconds(), 5e-4);
  }

  @Test
  @DisplayName(
      "RFC 9438 §4.2 eq. 1: after a loss at W_max = 100 segments, with a 100 ms RTT, cwnd follows W_cubic(t) = C·(t − K)³ + W_max within one segment at t = 0, K/2, K and 2K (70, 96.25, 100, 130 segments)")
  void windowFollowsTheCubicCurve() {
    Cubic cc = afterLossAt(grownTo(100), 100 * SMSS);
    long rtt = 100 * MS;
    cc.onRttSample(rtt);
    long epoch = now;
    assertEquals(70.0, wCubic(0, K_100, 100), 1e-9);
    assertEquals(70 * SMSS, cc.cwnd(), "t = 0: W_cubic(0) = W_max·β");
    double[] times = {K_100 / 2, K_100, 2 * K_100};
    double[] expected = {96.25, 100.0, 130.0};
    for (int i = 0; i < times.length; i++) {
      long at = epoch + (long) (times[i] * SECOND);
      runFor(cc, at - now, rtt);
      double t = (now - epoch) / (double) SECOND;
      double curve = wCubic(t, K_100, 100);
      assertEquals(expected[i], wCubic(times[i], K_100, 100), 1e-9);
      assertEquals(curve, cc.cwnd() / (double) SMSS, 1.0, "cwnd at t = " + t + " s");
    }
  }

  @Test
  @DisplayName(
      "RFC 9438 §4.4: in the concave region an ACK moves cwnd by (target − cwnd)/cwnd segments per segment acknowledged, target = W_cubic(t + RTT)")
  void concaveStepTowardsTarget() {
    Cubic cc = afterLossAt(grownTo(100), 100 * SMSS);
    cc.onRttSample(100 * MS);
    cc.onAck(SMSS, now); // starts the epoch at now; at t = 0 W_est is ahead (Reno-friendly)
    now += SECOND;
    double t = 1.0;
    double target = wCubic(t + 0.1, K_100, 100) * SMSS;
    double before = cc.cwnd();
    assertTrue(wCubic(t, K_100, 100) * SMSS > cc.wEstBytes(), "concave, not Reno-friendly");
    cc.onAck(2 * SMSS, now);
    double expected = before + (target - before) * 2 * SMSS / before;
    assertEquals(expected, cc.cwnd(), 1.0);
  }

  @Test
  @DisplayName(
      "RFC 9438 §4.2: the target is clamped to 1.5·cwnd — far past K one ACK of a whole window grows cwnd by at most half")
  void targetClampedToOneAndAHalfCwnd() {
    Cubic cc = afterLossAt(grownTo(100), 100 * SMSS);
    cc.onRttSample(100 * MS);
    cc.onAck(SMSS, now);
    int before = cc.cwnd();
    now += 60 * SECOND; // W_cubic(60 s) is tens of thousands of segments
    cc.onAck(before, now);
    assertEquals(1.5 * before, cc.cwnd(), 1.0);
  }

  @Test
  @DisplayName(
      "RFC 9438 §4.5: past K (the convex region) cwnd grows beyond W_max, faster the longer since the epoch")
  void convexRegionProbesBeyondWmax() {
    Cubic cc = afterLossAt(grownTo(100), 100 * SMSS);
    long rtt = 100 * MS;
    cc.onRttSample(rtt);
    long epoch = now;
    runFor(cc, (long) (1.5 * K_100 * SECOND), rtt);
    int atOneAndHalfK = cc.cwnd();
    runFor(cc, epoch + (long) (2 * K_100 * SECOND) - now, rtt);
    int atTwoK = cc.cwnd();
    assertTrue(atOneAndHalfK > 100 * SMSS, "beyond W_max: " + atOneAndHalfK);
    // Growth over the second half-K exceeds what the first half-K past K gave.
    assertTrue(
        atTwoK - atOneAndHalfK > atOneAndHalfK - 100 * SMSS, atTwoK + " vs " + atOneAndHalfK);
  }

  // ------------------------------------------------------------------ fast convergence

  @Test
  @DisplayName(
      "RFC 9438 §4.7: fast convergence — a loss 2 s into the epoch, before cwnd regains W_max = 100 segments, sets W_max = cwnd·(1 + β)/2 (not cwnd) and ssthresh = β·cwnd")
  void fastConvergence() {
    Cubic cc = afterLossAt(grownTo(100), 100 * SMSS);
    cc.onRttSample(100 * MS);
    runFor(cc, 2 * SECOND, 100 * MS);
    int cwnd = cc.cwnd();
    assertTrue(cwnd < 100 * SMSS && cwnd > 85 * SMSS, "below W_max: " + cwnd);
    cc.onFastRetransmit(cwnd, now);
    assertEquals(cwnd * 1.7 / 2, cc.wMaxBytes(), 1.0);
    assertEquals((int) (cwnd * 0.7), cc.ssthresh());
  }

  @Test
  @DisplayName(
      "RFC 9438 §4.7: without fast convergence's condition — a loss at or above W_max sets W_max = cwnd")
  void noFastConvergenceAboveWmax() {
    Cubic cc = afterLossAt(grownTo(100), 100 * SMSS);
    cc.onRttSample(100 * MS);
    runFor(cc, 6 * SECOND, 100 * MS); // past K
    int cwnd = cc.cwnd();
    assertTrue(cwnd > 100 * SMSS);
    cc.onFastRetransmit(cwnd, now);
    assertEquals(cwnd, cc.wMaxBytes(), 1.0);
  }

  // ------------------------------------------------------------------ Reno-friendly region

  @Test
  @DisplayName(
      "RFC 9438 §4.3: at a small RTT (1 ms) Reno would grow faster than the curve: cwnd follows W_est, which gains α_cubic = 3(1 − β)/(1 + β) ≈ 0.529 segments per window acknowledged")
  void renoFriendlyRegionAtSmallRtt() {
    Cubic cc = afterLossAt(grownTo(10), 10 * SMSS); // W_max 10, cwnd 7 segments
    cc.onRttSample(MS);
    assertEquals(3 * (1 - 0.7) / (1 + 0.7), Cubic.ALPHA, 1e-12);
    cc.onAck(SMSS, now); // the epoch starts
    double west = cc.wEstBytes();
    int before = cc.cwnd();
    // One window (7 segments) over the next 1 ms round trip.
    for (int i = 1; i <= 7; i++) {
      now += MS / 7;
      cc.onAck(SMSS, now);
    }
    double t = (now - cc.epochStartNanos()) / (double) SECOND;
    double curve = wCubic(t, cc.kSeconds(), 10) * SMSS;
    assertTrue(curve < cc.wEstBytes(), "W_cubic(t) = " + curve + " < W_est = " + cc.wEstBytes());
    assertEquals((int) cc.wEstBytes(), cc.cwnd(), "cwnd = W_est");
    // Seven ACKs, each adding α·SMSS·SMSS/cwnd to W_est, with cwnd = W_est after each: about
    // half a segment in all.
    double expected = west;
    for (int i = 0; i < 7; i++) {
      expected += Cubic.ALPHA * SMSS * SMSS / expected;
    }
    assertEquals(expected, cc.wEstBytes(), 1e-6);
    assertEquals(508, cc.wEstBytes() - west, 1.0);
    assertTrue(cc.cwnd() > before);
  }

  @Test
  @DisplayName(
      "RFC 9438 §4.3: once W_est reaches cwnd_prior (the window before the loss) its α becomes 1, Reno's own rate")
  void renoFriendlyAlphaBecomesOne() {
    Cubic cc = afterLossAt(grownTo(10), 10 * SMSS); // cwnd_prior 10 segments
    cc.onRttSample(MS);
    runFor(cc, 20 * MS, MS); // W_est climbs from 7 to 10 segments at 0.529 per round trip
    assertTrue(cc.wEstBytes() >= 10 * SMSS, "W_est " + cc.wEstBytes());
    double west = cc.wEstBytes();
    int segments = cc.cwnd() / SMSS;
    double cwnd = cc.cwnd();
    runFor(cc, MS, MS); // one more window, one ACK per segment
    assertEquals(west + segments * SMSS * (double) SMSS / cwnd, cc.wEstBytes(), 0.02 * SMSS);
  }

  // ------------------------------------------------------------------ timeout, idle

  @Test
  @DisplayName(
      "RFC 9438 §4.8: a timeout sets ssthresh = β·cwnd and cwnd = 1 segment; the next congestion avoidance starts with K = 0 and W_max = W_est = cwnd at its start")
  void retransmissionTimeout() {
    Cubic cc = grownTo(100);
    cc.onRttSample(100 * MS);
    cc.onRetransmissionTimeout(100 * SMSS, now);
    assertEquals(70 * SMSS, cc.ssthresh());
    assertEquals(SMSS, cc.cwnd());
    while (cc.cwnd() < cc.ssthresh()) {
      now += MS;
      cc.onAck(SMSS, now);
    }
    assertEquals(70 * SMSS, cc.cwnd());
    assertFalse(cc.epochStarted());
    now += MS;
    cc.onAck(SMSS, now);
    assertEquals(0.0, cc.kSeconds());
    assertEquals(70 * SMSS, cc.wMaxBytes(), 1e-9);
    assertEquals(70 * SMSS + Cubic.ALPHA * SMSS * SMSS / (70 * SMSS), cc.wEstBytes(), 1e-6);
  }

  @Test
  @DisplayName(
      "RFC 9438 §4.8 (packetdrill cubic/cubic-rto-ss-ca-cwnd-bump.pkt): after an RTO, slow start up to ssthresh = 7 segments, then congestion avoidance grows slowly — less than one segment over the next window of ACKs")
  void rtoThenSlowStartThenSlowAvoidance() {
    Cubic cc = grownTo(10);
    cc.onRttSample(100 * MS);
    cc.onRetransmissionTimeout(10 * SMSS, now);
    assertEquals(SMSS, cc.cwnd());
    assertEquals(7 * SMSS, cc.ssthresh());
    for (int expected = 2; expected <= 7; expected++) {
      now += 2 * MS;
      cc.onAck(SMSS, now);
      assertEquals(expected * SMSS, cc.cwnd(), "slow start, one SMSS per ACK");
    }
    for (int i = 0; i < 7; i++) {
      now += 14 * MS;
      cc.onAck(SMSS, now);
    }
    assertTrue(cc.cwnd() >= 7 * SMSS && cc.cwnd() < 8 * SMSS, "cwnd " + cc.cwnd());
  }

  @Test
  @DisplayName(
      "RFC 9438 §4.8: a timeout during fast recovery keeps the ssthresh that recovery already set (no second reduction)")
  void timeoutDuringRecoveryKeepsSsthresh() {
    Cubic cc = grownTo(100);
    cc.onFastRetransmit(100 * SMSS, now);
    cc.onRetransmissionTimeout(100 * SMSS, now);
    assertEquals(70 * SMSS, cc.ssthresh());
    assertEquals(SMSS, cc.cwnd());
  }

  @Test
  @DisplayName(
      "RFC 5681 §4.1 with RFC 9438: after idle the window restarts at min(cwnd, IW), and the epoch moves by the idle time, so the curve does not count it")
  void idleRestartShiftsTheEpoch() {
    Cubic cc = afterLossAt(grownTo(100), 100 * SMSS);
    cc.onRttSample(100 * MS);
    runFor(cc, SECOND, 100 * MS);
    long epoch = cc.epochStartNanos();
    now += 4 * SECOND;
    cc.onIdleRestart(4 * SECOND, now);
    assertEquals(IW, cc.cwnd());
    assertEquals(epoch + 4 * SECOND, cc.epochStartNanos());
    // An idle time longer than the epoch's age cannot push the epoch into the future.
    cc.onIdleRestart(3_600 * SECOND, now);
    assertEquals(now, cc.epochStartNanos());
  }

  @Test
  @DisplayName(
      "RFC 9438 (packetdrill cubic/cubic-bulk-166k-idle-restart.pkt): a flow idle for 4 s grows afterwards exactly as one that was never idle — no credit for the idle time")
  void noCreditForIdleTime() {
    long rtt = 100 * MS;
    Cubic busy = afterLossAt(grownTo(20), 20 * SMSS);
    Cubic idle = afterLossAt(grownTo(20), 20 * SMSS);
    busy.onRttSample(rtt);
    idle.onRttSample(rtt);
    long start = now;
    runFor(busy, SECOND, rtt);
    long busyEnd = now;
    now = start;
    runFor(idle, SECOND, rtt);
    assertEquals(busy.cwnd(), idle.cwnd());
    Cubic credited = afterLossAt(grownTo(20), 20 * SMSS);
    credited.onRttSample(rtt);
    now = start;
    runFor(credited, SECOND, rtt);
    // The idle one stops for 4 s; both restart at IW (RFC 5681 §4.1), the busy one without a
    // pause, and go on sending for 2 s.
    now += 4 * SECOND;
    idle.onIdleRestart(4 * SECOND, now);
    credited.onIdleRestart(0, now); // as if the idle time had been spent growing
    long idleResume = now;
    busy.onIdleRestart(0, busyEnd);
    now = busyEnd;
    runFor(busy, 2 * SECOND, rtt);
    now = idleResume;
    runFor(idle, 2 * SECOND, rtt);
    assertEquals(busy.cwnd(), idle.cwnd());
    assertEquals(busy.ssthresh(), idle.ssthresh());
    now = idleResume;
    runFor(credited, 2 * SECOND, rtt);
    assertTrue(
        credited.cwnd() > idle.cwnd() + SMSS,
        "counting the idle time would have grown it to "
            + credited.cwnd()
            + ", not "
            + idle.cwnd());
  }

  // ------------------------------------------------------------------ HyStart++ inside CUBIC

  @Test
  @DisplayName(
      "RFC 9406 §4.2 in CUBIC: the initial slow start grows by min(N, L·SMSS) per ACK (L = 8), and HyStart++ is not used again after a loss")
  void hystartOnlyForInitialSlowStart() {
    Cubic cc = new Cubic(SMSS, IW);
    assertEquals("cubic", cc.name());
    cc.onAck(2 * SMSS, now);
    assertEquals(IW + 2 * SMSS, cc.cwnd());
    cc.onAck(20 * SMSS, now);
    assertEquals(IW + 10 * SMSS, cc.cwnd(), "at most L = 8 segments per ACK");
    cc.onRetransmissionTimeout(20 * SMSS, now);
    assertFalse(cc.hystart().active());
    cc.onAck(2 * SMSS, now);
    assertEquals(2 * SMSS, cc.cwnd(), "RFC 5681 slow start after the RTO: one SMSS per ACK");
  }

  @Test
  @DisplayName(
      "RFC 9406 §4.2 in CUBIC: after CSS_ROUNDS rounds of Conservative Slow Start, ssthresh = cwnd and CUBIC's congestion avoidance begins")
  void hystartHandsOverToCongestionAvoidance() {
    Cubic cc = new Cubic(SMSS, IW);
    int ack = 0;
    // The window is always full (SND.MAX = ack + cwnd), one ACK per segment, 1 ms apart. The
    // first round (the initial window) measures 100 ms, every later one 120 ms: a rise of at
    // least max(4, min(100/8, 16)) = 12.5 ms, so CSS after 8 samples of the second round.
    for (int i = 0; i < 10_000 && cc.ssthresh() == Integer.MAX_VALUE; i++) {
      ack += SMSS;
      now += MS;
      cc.onRttSample(ack <= IW ? 100 * MS : 120 * MS);
      cc.onAckAdvanced(ack, ack + cc.cwnd(), now);
      if (cc.ssthresh() == Integer.MAX_VALUE) {
        cc.onAck(SMSS, now);
      }
    }
    assertEquals(HyStartPlusPlus.Phase.DONE, cc.hystart().phase());
    assertEquals(HyStartPlusPlus.CSS_ROUNDS, cc.hystart().cssRounds());
    assertEquals(cc.cwnd(), cc.ssthresh());
    assertFalse(cc.epochStarted());
    cc.onAck(SMSS, now);
    assertTrue(cc.epochStarted(), "congestion avoidance: a CUBIC epoch");
    assertEquals(0.0, cc.kSeconds(), "no loss yet: the curve starts at its plateau, W_max = cwnd");
  }

  @Test
  void rejectsBadArguments() {
    assertThrows(IllegalArgumentException.class, () -> new Cubic(0, IW));
    assertThrows(IllegalArgumentException.class, () -> new Cubic(SMSS, 0));
    Cubic cc = fresh();
    assertThrows(IllegalArgumentException.class, () -> cc.onAck(0, T0));
    assertThrows(IllegalArgumentException.class, () -> cc.onFastRetransmit(-1, T0));
    assertThrows(IllegalArgumentException.class, () -> cc.onPartialAck(0));
    assertThrows(IllegalArgumentException.class, () -> cc.onRecoveryExit(-1));
    assertThrows(IllegalArgumentException.class, () -> cc.onRetransmissionTimeout(-1, T0));
    assertNull(cc.hystart());
  }
}
