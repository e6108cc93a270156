package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
import static dev.vnetif.tcp.TcbHarness.MSS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_ISS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_SEQ;
import static dev.vnetif.tcp.TcbHarness.at;
import static dev.vnetif.tcp.TcbHarness.out;
import static dev.vnetif.tcp.TcbHarness.pattern;
import static dev.vnetif.tcp.TcbHarness.seg;
import static dev.vnetif.wire.TcpSegment.ACK;
import static dev.vnetif.wire.TcpSegment.PSH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.tcp.TcbHarness.SegmentBuilder;
import dev.vnetif.tcp.TcbTimers.Kind;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * RACK-TLP wired into the sender (RFC 8985 §6–7), with the RFC 6675 recovery it drives. Every test
 * starts the same way: our SYN at 0 ms, the SYN-ACK with SACK-permitted at 100 ms (SRTT 100 ms,
 * RTTVAR 50 ms, RTO 300 ms), ten segments written and sent at once at 100 ms. NewReno's arithmetic
 * is pinned so the window figures are exact; timestamps are off so segments carry 1460 bytes.
 */
class TcbRackTlpTest {
  static final int IW = 10 * MSS;

  static TcpConfig config(LossDetection detection) {
    return TcbHarness.config().toBuilder()
        .sack(true)
        .congestionControl(CongestionControlFactory.NEW_RENO)
        .lossDetection(detection)
        .build();
  }

  static TcbHarness tenSegmentsSentAt100(LossDetection detection) {
    TcbHarness h = TcbHarness.synSent(config(detection));
    h.send(
        at(100),
        seg()
            .flags(TcpSegment.SYN | TcpSegment.ACK)
            .seq(REMOTE_ISS)
            .ack(LOCAL_SEQ)
            .options(TcpOptions.NONE.withMss(MSS).withSackPermitted()));
    h.write(pattern(0, IW), false);
    assertEquals(10, h.segments.size() - 1, "the ACK of the SYN-ACK, then ten segments");
    h.clear();
    return h;
  }

  /** Our segment number {@code n} (from 0), sent again; the last one carries PSH. */
  static SegmentBuilder segment(int n) {
    return out()
        .seq(LOCAL_SEQ + n * MSS)
        .ack(REMOTE_SEQ)
        .flags(n == 9 ? ACK | PSH : ACK)
        .payload(pattern(n * MSS, MSS));
  }

