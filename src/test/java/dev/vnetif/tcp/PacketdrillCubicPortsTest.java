package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
import static dev.vnetif.tcp.TcbHarness.MS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_ISS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_SEQ;
import static dev.vnetif.tcp.TcbHarness.WINDOW;
import static dev.vnetif.tcp.TcbHarness.at;
import static dev.vnetif.tcp.TcbHarness.out;
import static dev.vnetif.tcp.TcbHarness.pattern;
import static dev.vnetif.tcp.TcbHarness.seg;
import static dev.vnetif.tcp.TcbHarness.tsValAt;
import static dev.vnetif.wire.TcpSegment.ACK;
import static dev.vnetif.wire.TcpSegment.PSH;
import static dev.vnetif.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.tcp.HyStartPlusPlus.Phase;
import dev.vnetif.tcp.TcbHarness.SegmentBuilder;
import dev.vnetif.wire.TcpSegment;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The scenarios of packetdrill's {@code gtests/net/tcp/cubic} directory, rewritten against our
 * {@link Tcb} with its {@link Cubic} and {@link HyStartPlusPlus}: the script's ACKs at the script's
 * times (packetdrill's time 0 is our {@code at(0)}, MSS 1000), and the window and segments our
 * sender answers with.
 *
 * <p>The scripts assert Linux's window figures. Linux runs CUBIC with the older HyStart, which
 * leaves slow start for congestion avoidance at once; we run HyStart++ (RFC 9406), which first
 * grows a quarter as fast for five rounds (Conservative Slow Start). Each test says where our
 * figures differ and why; where they agree (slow start, the 1.5·cwnd cap on growth per round trip,
 * the figures after a timeout), it checks the same figures.
 *
 * <p>The peer here sends the timestamps option, which the scripts' peer does not: Linux takes a
 * round-trip sample from every ACK by its own send times, and our sender takes one per ACK only
 * from the echoed TSval (RFC 7323 §4.1) — without timestamps it times one segment per round trip
 * (RFC 6298), too few samples for HyStart++ to see the delay rise (reported in issue 12). The
 * peer's MSS of 1012 keeps our payloads at 1000 bytes beside the option's 12.
 *
 * <p>{@code cubic-rack-reo-timeout-retrans-failed-incoming-data.pkt} is ported up to its full local
 * qdisc, which our stack has no counterpart of: our retransmission after the reorder timeout goes
 * out, where Linux's fails. {@code cubic-rto-ss-ca-cwnd-bump.pkt} keeps the script's tail loss
 * probe and timeout (RACK-TLP, RFC 8985 §7) but not its first exchange (see the test).
 */
class PacketdrillCubicPortsTest {
  private static final int MSS = 1000;

  /** The {@link Cubic} the block made, caught as its factory makes it. */
  private Cubic cubic;

  /** Our data segments' TSvals by sequence number: the peer echoes them (RFC 7323 §4.3). */
  private final TreeMap<Integer, Integer> sentTsVals = new TreeMap<>();

  private TcpConfig config(boolean timestamps, int sendBuffer) {
    return TcbHarness.config().toBuilder()
        .sendBufferSize(sendBuffer)
        .timestamps(timestamps)
        .sack(true)
        .congestionControl((smss, iw) -> cubic = new Cubic(smss, iw))
        .build();
  }

  /**
   * The scripts' passive open: the peer's SYN at 0 (SACK-permitted, window scale {@code scale}),
   * its ACK {@code rttMs} later with window 514; timestamps on both if asked.
   */
  private TcbHarness accepted(boolean timestamps, int sendBuffer, int scale, long rttMs) {
    SegmentBuilder syn =
        seg()
            .flags(SYN)
            .seq(REMOTE_ISS)
            .ack(0)
            .window(32_792)
            .mss(timestamps ? MSS + 12 : MSS)
            .sackOk()
            .windowScale(scale);
    SegmentBuilder ack = seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).window(514);
    if (timestamps) {
      syn.ts(1, 0);
      ack.ts(2, tsValAt(0));
    }
    TcbHarness h =
        TcbHarness.acceptedWith(config(timestamps, sendBuffer), at(0), syn, at(rttMs), ack);
    assertEquals(MSS, h.tcb.stats().sendMss());
    return h;
  }

  /** The peer's ACK of {@code bytes}, echoing the TSval of the first segment it acknowledges. */
  private SegmentBuilder ack(int bytes, int previouslyAcked, boolean timestamps) {
    SegmentBuilder ack = seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + bytes).window(514);
    if (timestamps) {
      ack.ts(3, sentTsVals.floorEntry(LOCAL_SEQ + previouslyAcked).getValue());
    }
    return ack;
  }

  /**
   * Takes our segments off the record, checking they are consecutive full segments from {@code
   * expectedSeq}; returns where the next one starts and notes their TSvals.
   */
  private int takeData(TcbHarness h, int expectedSeq) {
    for (TcpSegment s : h.drain()) {
      assertEquals(LOCAL_SEQ + expectedSeq, s.seq(), "next segment");
      assertEquals(MSS, s.payload().length());
      if (s.options().timestamps() != null) {
        sentTsVals.putIfAbsent(s.seq(), s.options().timestamps().value());
      }
      expectedSeq += MSS;
    }
    return expectedSeq;
  }

  private static void assertWindow(TcbHarness h, int cwnd, int ssthresh) {
    assertEquals(cwnd, h.tcb.stats().cwnd(), "cwnd");
    assertEquals(ssthresh, h.tcb.stats().ssthresh(), "ssthresh");
  }

  // ------------------------------------------------------------------ 166 kbit/s bulk

  /**
   * The bulk scripts' ACK clock, two segments acknowledged every 100 ms, the first at 200 ms: the
   * ACKs of {@code firstAckedTo} up to {@code lastAckedTo} bytes, each at its time. Returns where
   * our next segment starts.
   */
  private int bulkUntil(TcbHarness h, int firstAckedTo, int lastAckedTo, int nextSeq) {
    for (int acked = firstAckedTo; acked <= lastAckedTo; acked += 2 * MSS) {
      h.send(at(100 + 50L * acked / MSS), ack(acked, acked - 2 * MSS, true));
      nextSeq = takeData(h, nextSeq);
    }
    return nextSeq;
  }

  @Test
  @DisplayName(
      "packetdrill cubic/cubic-bulk-166k.pkt (with timestamps): slow start to 20 and 30 segments as Linux; HyStart++ sees the queue and grows a quarter as fast for five rounds; then CUBIC grows one segment per two acknowledged, as Linux's last phase")
  void bulk166k() {
    TcbHarness h = accepted(true, 600_000, 10, 100);
    h.write(pattern(0, 600_000), false);
    int next = takeData(h, 0);
    assertEquals(10 * MSS, next, "the initial window");

    // Slow start: each ACK of two segments grows cwnd by two (RFC 9406: min(N, L·SMSS)).
    next = bulkUntil(h, 2 * MSS, 10 * MSS, next);
    assertWindow(h, 20 * MSS, Integer.MAX_VALUE);
    next = bulkUntil(h, 12 * MSS, 20 * MSS, next);
    assertWindow(h, 30 * MSS, Integer.MAX_VALUE);

    // The first round (ACKs up to 8001) measured at least 100 ms; the second sees 500 ms and
    // more, the queue the window builds at 166 kbit/s. At its 8th sample (ACK 24001) the rise
    // exceeds RttThresh = max(4, min(100/8, 16)) = 12.5 ms: Conservative Slow Start (RFC 9406
    // §4.2). Linux's HyStart leaves slow start later, at 48 segments, for congestion avoidance.
    next = bulkUntil(h, 22 * MSS, 22 * MSS, next);
    assertEquals(Phase.SLOW_START, cubic.hystart().phase());
    next = bulkUntil(h, 24 * MSS, 24 * MSS, next);
    assertEquals(Phase.CONSERVATIVE_SLOW_START, cubic.hystart().phase());
    assertWindow(h, 34 * MSS, Integer.MAX_VALUE);

    // In CSS an ACK of two segments grows cwnd by half a segment; ssthresh stays unset until
    // CSS_ROUNDS = 5 rounds are over, 92 ACKs later at 210001: ssthresh = cwnd = 80 segments.
    for (int acked = 26 * MSS; acked <= 208 * MSS; acked += 2 * MSS) {
      int before = h.tcb.stats().cwnd();
      next = bulkUntil(h, acked, acked, next);
      assertEquals(before + MSS / 2, h.tcb.stats().cwnd(), "CSS growth at " + acked);
      assertEquals(Integer.MAX_VALUE, h.tcb.stats().ssthresh());
    }
    assertWindow(h, 80 * MSS, Integer.MAX_VALUE);
    next = bulkUntil(h, 210 * MSS, 210 * MSS, next);
    assertEquals(Phase.DONE, cubic.hystart().phase());
    assertEquals(80 * MSS, h.tcb.stats().ssthresh());
    assertTrue(cubic.epochStarted(), "congestion avoidance: a CUBIC epoch");

    // Congestion avoidance: never more than one segment per two acknowledged (the target is at
    // most 1.5·cwnd a round trip ahead, RFC 9438 §4.2 — Linux's cap too). From ACK 242001 on the
    // cap is what binds: exactly one segment per ACK of two, Linux's "+10 per 20 ACKs".
    for (int acked = 212 * MSS; acked <= 400 * MSS; acked += 2 * MSS) {
      int before = h.tcb.stats().cwnd();
      next = bulkUntil(h, acked, acked, next);
      int growth = h.tcb.stats().cwnd() - before;
      assertTrue(growth >= 0 && growth <= MSS, "growth " + growth + " at " + acked);
      if (acked >= 242 * MSS) {
        assertEquals(MSS, growth, "at " + acked);
      }
      // Every ACK lets the whole window out: the flow is cwnd-limited, as the script's.
      assertEquals(h.tcb.stats().cwnd() / MSS * MSS, h.tcb.stats().bytesInFlight());
    }
    assertEquals(166_094, h.tcb.stats().cwnd());
  }

  @Test
  @DisplayName(
      "packetdrill cubic/cubic-bulk-166k-idle-restart.pkt (with timestamps, idle in congestion avoidance): after 4 s idle cwnd restarts at the initial window and the CUBIC epoch moves by the idle time, so the curve earns nothing while idle")
  void bulk166kIdleRestart() {
    TcbHarness h = accepted(true, 600_000, 10, 100);
    // The script writes 40000 bytes, which Linux's HyStart has left slow start for; ours leaves
    // CSS for congestion avoidance at ACK 210001 (see bulk166k), so the first write is 300000:
    // its last segment goes out in congestion avoidance, at ACK 220001 (11.1 s).
    h.write(pattern(0, 300_000), false);
    int next = takeData(h, 0);
    long lastSendMs = 0;
    for (int acked = 2 * MSS; acked <= 300 * MSS; acked += 2 * MSS) {
      int before = next;
      next = bulkUntil(h, acked, acked, next);
      if (next != before) {
        lastSendMs = 100 + 50L * acked / MSS;
      }
    }
    assertEquals(300 * MSS, next);
    assertEquals(11_100, lastSendMs);
    assertEquals(0, h.tcb.stats().bytesInFlight());
    assertEquals(at(10_600), cubic.epochStartNanos(), "the epoch began at ACK 210001");
    int ssthresh = h.tcb.stats().ssthresh();

    // 4 s after the last ACK the application writes again (the script: "+4 write").
    long resumeMs = 100 + 50L * 300 + 4000;
    h.now = at(resumeMs);
    h.write(pattern(300_000, 160_000), false);
    // RFC 5681 §4.1: nothing sent for longer than the RTO, so cwnd restarts at min(cwnd, IW).
    // Linux runs the script with tcp_slow_start_after_idle=0 and keeps its window; we have no
    // such switch.
    assertWindow(h, 10 * MSS, ssthresh);
    assertEquals(310 * MSS, takeData(h, 300 * MSS), "the restart window: 10 segments");
    // The curve's clock skips the 8 s since the last segment went out: t = now − epoch start is
    // the 0.5 s the epoch had run before it, as if the flow had never paused.
    assertEquals(at(10_600 + (resumeMs - lastSendMs)), cubic.epochStartNanos());
    assertEquals(500 * MS, h.now - cubic.epochStartNanos());
  }

  // ------------------------------------------------------------------ HyStart delay

  /**
   * The HyStart scripts' start: handshake RTT 200 ms, {@code written} bytes, the initial window
   * acknowledged at 400 ms, which doubles cwnd to 20 segments and sends the rest. The script's peer
   * acknowledges the ten segments with one ACK; here two ACKs of five arrive together, since
   * HyStart++ grows cwnd by at most L = 8 segments per ACK (RFC 9406 §4.3: 18 segments after one
   * ACK, where Linux has 20) and the scripts need Linux's 20.
   */
  private TcbHarness afterFirstRound(int written) {
    TcbHarness h = accepted(true, 200_000, 7, 200);
    h.write(pattern(0, written), false);
    assertEquals(10 * MSS, takeData(h, 0));
    h.sendTogether(at(400), ack(5 * MSS, 0, true), ack(10 * MSS, 5 * MSS, true));
    assertWindow(h, 20 * MSS, Integer.MAX_VALUE);
    return h;
  }

  @Test
  @DisplayName(
      "packetdrill cubic/cubic-hystart-delay-rtt-jumps-upward.pkt: eight ACKs 240 ms after their segments (the first round: 200 ms) leave slow start at cwnd 36 as Linux — for Conservative Slow Start, where Linux sets ssthresh = 36")
  void hystartDelayRttJumpsUpward() {
    TcbHarness h = afterFirstRound(30 * MSS);
    assertEquals(30 * MSS, takeData(h, 10 * MSS));
    int acked = 10 * MSS;
    for (int i = 1; i <= 8; i++) {
      acked += 2 * MSS;
      h.send(at(639 + i), ack(acked, acked - 2 * MSS, true));
      // RttThresh = max(4, min(200/8, 16)) = 16 ms: 240 ms is a rise, seen at the 8th sample.
      assertEquals(
          i < 8 ? Phase.SLOW_START : Phase.CONSERVATIVE_SLOW_START, cubic.hystart().phase());
      assertWindow(h, (20 + 2 * i) * MSS, Integer.MAX_VALUE);
    }
    // Linux: ssthresh = cwnd = 36 and no more growth. HyStart++: ssthresh stays unset through
    // CSS_ROUNDS rounds, cwnd growing by a quarter of slow start's.
    h.send(at(648), ack(28 * MSS, 26 * MSS, true));
    assertWindow(h, 36 * MSS + MSS / 2, Integer.MAX_VALUE);
    h.send(at(649), ack(30 * MSS, 28 * MSS, true));
    assertWindow(h, 37 * MSS, Integer.MAX_VALUE);
    h.expectNothing(); // all 30000 bytes are out
  }

  @Test
  @DisplayName(
      "packetdrill cubic/cubic-hystart-delay-min-rtt-jumps-downward.pkt: RTT samples 200–208 ms, then a 29 ms one, never leave slow start; cwnd 40 segments, ssthresh unset, as Linux")
  void hystartDelayMinRttJumpsDownward() {
    TcbHarness h = afterFirstRound(28 * MSS);
    assertEquals(28 * MSS, takeData(h, 10 * MSS));
    // A small write 180 ms later goes out at once: 18 segments in flight under a cwnd of 20.
    h.now = at(580);
    h.write(pattern(28 * MSS, 2 * MSS), false);
    assertEquals(30 * MSS, takeData(h, 28 * MSS));
    // Nine ACKs of the segments sent at 400 ms, 200 to 208 ms after, then the ACK of the small
    // write 29 ms after it: none is 16 ms above the first round's 200 ms.
    int acked = 10 * MSS;
    for (int i = 0; i < 10; i++) {
      acked += 2 * MSS;
      h.send(at(600 + i), ack(acked, acked - 2 * MSS, true));
      assertEquals(Phase.SLOW_START, cubic.hystart().phase(), "ACK " + (acked + 1));
      assertWindow(h, (22 + 2 * i) * MSS, Integer.MAX_VALUE);
    }
    assertEquals(29 * MS, cubic.hystart().currentRoundMinRttNanos());
    assertEquals(0, h.tcb.stats().bytesInFlight());
  }

  // ------------------------------------------------------------------ after a timeout

  private static SegmentBuilder data(int seq) {
    return out().seq(LOCAL_SEQ + seq).ack(REMOTE_SEQ).payload(pattern(seq, MSS));
  }

  private static SegmentBuilder ackOf(int bytes) {
    return seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + bytes).window(514);
  }

  @Test
  @DisplayName(
      "packetdrill cubic/cubic-rto-ss-ca-cwnd-bump.pkt (adapted): a tail loss probe at 400 ms, then the timeout at 700 ms sets cwnd 1, ssthresh 7 as Linux; slow start to 7 segments, two segments per ACK as Linux; then W_est grows by α ≈ 0.53 segment per window and cwnd reaches 8 segments at the 15th ACK (Linux: the 16th)")
  void rtoThenSlowStartThenCongestionAvoidance() {
    // The script first sends one segment and has it acknowledged, for a second RTT sample, with
    // cwnd staying at 10 ("not cwnd-limited"). Our window grows on that ACK though only one
    // segment was in flight (RFC 9438 §5.8 says CUBIC does not; reported in issue 12), which
    // would make ssthresh 7.7 segments below — so the port leaves that exchange out. The RTO
    // then comes from the handshake's sample alone: 100 + 4 · 50 = 300 ms (RFC 6298 §2.3).
    TcbHarness h = accepted(false, 200_000, 7, 100);
    h.write(pattern(0, MSS), false);
    h.expectSegment(data(0).flags(ACK | PSH));
    // As Linux, a tail loss probe first (RFC 8985 §7.2): PTO = 2·SRTT + 200 ms for a lone
    // segment, capped at the RTO still to run, 300 ms — the probe goes at 400 ms and leaves the
    // window alone. The RTO restarts with it (§7.3) and fires 300 ms later, as the script's
    // second retransmission.
    h.tick(at(399));
    h.expectNothing();
    h.tick(at(400));
    h.expectSegment(data(0).flags(ACK | PSH));
    assertEquals(1, h.tcb.stats().tailLossProbes());
    assertWindow(h, 10 * MSS, Integer.MAX_VALUE);
    h.tick(at(699));
    h.expectNothing();
    h.tick(at(700));
    h.expectSegment(data(0).flags(ACK | PSH));
    assertEquals(1, h.tcb.stats().timeouts());
    assertWindow(h, MSS, 7 * MSS); // RFC 9438 §4.8: ssthresh = 0.7 · 10 segments, cwnd 1

    // The ACK of the retransmission: slow start, 2 segments (RFC 5681: one SMSS per ACK).
    h.send(at(800), ackOf(MSS));
    assertWindow(h, 2 * MSS, 7 * MSS);
    h.write(pattern(MSS, 200_000), false);
    int next = MSS;
    // Each ACK of one segment grows cwnd by one and lets two go (Linux: one of 2000 bytes).
    long[] slowStartAcks = {900, 902, 1000, 1002, 1004};
    for (int i = 0; i < slowStartAcks.length; i++) {
      assertEquals(next + 2 * MSS, expectData(h, next));
      next += 2 * MSS;
      h.send(at(slowStartAcks[i]), ackOf((2 + i) * MSS));
      assertWindow(h, (3 + i) * MSS, 7 * MSS);
    }
    assertEquals(next + 2 * MSS, expectData(h, next)); // cwnd 7, as Linux
    next += 2 * MSS;

    // Congestion avoidance: W_cubic starts at its plateau (K = 0, W_max = 7 segments, RFC 9438
    // §4.8) and stays within a few bytes of it for the second this takes; W_est, Reno's window,
    // gains α_cubic = 3(1 − β)/(1 + β) ≈ 0.529 segment per window acknowledged (§4.3), about 75
    // bytes per ACK, and cwnd follows it: one segment per ACK until cwnd reaches 8 segments at
    // the 15th ACK, which lets two go (Linux's +1 comes with the 16th).
    long[] times = {
      1006, 1104, 1106, 1108, 1110, 1112, 1114, 1116, 1214, 1216, 1218, 1220, 1222, 1224, 1322
    };
    for (int i = 0; i < times.length; i++) {
      h.send(at(times[i]), ackOf((7 + i) * MSS));
      boolean last = i == times.length - 1;
      int segments = last ? 2 : 1;
      assertEquals(next + segments * MSS, expectData(h, next), "ACK " + ((7 + i) * MSS + 1));
      next += segments * MSS;
      assertEquals(last ? 8 : 7, h.tcb.stats().cwnd() / MSS);
    }
    assertEquals(7 * MSS, h.tcb.stats().ssthresh());
  }

  /** Takes our data segments off the record from {@code seq}; returns where the next starts. */
  private static int expectData(TcbHarness h, int seq) {
    for (TcpSegment s : h.drain()) {
      assertEquals(data(seq).build(), s);
      seq += MSS;
    }
    return seq;
  }

  // ------------------------------------------------------------------ RACK reorder timeout

  /** The peer's pure ACK of the reo-timeout script: window 320 (scaled by 2^7), SACK edges. */
  private static SegmentBuilder reoAck(int ackedBytes, int... sackEdges) {
    SegmentBuilder ack = seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + ackedBytes).window(320);
    if (sackEdges.length > 0) {
      int[] edges = new int[sackEdges.length];
      for (int i = 0; i < edges.length; i++) {
        edges[i] = LOCAL_SEQ + sackEdges[i];
      }
      ack.sack(edges);
    }
    return ack;
  }

  @Test
  @DisplayName(
      "packetdrill cubic/cubic-rack-reo-timeout-retrans-failed-incoming-data.pkt: SACKs out of order then a full ACK (reordering seen); later a SACK for the last of two segments arms RACK's reorder timer for RTT + min_RTT/4 = 25 ms after their send, which deems the first lost and resends it (Linux's resend fails in its full qdisc); data from the peer during recovery, acknowledging nothing, is taken and ACKed")
  void rackReorderTimeoutThenIncomingData() {
    TcbHarness h =
        TcbHarness.acceptedWith(
            config(false, 64 * 1024),
            at(0),
            seg().flags(SYN).seq(REMOTE_ISS).ack(0).window(32_792).mss(MSS).sackOk().windowScale(7),
            at(20),
            reoAck(0));
    h.write(pattern(0, 10 * MSS), false);
    for (int n = 0; n < 10; n++) {
      h.expectSegment(
          out()
              .flags(n == 9 ? ACK | PSH : ACK)
              .seq(LOCAL_SEQ + n * MSS)
              .ack(REMOTE_SEQ)
              .payload(pattern(n * MSS, MSS)));
    }
    h.expectNothing();

    // Short-time-scale reordering: the last segment SACKed first. RFC 8985 §6.2: RACK.rtt = 20 ms
    // (all ten went at 20 ms), min_RTT/4 = 5 ms of reorder window (one segment SACKed, none seen
    // reordered yet), so the other nine would be lost at 20 + 20 + 5 = 45 ms.
    h.send(at(40), reoAck(0, 9 * MSS, 10 * MSS));
    assertEquals(at(45), h.tcb.timers().deadline(TcbTimers.Kind.REORDER));
    h.send(at(40), reoAck(0, 3 * MSS, 4 * MSS, 9 * MSS, 10 * MSS));
    h.expectNothing(); // two SACKed: below DupThresh, the window stays
    // The full ACK: no loss after all, the timer goes; slow start grows cwnd by at most L = 8
    // segments for the ten acknowledged (RFC 9406 §4.2 without pacing; Linux: 19).
    h.send(at(40), reoAck(10 * MSS));
    h.expectNothing();
    assertFalse(h.tcb.timers().isArmed(TcbTimers.Kind.REORDER));
    assertEquals(18 * MSS, h.tcb.stats().cwnd());
    assertEquals(0, h.tcb.stats().bytesInFlight());

    h.now = at(65);
    h.write(pattern(10 * MSS, 2 * MSS), false);
    h.expectSegment(
        out().seq(LOCAL_SEQ + 10 * MSS).ack(REMOTE_SEQ).payload(pattern(10 * MSS, MSS)));
    h.expectSegment(
        out()
            .flags(ACK | PSH)
            .seq(LOCAL_SEQ + 11 * MSS)
            .ack(REMOTE_SEQ)
            .payload(pattern(11 * MSS, MSS)));
    h.expectNothing();

    // The SACK for the second: Linux's Disorder state; RACK waits until 65 + 20 + 5 = 90 ms.
    h.send(at(85), reoAck(10 * MSS, 11 * MSS, 12 * MSS));
    h.expectNothing();
    assertEquals(at(90), h.tcb.timers().deadline(TcbTimers.Kind.REORDER));
    h.tick(at(89));
    h.expectNothing();
    // The reorder timer fires: the first is lost (RFC 8985 §6.3), recovery begins with ssthresh =
    // 0.7 · 18000 and the hole is resent — where Linux's retransmission fails in its full qdisc
    // (tcpi_retrans 0) and leaves it waiting.
    h.tick(at(90));
    h.expectSegment(
        out().seq(LOCAL_SEQ + 10 * MSS).ack(REMOTE_SEQ).payload(pattern(10 * MSS, MSS)));
    h.expectNothing();
    assertEquals(1, h.tcb.stats().fastRetransmits());
    assertEquals(12_600, h.tcb.stats().ssthresh());

    // "Look out!": in recovery, a segment that acknowledges nothing new but carries data. It is
    // not a duplicate ACK (RFC 5681 §2: no data), enters no recovery arithmetic and is simply
    // received: our delayed ACK (RFC 1122 §4.2.3.2) answers 40 ms later.
    h.send(at(115), reoAck(10 * MSS, 11 * MSS, 12 * MSS).payload(pattern(0, 1000)));
    h.expectNothing();
    assertEquals(1, h.tcb.stats().fastRetransmits());
    assertEquals(1, h.tcb.stats().retransmittedSegments());
    h.tick(at(155));
    h.expectSegment(out().seq(LOCAL_SEQ + 12 * MSS).ack(REMOTE_SEQ + 1000).window(WINDOW - 1000));
    h.expectNothing();
    assertEquals(1000, h.tcb.stats().bytesReceived());

    // Not in the script: the resent segment's ACK ends recovery with cwnd = ssthresh (RFC 6675).
    h.send(at(160), seg().seq(REMOTE_SEQ + 1000).ack(LOCAL_SEQ + 12 * MSS).window(320));
    h.expectNothing();
    assertEquals(12_600, h.tcb.stats().cwnd());
    assertEquals(0, h.tcb.stats().bytesInFlight());
    assertEquals(0, h.tcb.stats().timeouts());
  }
}
