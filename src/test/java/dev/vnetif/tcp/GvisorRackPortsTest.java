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
import static dev.vnetif.wire.TcpSegment.PSH;
import static dev.vnetif.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.tcp.TcbHarness.SegmentBuilder;
import dev.vnetif.tcp.TcbTimers.Kind;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The scenarios of gVisor's {@code pkg/tcpip/transport/tcp/test/e2e/tcp_rack_test.go}, rewritten
 * against our {@link Tcb} with RACK-TLP (RFC 8985), our default loss detection with SACK: all 18.
 * gVisor sends 10-byte segments after an 800 ms handshake and checks its RACK state and stat
 * counters through a probe; here our SYN goes at 0 ms and the SYN-ACK (SACK-permitted) comes at 100
 * ms, so SRTT is 100 ms, the RTO 300 ms (RFC 6298) and RACK's min_RTT 100 ms from the start, the
 * segments carry a full MSS and go at 100 ms, and each test asserts the exact segments at explicit
 * times and our {@link TcbStats}; the state tests read RACK's variables through the package-private
 * {@link Tcb#rackView()}. NewReno and no timestamps, so sizes and windows are exact.
 *
 * <p>Where the ports differ from gVisor, and why:
 *
 * <ul>
 *   <li>{@code TestRACKDetectReorder} is skipped in gVisor itself: its reorder detection does not
 *       consider D-SACK. Ours detects reordering by RFC 8985 §6.2 step 3 (a never-resent segment
 *       delivered below RACK.fack) and widens the reorder window on a D-SACK (step 4), so the port
 *       runs, with a D-SACK step of its own added at the end. gVisor's RACK.fack check is made on
 *       RACK.end_seq, which is SND.NXT at both points.
 *   <li>{@code TestRACKCheckReorderWindow}: gVisor's ReoWndIncr is our reo_wnd_mult (1 when no
 *       D-SACK widened the window), its ReoWndPersist our reo_wnd_persist (0).
 *   <li>{@code TestRACKWithWindowFull}, in gVisor's order (the first ACK after the probe), but more
 *       goes at once: our recovery sends what the pipe allows under ssthresh (RFC 6675 §5), four
 *       segments where gVisor sends one, then one per ACK. The probe's delivery is unambiguous (RFC
 *       8985 §6.2 step 2) because our {@link Rack}'s min_RTT starts from the handshake's sample, as
 *       Linux's does. The last step, an ACK closing the window, is ported too: SACK recovery
 *       resends only within the peer's window (RFC 9293 §3.8.6 SHLD-16), so nothing goes, as in
 *       gVisor.
 *   <li>gVisor's stat counters without a counterpart: SACKRecovery, TLPRecovery and
 *       SegmentsAckedWithDSACK; we assert fastRetransmits, retransmittedSegments, tailLossProbes,
 *       timeouts and dsacksReceived instead.
 * </ul>
 */