  /** The peer's ACK up to segment {@code ack} (exclusive), SACKing [from, to) segment pairs. */
  static SegmentBuilder ack(int ack, int... sackedSegments) {
    SegmentBuilder b = seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + ack * MSS);
    if (sackedSegments.length > 0) {
      int[] edges = new int[sackedSegments.length];
      for (int i = 0; i < edges.length; i++) {
        edges[i] = LOCAL_SEQ + sackedSegments[i] * MSS;
      }
      b.sack(edges);
    }
    return b;
  }

  @Test
  @DisplayName(
      "RFC 8985 §6.2–6.3: one SACKed segment above a hole arms the reorder timer for RTT + min_RTT/4; the hole is retransmitted exactly then")
  void reorderTimerRetransmitsAHoleNoDupThreshWouldFind() {
    TcbHarness h = tenSegmentsSentAt100(LossDetection.RACK_TLP);
    h.send(at(200), ack(0, 1, 2)); // segment 1 arrived, segment 0 did not (yet)
    h.expectNothing();
    // Segment 1's RTT is 100 ms; no reordering seen yet but fewer than DupThresh SACKed: the
    // window is min_RTT / 4 = 25 ms, so segment 0 (sent with it) is lost at 100 + 100 + 25 ms.
    assertEquals(at(225), h.tcb.timers().deadline(Kind.REORDER));
    h.tick(at(224));
    h.expectNothing();
    h.tick(at(225));
    h.expectSegment(segment(0));
    h.expectNothing();
    assertEquals(1, h.tcb.stats().fastRetransmits());
    assertEquals(1, h.tcb.stats().retransmittedSegments());
  }

  @Test
  @DisplayName(
      "RFC 6675 DupThresh (RACK off): the same single SACKed segment leaves the hole to the RTO")
  void withoutRackTheSameHoleWaitsForTheRto() {
    TcbHarness h = tenSegmentsSentAt100(LossDetection.DUP_ACK);
    h.send(at(200), ack(0, 1, 2));
    h.expectNothing();
    assertFalse(h.tcb.timers().isArmed(Kind.REORDER));
    assertFalse(h.tcb.timers().isArmed(Kind.PROBE));
    h.tick(at(399));
    h.expectNothing();
    h.tick(at(400)); // RTO: 100 ms + 300 ms
    h.expectSegment(segment(0));
    assertEquals(1, h.tcb.stats().timeouts());
  }

  @Test
  @DisplayName(
      "RFC 8985 §6.2 step 4: once DupThresh segments are SACKed the reorder window is zero, and every un-SACKed segment sent before the newest delivered one is lost at once")
  void dupThreshSackedMarksEveryEarlierHole() {
    TcbHarness h = tenSegmentsSentAt100(LossDetection.RACK_TLP);
    h.send(at(200), ack(0, 1, 2));
    h.send(at(201), ack(0, 1, 3));
    h.expectNothing();
    h.send(at(202), ack(0, 4, 5, 1, 3)); // segments 1, 2 and 4: segments 0 and 3 are lost
    // Recovery's first retransmission goes whatever the pipe (RFC 6675 §5 step 4.3); the pipe of
    // segments 5-9 plus it is then over ssthresh = 5 segments.
    h.expectSegment(segment(0));
    h.expectNothing();
    h.send(at(203), ack(0, 4, 6, 1, 3)); // segment 5: the pipe is 6-9 + segment 0's copy
    h.expectNothing();
    h.send(at(204), ack(0, 4, 7, 1, 3)); // segment 6: room for one, and segment 3 is lost
    h.expectSegment(segment(3));
    h.expectNothing();
    assertFalse(h.tcb.timers().isArmed(Kind.REORDER), "every earlier segment is judged");
    assertFalse(h.tcb.timers().isArmed(Kind.PROBE), "no probe while recovering");
    h.send(at(300), ack(10)); // both copies arrived: everything is acknowledged
    h.expectNothing();
    assertEquals(2, h.tcb.stats().retransmittedSegments());
    assertEquals(1, h.tcb.stats().fastRetransmits());
    assertEquals(0, h.tcb.stats().timeouts());
  }

  @Test
  @DisplayName(
      "RFC 8985 §7: the last two segments lost: a probe resends segment 9 at 2·SRTT after the ACK, its SACK lets RACK find segment 8, no RTO")
  void tailLossProbeRecoversTheTail() {
    TcbHarness h = tenSegmentsSentAt100(LossDetection.RACK_TLP);
    h.send(at(200), ack(8)); // segments 8 and 9 are lost
    h.expectNothing();
    // SRTT stays 100 ms; PTO = 2 · SRTT = 200 ms (two segments in flight: no delayed-ACK term),
    // before the RTO (restarted by the ACK: 250 ms).
    assertEquals(at(400), h.tcb.timers().deadline(Kind.PROBE));
    assertEquals(at(450), h.tcb.timers().deadline(Kind.RETRANSMIT));
    h.tick(at(399));
    h.expectNothing();
    h.tick(at(400));
    h.expectSegment(segment(9)); // no new data: the last segment again
    h.expectNothing();
    assertEquals(at(400) + h.tcb.stats().rtoNanos(), h.tcb.timers().deadline(Kind.RETRANSMIT));
    assertEquals(1, h.tcb.stats().tailLossProbes());

    h.send(at(500), ack(8, 9, 10)); // the probe arrived: segment 8, sent long before, is lost
    h.expectSegment(segment(8));
    h.expectNothing();
    h.send(at(600), ack(10));
    h.expectNothing();
    TcbStats stats = h.tcb.stats();
    assertEquals(0, stats.timeouts());
    assertEquals(2, stats.retransmittedSegments());
    assertEquals(1, stats.fastRetransmits());
    assertEquals(0, stats.bytesInFlight());
  }

  @Test
  @DisplayName("RFC 8985 §7.4: a probe whose copy proves needless (a D-SACK) leaves cwnd alone")
  void needlessProbeKeepsTheWindow() {
    TcbHarness h = tenSegmentsSentAt100(LossDetection.RACK_TLP);
    h.send(at(200), ack(8));
    int ssthresh = h.tcb.stats().ssthresh();
    h.tick(at(400));
    h.expectSegment(segment(9));
    h.send(at(450), ack(10)); // the originals were only late
    int cwnd = h.tcb.stats().cwnd();
    h.send(at(500), ack(10, 9, 10)); // and the probe's copy is a duplicate: D-SACK
    h.expectNothing();
    assertEquals(cwnd, h.tcb.stats().cwnd());
    assertEquals(ssthresh, h.tcb.stats().ssthresh(), "no congestion event");
    assertFalse(h.tcb.timers().isArmed(Kind.PROBE));
    assertEquals(1, h.tcb.stats().dsacksReceived());
  }

  @Test
  @DisplayName(
      "RFC 8985 §7.2–7.4: one segment lost at the tail: the probe, due with the RTO, goes instead; an ACK beyond it shows it repaired a loss, and cwnd is halved once")
  void probeThatRepairedALossReducesTheWindow() {
    TcbHarness h = tenSegmentsSentAt100(LossDetection.RACK_TLP);
    h.send(at(200), ack(9)); // only segment 9 is lost
    int cwnd = h.tcb.stats().cwnd();
    // One segment in flight: 2 · SRTT + 200 ms for a delayed ACK would be 400 ms, after the RTO
    // (SRTT 100 ms, RTTVAR 37.5 ms: 250 ms), so the probe is due with the RTO.
    assertEquals(at(450), h.tcb.timers().deadline(Kind.RETRANSMIT));
    assertEquals(at(450), h.tcb.timers().deadline(Kind.PROBE));
    h.tick(at(450));
    h.expectSegment(segment(9));
    h.expectNothing();
    assertEquals(0, h.tcb.stats().timeouts(), "the probe went instead of the RTO");
    int ssthresh = h.tcb.stats().ssthresh();
    h.send(at(550), ack(10)); // the copy filled the hole: the ACK of the probe itself
    assertEquals(ssthresh, h.tcb.stats().ssthresh(), "no verdict yet: a D-SACK may follow");
    cwnd = h.tcb.stats().cwnd();
    h.write(pattern(IW, MSS), false);
    h.expectSegment(
        out().seq(LOCAL_SEQ + IW).ack(REMOTE_SEQ).flags(ACK | PSH).payload(pattern(IW, MSS)));
    h.send(at(650), ack(11)); // beyond the probe, no D-SACK came: it repaired a loss
    TcbStats stats = h.tcb.stats();
    assertTrue(stats.cwnd() < cwnd, "cwnd " + stats.cwnd() + " was " + cwnd);
    assertEquals(stats.ssthresh(), stats.cwnd(), "CWR ends with cwnd = ssthresh");
    assertTrue(stats.ssthresh() < ssthresh);
  }

  @Test
  @DisplayName(
      "RFC 6675 §5.1: after an RTO the lost segments go again as cwnd opens, skipping the SACKed ones go-back-N would resend")
  void rtoSkipsSackedSegments() {
    TcbHarness h = tenSegmentsSentAt100(LossDetection.DUP_ACK);
    h.send(at(200), ack(0, 8, 10)); // only 8 and 9 arrived: two duplicates, no recovery
    h.expectNothing();
    h.tick(at(400)); // RTO
    List<Integer> resent = new ArrayList<>();
    resent.add(segmentNumber(h.nextSegment()));
    h.expectNothing();
    long t = 400;
    int acked = 0;
    while (acked < 8) {
      acked = resent.get(resent.size() - 1) + 1;
      t += 100;
      h.send(at(t), ack(acked, 8, 10));
      while (!h.segments.isEmpty()) {
        resent.add(segmentNumber(h.nextSegment()));
      }
      if (acked == 8) {
        break;
      }
    }
    h.send(at(t + 100), ack(10));
    assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), resent.subList(0, 8));
    assertEquals(8, resent.size(), "segments 8 and 9 were SACKed: not sent again " + resent);
    assertEquals(1, h.tcb.stats().timeouts());
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.8.6 (SHLD-16): SACK recovery resends only within the peer's window; an RTO's first resend probes a closed one")
  void sackRetransmissionsStayInThePeersWindow() {
    TcbHarness h = TcbHarness.synSent(config(LossDetection.RACK_TLP));
    h.send(
        at(100),
        seg()
            .flags(TcpSegment.SYN | TcpSegment.ACK)
            .seq(REMOTE_ISS)
            .ack(LOCAL_SEQ)
            .options(TcpOptions.NONE.withMss(MSS).withSackPermitted()));
    h.write(pattern(0, 5 * MSS), false);
    h.clear();
    // Segment 4 SACKed: the reorder timer at 225 ms deems 1-3 lost; ssthresh (two segments) lets
    // 1 and 2 go.
    h.send(at(200), ack(1, 4, 5));
    h.tick(at(225));
    h.clear();
    // The ACK of 1's copy closes the window: 3 lies beyond SND.UNA + SND.WND and must wait.
    h.send(at(325), ack(2).window(0));
    h.expectNothing();
    h.tick(h.tcb.timers().deadline(Kind.RETRANSMIT));
    TcpSegment probe = h.nextSegment(); // the RTO's first resend probes the closed window
    assertEquals(LOCAL_SEQ + 2 * MSS, probe.seq());
    h.expectNothing();
    assertEquals(1, h.tcb.stats().timeouts());
  }

  private static int segmentNumber(TcpSegment s) {
    return (s.seq() - LOCAL_SEQ) / MSS;
  }
}
