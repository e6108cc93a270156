package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
import static dev.vnetif.tcp.TcbHarness.MS;
import static dev.vnetif.tcp.TcbHarness.MSS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_ISS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_SEQ;
import static dev.vnetif.tcp.TcbHarness.at;
import static dev.vnetif.tcp.TcbHarness.out;
import static dev.vnetif.tcp.TcbHarness.pattern;
import static dev.vnetif.tcp.TcbHarness.seg;
import static dev.vnetif.wire.TcpSegment.ACK;
import static dev.vnetif.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.tcp.TcbHarness.SegmentBuilder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * CUBIC (RFC 9438) and HyStart++ (RFC 9406) driving a real {@link Tcb}, the default configuration's
 * congestion control: the exact segments that leave, and the window they leave by. SMSS 1460, the
 * peer's window 64000, initial window 14600.
 */
class TcbCubicTest {

  private static final int IW = 10 * MSS;

  /** The {@link Cubic} the block made, caught as its factory makes it. */
  private Cubic cubic;

  private TcbHarness established() {
    assertEquals(CongestionControlFactory.CUBIC, TcpConfig.defaults().congestionControl());
    TcpConfig config =
        TcbHarness.config()
            .withCongestionControl(
                (smss, iw) -> {
                  cubic = new Cubic(smss, iw);
                  return cubic;
                });
    return TcbHarness.established(config);
  }

  private TcbHarness tenSegmentsInFlight(int written) {
    TcbHarness h = established();
    h.write(pattern(0, written), false);
    h.clear();
    return h;
  }

  private static SegmentBuilder segment(int n) {
    return out()
        .seq(LOCAL_SEQ + (n - 1) * MSS)
        .ack(REMOTE_SEQ)
        .flags(ACK)
        .payload(pattern((n - 1) * MSS, MSS));
  }