class GvisorRackPortsTest {
  private static TcbHarness sentAt100(int segments) {
    TcpConfig config =
        TcbHarness.config().toBuilder()
            .sack(true)
            .congestionControl(CongestionControlFactory.NEW_RENO)
            .build();
    TcbHarness h = TcbHarness.synSent(config);
    h.send(at(100), seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS).sackOk());
    h.clear();
    h.write(pattern(0, segments * MSS), false);
    for (int n = 0; n < segments; n++) {
      h.expectSegment(segment(n, segments));
    }
    h.expectNothing();
    return h;
  }

  /** Our segment {@code n} (from 0) of {@code of}; the last carries PSH. */
  private static SegmentBuilder segment(int n, int of) {
    return out()
        .seq(LOCAL_SEQ + n * MSS)
        .ack(REMOTE_SEQ)
        .flags(n == of - 1 ? ACK | PSH : ACK)
        .payload(pattern(n * MSS, MSS));
  }

  /** The peer's ACK of segments below {@code n}, with blocks given as segment-number pairs. */
  private static SegmentBuilder ack(int n, int... blockSegments) {
    SegmentBuilder a = seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + n * MSS);
    if (blockSegments.length == 0) {
      return a;
    }
    int[] edges = new int[blockSegments.length];
    for (int i = 0; i < edges.length; i++) {
      edges[i] = LOCAL_SEQ + blockSegments[i] * MSS;
    }
    return a.sack(edges);
  }

  /** Nothing goes out before {@code ms}; then the timers due at {@code ms} fire. */
  private static void quietUntil(TcbHarness h, long ms) {
    h.tick(at(ms) - 1);
    h.expectNothing();
    h.tick(at(ms));
  }

  private static void assertStats(
      TcbHarness h, int fastRetransmits, int retransmitted, int probes, int timeouts) {
    TcbStats s = h.tcb.stats();
    assertEquals(fastRetransmits, s.fastRetransmits(), "fastRetransmits");
    assertEquals(retransmitted, s.retransmittedSegments(), "retransmittedSegments");
    assertEquals(probes, s.tailLossProbes(), "tailLossProbes");
    assertEquals(timeouts, s.timeouts(), "timeouts");
  }

  @Test
  @DisplayName(
      "gVisor tcp_rack_test.go TestRACKTLPRecovery: 6–8 lost; the tail loss probe resends 8 at 2·SRTT; its SACK makes RACK deem 6 and 7 lost, resent at once; no timeout")
  void tlpRecovery() {
    TcbHarness h = sentAt100(8);
    h.send(at(200), ack(5));
    // RFC 8985 §7.2: PTO = 2·SRTT = 200 ms after the ACK that advanced SND.UNA, before the RTO.
    assertEquals(at(400), h.tcb.timers().deadline(Kind.PROBE));
    quietUntil(h, 400);
    h.expectSegment(segment(7, 8)); // §7.3: no new data, so the last segment again
    h.expectNothing();
    // The probe's SACK, one RTT later: 7's copy (sent at 400 ms) was delivered, and 5 and 6,
    // sent before it at 100 ms, are lost at once (RFC 8985 §6.2: 100 + RTT 100 + window 25 ms
    // is long past).
    h.send(at(500), ack(5, 7, 8));
    h.expectSegment(segment(5, 8));
    h.expectSegment(segment(6, 8));
    h.expectNothing();
    h.send(at(600), ack(8));
    h.expectNothing();
    assertStats(h, 1, 3, 1, 0); // as gVisor: one fast retransmit, 3 retransmissions, no RTO
    // Recovery ends with cwnd = ssthresh = FlightSize (3 segments) / 2, at least 2 SMSS.
    assertEquals(2 * MSS, h.tcb.stats().ssthresh());
    assertEquals(2 * MSS, h.tcb.stats().cwnd());
  }

  @Test
  @DisplayName(
      "gVisor tcp_rack_test.go TestRACKTLPFallbackRTO: the probe goes unanswered; the RTO, restarted by the probe, resends 6 (the first unacknowledged) with cwnd 1; no fast retransmit")
  void tlpFallbackRto() {
    TcbHarness h = sentAt100(8);
    h.send(at(200), ack(5));
    quietUntil(h, 400);
    h.expectSegment(segment(7, 8));
    // §7.3: the RTO runs a full RTO from the probe: 250 ms, the ACK's sample of 100 ms having
    // brought RTTVAR to 37.5 ms (RFC 6298 §2.3).
    assertEquals(at(650), h.tcb.timers().deadline(Kind.RETRANSMIT));
    quietUntil(h, 650);
    h.expectSegment(segment(5, 8));
    h.expectNothing();
    assertStats(h, 0, 2, 1, 1);
    assertEquals(MSS, h.tcb.stats().cwnd());
    assertFalse(h.tcb.timers().isArmed(Kind.PROBE)); // §7.2: no probe in RTO recovery
  }

  @Test
  @DisplayName(
      "gVisor tcp_rack_test.go TestNoTLPRecoveryOnDSACK: the probe's copy of 8 is reported as a duplicate (D-SACK) with everything acknowledged: nothing was lost, no recovery, no window cut, nothing more sent")
  void noTlpRecoveryOnDsack() {
    TcbHarness h = sentAt100(8);
    h.send(at(200), ack(5));
    quietUntil(h, 400);
    h.expectSegment(segment(7, 8));
    int cwnd = h.tcb.stats().cwnd();
    h.send(at(450), ack(8, 7, 8)); // RFC 2883: the block lies below the cumulative ACK
    h.tick(at(2000));
    h.expectNothing();
    assertStats(h, 0, 1, 1, 0);
    assertEquals(1, h.tcb.stats().dsacksReceived());
    // RFC 8985 §7.4.2: a probe found needless leaves congestion control alone; the ACK of three
    // segments grows cwnd in slow start as any other would.
    assertEquals(cwnd + MSS, h.tcb.stats().cwnd());
    assertEquals(Integer.MAX_VALUE, h.tcb.stats().ssthresh());
  }

  @Test
  @DisplayName(
      "gVisor tcp_rack_test.go TestNoTLPOnSACK: with a segment SACKed no probe is armed; RACK's reorder timer resends 6 at RTT + min_RTT/4")
  void noTlpOnSack() {
    TcbHarness h = sentAt100(8);
    h.send(at(200), ack(5, 6, 7));
    assertFalse(h.tcb.timers().isArmed(Kind.PROBE)); // RFC 8985 §7.2
    assertEquals(at(225), h.tcb.timers().deadline(Kind.REORDER));
    quietUntil(h, 225);
    // 5 is lost; 7, sent after 6, has no verdict yet. The pipe (7 and the retransmission) is
    // under ssthresh, but nothing else is lost.
    h.expectSegment(segment(5, 8));
    h.expectNothing();
    assertStats(h, 1, 1, 0, 0);
  }

  @Test
  @DisplayName(
      "gVisor tcp_rack_test.go TestRACKOnePacketTailLoss: three sent, two acknowledged; the probe (2·SRTT + 200 ms for a lone segment, capped by the RTO) resends 3, whose ACK ends it without a timeout")
  void onePacketTailLoss() {
    TcbHarness h = sentAt100(3);
    h.send(at(200), ack(2));
    // RFC 8985 §7.2: 2·100 + 200 ms (WCDelAckT, one segment in flight) = 400 ms, but the RTO
    // the ACK restarted (250 ms: RFC 6298 §2.3 with the sample of 100 ms) fires first: the
    // probe takes its deadline, 450 ms.
    assertEquals(at(450), h.tcb.timers().deadline(Kind.PROBE));
    assertEquals(at(450), h.tcb.timers().deadline(Kind.RETRANSMIT));
    quietUntil(h, 450);
    h.expectSegment(segment(2, 3)); // the probe, not a timeout: the RTO restarts with it
    h.expectNothing();
    h.send(at(550), ack(3));
    h.tick(at(5000));
    h.expectNothing();
    assertStats(h, 0, 1, 1, 0);
  }

  @Test
  @DisplayName(
      "gVisor tcp_rack_test.go TestRACKDetectDSACK: 6 and 7 lost behind a SACKed 8 are resent by the reorder timer; the ACK of all with a D-SACK for 6 counts one D-SACK")
  void detectDsack() {
    TcbHarness h = sentAt100(8);
    h.send(at(200), ack(5, 7, 8));
    h.expectNothing();
    assertEquals(0, h.tcb.stats().dsacksReceived());
    quietUntil(h, 225);
    h.expectSegment(segment(5, 8));
    h.expectSegment(segment(6, 8));
    h.expectNothing();
    h.send(at(330), ack(8, 5, 6));
    h.expectNothing();
    assertEquals(1, h.tcb.stats().dsacksReceived());
    assertStats(h, 1, 2, 0, 0);
  }

  @Test
  @DisplayName(
      "gVisor tcp_rack_test.go TestRACKDetectDSACKWithOutOfOrder: a D-SACK for 6 beside a SACK for 9 counts one D-SACK; the delivered retransmission of 6, sent at 225 ms, makes RACK deem 8 and 10 lost")
  void detectDsackWithOutOfOrder() {
    TcbHarness h = sentAt100(10);
    h.send(at(200), ack(5, 6, 7));
    quietUntil(h, 225);
    h.expectSegment(segment(5, 10));
    h.expectNothing();
    h.send(at(330), ack(7, 5, 6, 8, 9));
    assertEquals(1, h.tcb.stats().dsacksReceived());
    // RFC 8985 §6.2: 6's copy was sent at 225 ms and its RTT (105 ms) is not below min_RTT, so
    // it is the newest delivered segment; 7 and 9 went at 100 ms and are not SACKed. The D-SACK
    // widens the window to 2 · min_RTT/4 = 50 ms (step 4): 100 + 105 + 50 < 330, lost.
    h.expectSegment(segment(7, 10));
    h.expectSegment(segment(9, 10));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "gVisor tcp_rack_test.go TestRACKDetectDSACKWithOutOfOrderDup: only the fourth ACK, whose first block (8) lies inside the second (7–8), is a D-SACK (RFC 2883 §4.1.3)")
  void detectDsackWithOutOfOrderDup() {
    TcbHarness h = sentAt100(10);
    h.send(at(200), ack(5));
    h.send(at(201), ack(5, 6, 7));
    h.send(at(202), ack(5, 6, 8));
    assertEquals(0, h.tcb.stats().dsacksReceived());
    h.send(at(203), ack(5, 7, 8, 6, 8));
    assertEquals(1, h.tcb.stats().dsacksReceived());
    h.expectNothing(); // 5's time is not yet up: RACK's reorder timer waits
    assertEquals(0, h.tcb.stats().retransmittedSegments());
  }

  @Test
  @DisplayName(
      "gVisor tcp_rack_test.go TestRACKDetectDSACKSingleDup: 2 and 3 lost behind a SACKed 4 are resent by the reorder timer; a D-SACK for half of 3 after the ACK of all counts one D-SACK (RFC 2883 §4.2.1)")
  void detectDsackSingleDup() {
    TcbHarness h = sentAt100(4);
    h.send(at(200), ack(1));
    h.send(at(201), ack(1, 3, 4));
    quietUntil(h, 226); // RACK.rtt 101 ms + 25 ms
    h.expectSegment(segment(1, 4));
    h.expectSegment(segment(2, 4));
    h.expectNothing();
    h.send(at(300), ack(2, 3, 4));
    assertEquals(0, h.tcb.stats().dsacksReceived());
    h.send(at(301), ack(4).sack(LOCAL_SEQ + 2 * MSS, LOCAL_SEQ + 2 * MSS + MSS / 2));
    assertEquals(1, h.tcb.stats().dsacksReceived());
    h.expectNothing();
    assertStats(h, 1, 2, 0, 0);
  }

  @Test
  @DisplayName(
      "gVisor tcp_rack_test.go TestRACKWithInvalidDSACKBlock: a block below the cumulative ACK that is not the first block is no D-SACK (RFC 2883 §4)")
  void invalidDsackBlock() {
    TcbHarness h = sentAt100(10);
    h.send(at(200), ack(5, 6, 7));
    quietUntil(h, 225);
    h.expectSegment(segment(5, 10));
    h.send(at(330), ack(7, 8, 9, 5, 6));
    assertEquals(0, h.tcb.stats().dsacksReceived());
  }

  @Test
  @DisplayName(
      "gVisor tcp_rack_test.go TestRACKWithDuplicateACK: three duplicate ACKs SACKing 2, 3, 4: DupThresh SACKed zeroes the reorder window and 1 is resent at once")
  void withDuplicateAck() {
    TcbHarness h = sentAt100(4);
    h.send(at(200), ack(0, 1, 2));
    h.send(at(200), ack(0, 1, 3));
    h.expectNothing();
    h.send(at(200), ack(0, 1, 4));
    h.expectSegment(segment(0, 4));
    h.expectNothing();
    assertStats(h, 1, 1, 0, 0);
  }

  @Test
  @DisplayName(
      "gVisor tcp_rack_test.go TestRACKDetectDSACKDupWithCumulativeACK: 1–4 lost behind a SACKed 5; the delayed originals of 1 and 3 arrive, then a cumulative ACK through 3 whose first block, half of 1, is the only D-SACK (RFC 2883 §4.2.2)")
  void detectDsackDupWithCumulativeAck() {
    // gVisor numbers its packets from 1: its #2 is our 1, and so on.
    TcbHarness h = sentAt100(6);
    h.send(at(200), ack(1));
    h.send(at(201), ack(1, 5, 6));
    assertEquals(at(226), h.tcb.timers().deadline(Kind.REORDER)); // 100 + RACK.rtt 101 + 25
    quietUntil(h, 226);
    // 1–4 are lost; ssthresh = FlightSize (5 segments) / 2 = 3650 bytes, so the pipe lets 1 and 2
    // go (gVisor checks only that 1 goes).
    h.expectSegment(segment(1, 6));
    h.expectSegment(segment(2, 6));
    h.expectNothing();
    assertEquals(3650, h.tcb.stats().ssthresh());
    // The delayed original of 1 arrives a millisecond after its copy was sent: an RTT below
    // min_RTT, so RACK takes it for the original and learns nothing (RFC 8985 §6.2 step 2). The
    // pipe now holds the copy of 2 alone: 3 goes.
    h.send(at(227), ack(2, 5, 6));
    h.expectSegment(segment(3, 6));
    h.expectNothing();
    // The delayed original of 3 is SACKed: the pipe lets 4 go.
    h.send(at(228), ack(2, 3, 4, 5, 6));
    h.expectSegment(segment(4, 6));
    h.expectNothing();
    assertEquals(0, h.tcb.stats().dsacksReceived()); // four ACKs, no duplicate yet
    // The ACK through 3 reports half of 1 again: its first block lies below the cumulative ACK.
    h.send(
        at(229),
        ack(4)
            .sack(
                LOCAL_SEQ + MSS,
                LOCAL_SEQ + MSS + MSS / 2,
                LOCAL_SEQ + 5 * MSS,
                LOCAL_SEQ + 6 * MSS));
    assertEquals(1, h.tcb.stats().dsacksReceived());
    h.expectNothing(); // 4's copy is in flight, 5 SACKed: nothing left to send
    // 4's copy is acknowledged one RTT after it went: recovery ends with cwnd = ssthresh.
    h.send(at(328), ack(6));
    h.tick(at(2000));
    h.expectNothing();
    assertStats(h, 1, 4, 0, 0);
    assertEquals(3650, h.tcb.stats().cwnd());
  }

  @Test
  @DisplayName(
      "gVisor tcp_rack_test.go TestRACKDetectDSACKDup: a D-SACK for half of 2 inside a SACK of 2–4, not covered by the cumulative ACK, is the only D-SACK (RFC 2883 §4.2.3); the copy of 1 is lost too and, with nothing sent after it delivered unambiguously, the RTO resends it")
  void detectDsackDup() {
    // gVisor numbers its packets from 1: its #2 is our 1, and so on.
    TcbHarness h = sentAt100(7);
    h.send(at(200), ack(1));
    h.send(at(201), ack(1, 6, 7));
    // The delayed 2 is SACKed below 6, which was SACKed first: reordering (RFC 8985 §6.2 step
    // 3), so the window stays min_RTT/4 in recovery. RACK.rtt is now 102 ms.
    h.send(at(202), ack(1, 2, 3, 6, 7));
    assertEquals(at(227), h.tcb.timers().deadline(Kind.REORDER));
    quietUntil(h, 227);
    // 1, 3, 4 and 5 are lost; ssthresh = FlightSize (6 segments) / 2 = 3 segments, and the pipe
    // lets three go (gVisor checks only that 1 goes).
    h.expectSegment(segment(1, 7));
    h.expectSegment(segment(3, 7));
    h.expectSegment(segment(4, 7));
    h.expectNothing();
    // The copy of 1 is dropped; 3 (the delayed original: gVisor's "SACK #4") is SACKed, the
    // pipe lets 5 go.
    h.send(at(228), ack(1, 3, 4, 2, 3, 6, 7));
    h.expectSegment(segment(5, 7));
    h.expectNothing();
    assertEquals(0, h.tcb.stats().dsacksReceived()); // four ACKs, no duplicate yet
    // Half of 2 again, inside the second block (2–4, the delayed original of 4 with it).
    h.send(
        at(229),
        ack(1)
            .sack(
                LOCAL_SEQ + 2 * MSS,
                LOCAL_SEQ + 2 * MSS + MSS / 2,
                LOCAL_SEQ + 2 * MSS,
                LOCAL_SEQ + 5 * MSS));
    assertEquals(1, h.tcb.stats().dsacksReceived());
    h.expectNothing();
    // 4's SACK came 2 ms after its copy went: below min_RTT, ambiguous (RFC 8985 §6.2 step 2),
    // so RACK has no segment sent after the copy of 1 delivered and cannot deem it lost. The
    // RTO, last restarted by the ACK at 200 ms (RTO 250 ms), resends it with cwnd 1.
    assertFalse(h.tcb.timers().isArmed(Kind.REORDER));
    quietUntil(h, 450);
    h.expectSegment(segment(1, 7));
    h.expectNothing();
    assertEquals(MSS, h.tcb.stats().cwnd());
    h.send(at(550), ack(7)); // the copy of 5 sent at 228 ms got through
    h.tick(at(3000));
    h.expectNothing();
    assertStats(h, 1, 5, 0, 1);
  }

  @Test
  @DisplayName(
      "gVisor tcp_rack_test.go TestRACKWithWindowFull: the probe resends 9; the ACK of 0–1 SACKing its copy makes RACK deem 2–8 lost (min_RTT from the handshake), and they go as the pipe allows; an ACK closing the window stops them")
  void withWindowFull() {
    TcbHarness h = sentAt100(10);
    // No ACK before the probe, as in gVisor: 2·SRTT after the data went.
    quietUntil(h, 300);
    h.expectSegment(segment(9, 10)); // RFC 8985 §7.3: the last segment again
    h.expectNothing();
    // One RTT after the probe: 0 and 1 acknowledged, the probe's copy of 9 SACKed. The second
    // block, below the cumulative ACK and not first, is stale and ignored (no D-SACK: RFC 2883
    // §4).
    h.send(at(400), ack(2, 9, 10, 0, 1));
    assertEquals(0, h.tcb.stats().dsacksReceived());
    // RFC 8985 §6.2 step 2: the copy's RTT, 100 ms, is not below min_RTT — the handshake's 100
    // ms, as Linux's — so the copy was delivered, not the original; 2–8 (100 + 100 + 25 < 400)
    // are lost. ssthresh = FlightSize (8 segments) / 2: four go at once, where gVisor sends one.
    RackView rack = h.tcb.rackView();
    assertEquals(at(300), rack.xmitNanos());
    assertEquals(LOCAL_SEQ + 10 * MSS, rack.endSeq());
    assertEquals(4 * MSS, h.tcb.stats().ssthresh());
    for (int n = 2; n <= 5; n++) {
      h.expectSegment(segment(n, 10));
    }
    h.expectNothing();
    // The ACK of 2's copy: the pipe has room for one more, 6 (gVisor: 3).
    h.send(at(500), ack(3));
    h.expectSegment(segment(6, 10));
    h.expectNothing();
    // The ACK of 3's copy closes the window: the pipe has room, but RFC 9293 §3.8.6 (SHLD-16)
    // keeps retransmissions within the peer's window, and nothing goes — gVisor's last check.
    h.send(at(501), ack(4).window(0));
    h.expectNothing();
    assertStats(h, 1, 6, 1, 0);
  }

  @Test
  @DisplayName(
      "gVisor tcp_rack_test.go TestRACKUpdate: the ACK of a lone segment sets RACK.xmit_ts to its send time, RACK.end_seq to SND.NXT and RACK.rtt to its round trip")
  void rackUpdate() {
    TcbHarness h = sentAt100(1);
    RackView before = h.tcb.rackView();
    assertEquals(-1, before.xmitNanos()); // nothing delivered yet
    assertEquals(100 * MS, before.minRttNanos()); // the handshake's sample
    h.send(at(200), ack(1));
    h.expectNothing();
    // RFC 8985 §6.2 step 2: the newest delivered segment is the one just acknowledged.
    RackView after = h.tcb.rackView();
    assertEquals(at(100), after.xmitNanos());
    assertEquals(LOCAL_SEQ + MSS, after.endSeq()); // SND.NXT
    assertEquals(100 * MS, after.rttNanos());
    assertEquals(100 * MS, after.minRttNanos());
  }

  @Test
  @DisplayName(
      "gVisor tcp_rack_test.go TestRACKCheckReorderWindow: 1–5 delivered after a SACKed 6 is reordering; the window is then min_RTT/4 (above 0, at most SRTT), not widened, with no D-SACK persistence")
  void checkReorderWindow() {
    TcbHarness h = sentAt100(7);
    h.send(at(200), ack(1));
    h.send(at(201), ack(1, 6, 7));
    RackView sacked = h.tcb.rackView();
    assertFalse(sacked.reorderingSeen());
    assertEquals(1, sacked.segsSacked());
    // RFC 8985 §6.2 step 4: one segment SACKed, no recovery: min_RTT/4 even before reordering.
    assertEquals(25 * MS, sacked.reoWndNanos());
    assertEquals(at(100), sacked.xmitNanos());
    assertEquals(LOCAL_SEQ + 7 * MSS, sacked.endSeq());
    assertEquals(101 * MS, sacked.rttNanos());
    // The delayed 1–5 arrive before RACK's timer (100 + 101 + 25 ms): never sent again and below
    // RACK.fack, so they were reordered (RFC 8985 §6.2 step 3).
    h.send(at(210), ack(7));
    h.expectNothing();
    RackView reordered = h.tcb.rackView();
    assertTrue(reordered.reorderingSeen());
    assertEquals(0, reordered.segsSacked());
    assertEquals(25 * MS, reordered.reoWndNanos()); // > 0 and <= SRTT (100 ms)
    assertEquals(100 * MS, h.tcb.stats().srttNanos());
    assertEquals(1, reordered.reoWndMult()); // gVisor's ReoWndIncr: no D-SACK widened it
    assertEquals(0, reordered.reoWndPersist());
    assertStats(h, 0, 0, 0, 0);
  }

  @Test
  @DisplayName(
      "gVisor tcp_rack_test.go TestRACKUpdateSackedOut: SACKing 3–4 counts two segments SACKed; the cumulative ACK past them, outside recovery, counts none")
  void updateSackedOut() {
    TcbHarness h = sentAt100(8);
    h.send(at(200), ack(2, 3, 5));
    h.expectNothing();
    RackView sacked = h.tcb.rackView();
    assertEquals(2, sacked.segsSacked());
    assertFalse(sacked.inRecovery()); // 2, sent at 100 ms, waits for 100 + 100 + 25 ms
    assertEquals(LOCAL_SEQ + 5 * MSS, sacked.endSeq());
    h.send(at(210), ack(5));
    h.expectNothing();
    RackView acked = h.tcb.rackView();
    assertFalse(acked.inRecovery());
    assertEquals(0, acked.segsSacked()); // RFC 8985 RACK.segs_sacked counts the scoreboard's
    assertStats(h, 0, 0, 0, 0);
  }

  @Test
  @DisplayName(
      "gVisor tcp_rack_test.go TestRACKDetectReorder (skipped in gVisor): 0 delivered after a SACKed 1 is reordering, and RACK.end_seq stays SND.NXT; a D-SACK then widens the window (RFC 8985 §6.2 step 4)")
  void detectReorder() {
    TcbHarness h = sentAt100(2);
    h.send(at(200), ack(0, 1, 2));
    h.expectNothing();
    RackView sacked = h.tcb.rackView();
    assertFalse(sacked.reorderingSeen()); // nothing delivered out of order yet
    assertEquals(LOCAL_SEQ + 2 * MSS, sacked.endSeq()); // SND.NXT, as gVisor's RACK.fack
    // 0, never sent again, is delivered below RACK.fack: reordering (RFC 8985 §6.2 step 3).
    h.send(at(201), ack(2));
    h.expectNothing();
    RackView reordered = h.tcb.rackView();
    assertTrue(reordered.reorderingSeen());
    assertEquals(LOCAL_SEQ + 2 * MSS, reordered.endSeq());
    assertEquals(1, reordered.reoWndMult());
    // Beyond gVisor's test: a D-SACK for 0 (a duplicate the network made) widens the window to
    // 2·min_RTT/4 for the next 16 recoveries (RFC 8985 §6.2 step 4), which gVisor's skip says
    // its detection does not do.
    h.send(at(202), ack(2, 0, 1));
    h.expectNothing();
    assertEquals(1, h.tcb.stats().dsacksReceived());
    RackView widened = h.tcb.rackView();
    assertEquals(2, widened.reoWndMult());
    assertEquals(Rack.REO_WND_PERSIST, widened.reoWndPersist());
    assertEquals(50 * MS, widened.reoWndNanos());
    assertStats(h, 0, 0, 0, 0);
  }
}