  private static SegmentBuilder ackOf(int bytes) {
    return seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + bytes);
  }

  private static void assertWindow(TcbHarness h, int cwnd, int ssthresh) {
    assertEquals(cwnd, h.tcb.stats().cwnd(), "cwnd");
    assertEquals(ssthresh, h.tcb.stats().ssthresh(), "ssthresh");
  }

  @Test
  @DisplayName(
      "RFC 9406 §4.2 on a Tcb: in the initial slow start an ACK of two segments grows cwnd by min(N, L·SMSS) = 2920 (RFC 5681 alone: 1460) and releases four segments")
  void hystartSlowStartCountsBytesAcked() {
    TcbHarness h = tenSegmentsInFlight(30_000);
    h.send(at(50), ackOf(2 * MSS));
    assertWindow(h, IW + 2 * MSS, Integer.MAX_VALUE);
    for (int n = 11; n <= 14; n++) {
      h.expectSegment(segment(n));
    }
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9406 §4.2 on a Tcb: the RTT the block measures (RFC 6298) is HyStart++'s sample, and the first ACK opens its first round, which ends at SND.MAX")
  void rttSamplesReachHyStart() {
    TcbHarness h = tenSegmentsInFlight(IW);
    h.send(at(50), ackOf(MSS));
    assertEquals(50 * MS, cubic.hystart().currentRoundMinRttNanos());
    assertEquals(Long.MAX_VALUE, cubic.hystart().lastRoundMinRttNanos(), "the first round");
  }

  @Test
  @DisplayName(
      "RFC 9406 §4.2 on a Tcb without timestamps (SACK on): every ACK's RTT reaches HyStart++ from the scoreboard's send times, so a round of 18 ACKs at 70 ms after one at 50 ms moves it to CSS (RFC 6298's one timed segment per round could never make N_RTT_SAMPLE = 8)")
  void perAckSamplesWithoutTimestamps() {
    TcpConfig config =
        TcbHarness.withTimestampsAndSack().withTimestamps(false).toBuilder()
            .sendBufferSize(1 << 20)
            .build()
            .withCongestionControl(
                (smss, iw) -> {
                  cubic = new Cubic(smss, iw);
                  return cubic;
                });
    TcbHarness h =
        TcbHarness.establishedWith(
            config, seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS).sackOk());
    h.write(pattern(0, 100 * MSS), false); // ten segments at T0
    // Round 1: segments 1-10, each acknowledged alone 50-59 ms after T0; each ACK releases two.
    for (int n = 1; n <= 10; n++) {
      h.send(at(49 + n), ackOf(n * MSS));
    }
    assertEquals(50 * MS, cubic.hystart().lastRoundMinRttNanos(), "round 1's minimum");
    assertEquals(HyStartPlusPlus.Phase.SLOW_START, cubic.hystart().phase());
    // Round 2: segments 11-28 (two sent at each of 50-58 ms), each acknowledged 70 ms after it
    // was sent. 70 >= 50 + max(4, min(50 / 8, 16)) ms, with more than 8 samples in the round.
    for (int n = 11; n <= 28; n++) {
      h.send(at(50 + (n - 11) / 2 + 70), ackOf(n * MSS));
    }
    assertEquals(HyStartPlusPlus.Phase.CONSERVATIVE_SLOW_START, cubic.hystart().phase());
  }

  @Test
  @DisplayName(
      "RFC 9438 §4.6 on a Tcb: the third duplicate ACK retransmits segment 1; ssthresh = β·cwnd = 0.7·14600 = 10220 (NewReno: 7300), cwnd = ssthresh + 3·SMSS = 14600")
  void fastRetransmitReducesByBeta() {
    TcbHarness h = tenSegmentsInFlight(IW);
    for (int i = 0; i < 3; i++) {
      h.send(at(10 + i), ackOf(0));
    }
    h.expectSegment(segment(1));
    h.expectNothing();
    assertWindow(h, 14_600, 10_220);
    assertEquals(IW, cubic.wMaxBytes(), 1e-9);
    // RFC 6582 §3.2 step 3: the full ACK ends recovery: min(ssthresh, max(0, SMSS) + SMSS).
    h.send(at(50), ackOf(IW));
    assertWindow(h, 2 * MSS, 10_220);
  }

  @Test
  @DisplayName(
      "RFC 9438 §4.8 on a Tcb: the retransmission timeout sets ssthresh = β·cwnd = 10220 and cwnd = 1 SMSS; one segment goes")
  void timeoutReducesByBeta() {
    TcbHarness h = tenSegmentsInFlight(20_000);
    h.tick(at(200));
    h.expectSegment(segment(1));
    h.expectNothing();
    assertWindow(h, MSS, 10_220);
  }

  @Test
  @DisplayName(
      "RFC 9438 §4.2 eq. 2 on a Tcb: recovery ends with cwnd = ssthresh = 10220, and the next ACK (at 100 ms) starts the epoch at the block's clock with K = ∛((W_max − cwnd_epoch)/C) = ∛((14600 − 10220)/1460/0.4) = ∛7.5 s")
  void congestionAvoidanceEpochRunsOnTheBlockClock() {
    TcbHarness h = tenSegmentsInFlight(IW);
    for (int i = 0; i < 3; i++) {
      h.send(at(10 + i), ackOf(0));
    }
    h.write(pattern(IW, 15_400), false);
    for (int i = 0; i < 9; i++) { // duplicates 4–12 inflate cwnd and release segments 11–19
      h.send(at(13 + i), ackOf(0));
    }
    h.clear();
    h.send(at(50), ackOf(IW)); // full ACK, 13140 still in flight: cwnd = min(10220, 14600)
    assertWindow(h, 10_220, 10_220);
    assertTrue(!cubic.epochStarted());
    h.send(at(100), ackOf(IW + MSS));
    assertTrue(cubic.epochStarted());
    assertEquals(at(100), cubic.epochStartNanos());
    assertEquals(IW, cubic.wMaxBytes(), 1e-9);
    assertEquals(Math.cbrt(7.5), cubic.kSeconds(), 1e-12);
  }
}
