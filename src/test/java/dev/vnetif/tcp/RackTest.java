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
import static dev.vnetif.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.tcp.SackScoreboard.Segment;
import dev.vnetif.tcp.TcbTimers.Kind;
import dev.vnetif.wire.SackBlock;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * RACK (RFC 8985 §6) on a scoreboard at explicit times: ten 1000-byte segments sent 1 ms apart from
 * t = 0 over a path of 100 ms RTT, then ACKs with SACK blocks; and, through {@link TcbHarness}, how
 * a connection's RACK starts from the handshake's RTT sample.
 */
class RackTest {
  static final int SMSS = 1000;
  static final long MS = 1_000_000L;
  static final long RTT = 100 * MS;

  final SackScoreboard board = new SackScoreboard();
  final Rack rack = new Rack();

  RackTest() {
    for (int n = 0; n < 10; n++) {
      board.sent(n * SMSS, (n + 1) * SMSS, n * MS);
    }
  }

  /** An ACK at {@code now} with cumulative ACK {@code cum} and SACK blocks in segment numbers. */
  void ack(long now, int cum, int... segmentRanges) {
    SackBlock[] blocks = new SackBlock[segmentRanges.length / 2];
    for (int i = 0; i < blocks.length; i++) {
      blocks[i] = new SackBlock(segmentRanges[2 * i] * SMSS, segmentRanges[2 * i + 1] * SMSS);
    }
    rack.onAck(board.onAck(cum, List.of(blocks), now), now, cum, 10 * SMSS);
  }

  String lost() {
    StringBuilder sb = new StringBuilder();
    for (Segment s : board.segments()) {
      if (s.lost) {
        sb.append(sb.length() == 0 ? "" : ",").append(s.start / SMSS);
      }
    }
    return sb.toString();
  }

  @Test
  @DisplayName("RFC 8985 §6.2: a segment is lost once RACK.rtt + reo_wnd passed since it was sent")
  void lossIsDeclaredWhenTheReorderWindowHasPassed() {
    ack(RTT + 5 * MS, 0, 5, 6); // segment 5 (sent at 5 ms) SACKed at 105 ms: RACK.rtt = 100 ms
    assertEquals(RTT, rack.rttNanos());
    long reoWnd = rack.reorderWindowNanos(false, board.sackedSegments(), RTT);
    assertEquals(25 * MS, reoWnd, "min RTT / 4: one SACKed segment, not recovering");
    long timer = rack.detectLoss(board, RTT + 5 * MS, reoWnd);
    assertEquals("", lost(), "segments 0..4 may still be reordered");
    assertEquals(24 * MS, timer, "the reorder timer: segment 4's time is up at 4 + 100 + 25 ms");
    assertEquals(5 * MS, rack.detectLoss(board, RTT + 24 * MS, reoWnd), "at 124 ms: 4 waits 5 ms");
    assertEquals("", lost(), "segment n is due at n + 125 ms: none yet");
    assertEquals(2 * MS, rack.detectLoss(board, RTT + 27 * MS, reoWnd));
    assertEquals("0,1,2", lost(), "at 127 ms segments 0..2 are due");
    assertEquals(3 * SMSS, rack.lastMarkedBytes());
    assertEquals(0, rack.detectLoss(board, RTT + 29 * MS, reoWnd), "nothing waits any more");
    assertEquals("0,1,2,3,4", lost());
    assertEquals(2 * SMSS, rack.lastMarkedBytes(), "only 3 and 4 were new");
    assertFalse(
        board.segments().get(6).lost, "segments sent after the newest delivered: no verdict");
  }

  @Test
  @DisplayName(
      "RFC 8985 §6.2 step 4: no reordering seen and recovering, or DupThresh SACKed: reo_wnd = 0")
  void reorderWindowIsZeroUntilReorderingIsSeen() {
    ack(RTT + 5 * MS, 0, 5, 6);
    assertEquals(0, rack.reorderWindowNanos(true, board.sackedSegments(), RTT), "in recovery");
    ack(RTT + 7 * MS, 0, 5, 8);
    assertEquals(3, board.sackedSegments());
    assertEquals(0, rack.reorderWindowNanos(false, 3, RTT), "three SACKed: the dupack rule's case");
    rack.detectLoss(board, RTT + 7 * MS, 0);
    assertEquals("0,1,2,3,4", lost(), "with no window, everything sent before segment 7 is lost");
  }

  @Test
  @DisplayName("RFC 8985 §6.2 step 3: once reordering was seen the window stays min RTT / 4")
  void reorderingKeepsTheWindowOpen() {
    ack(RTT + 5 * MS, 0, 5, 6);
    ack(RTT + 6 * MS, 2 * SMSS, 5, 6); // segments 0 and 1 arrive late, never resent: reordering
    assertTrue(rack.reorderingSeen());
    assertEquals(25 * MS, rack.reorderWindowNanos(true, 3, RTT), "even recovering, even 3 SACKed");
  }

  @Test
  @DisplayName(
      "RFC 8985 §6.2 step 4: a D-SACK widens reo_wnd once per round; 16 recoveries narrow it again")
  void dsackWidensTheWindowForSixteenRecoveries() {
    ack(RTT + 5 * MS, 0, 5, 6);
    ack(RTT + 6 * MS, 0, 5, 6, 5, 6); // the first block inside the second: a D-SACK
    assertEquals(2, rack.reoWndMult());
    assertEquals(50 * MS, rack.reorderWindowNanos(false, 1, RTT));
    ack(RTT + 7 * MS, 0, 5, 6, 5, 6);
    assertEquals(2, rack.reoWndMult(), "the same round (SND.UNA below the round's end): once");
    assertEquals(RTT, rack.reorderWindowNanos(false, 1, RTT) * 2, "min(min RTT/4 * 2, SRTT)");
    assertEquals(40 * MS, rack.reorderWindowNanos(false, 1, 40 * MS), "capped at SRTT");
    for (int i = 0; i < Rack.REO_WND_PERSIST - 1; i++) {
      rack.onRecoveryEnd();
    }
    assertEquals(2, rack.reoWndMult(), "15 recoveries: still widened");
    rack.onRecoveryEnd();
    assertEquals(1, rack.reoWndMult(), "the 16th: back to one quarter of min RTT");
  }

  @Test
  @DisplayName(
      "RFC 8985 §6.2 step 2: a retransmission delivered sooner than min RTT is ambiguous and ignored")
  void anAmbiguousRetransmissionDoesNotMoveRack() {
    ack(RTT + 5 * MS, 0, 5, 6);
    board.sent(0, SMSS, RTT + 10 * MS); // segment 0 sent again at 110 ms
    ack(RTT + 20 * MS, SMSS); // acknowledged 10 ms later: the original's ACK, surely
    assertEquals(RTT, rack.rttNanos(), "RACK.rtt unchanged");
    ack(2 * RTT + 30 * MS, 2 * SMSS); // segment 1 (original, 1 ms) at 230 ms: a sample of 229 ms
    assertEquals(229 * MS, rack.rttNanos());
    assertEquals(RTT, rack.minRttNanos(), "the least unambiguous sample stays");
  }

  @Test
  @DisplayName(
      "RFC 8985 §6.2 step 2: the handshake's RTT sample is min_RTT before any data is acknowledged; a negative one is ignored")
  void theHandshakeSampleSeedsMinRtt() {
    Rack fresh = new Rack();
    fresh.onHandshakeRtt(-1);
    assertEquals(Long.MAX_VALUE, fresh.minRttNanos(), "no sample: min_RTT unknown");
    assertEquals(0, fresh.reorderWindowNanos(false, 1, RTT), "and no reorder window yet");
    fresh.onHandshakeRtt(RTT);
    assertEquals(RTT, fresh.minRttNanos());
    assertEquals(25 * MS, fresh.reorderWindowNanos(false, 1, RTT), "min_RTT / 4 from the start");
    fresh.onHandshakeRtt(2 * RTT);
    assertEquals(RTT, fresh.minRttNanos(), "a minimum: a larger sample does not raise it");
  }

  @Test
  @DisplayName(
      "RFC 8985 §6.2 step 2 with the handshake's sample: the probe's copy SACKed one handshake RTT after it went, before any data was acknowledged, is unambiguous; the segments sent before it are lost and resent at once")
  void aProbeSackedBeforeAnyDataAckIsJudgedAgainstTheHandshakeRtt() {
    TcpConfig config =
        TcbHarness.config().toBuilder()
            .sack(true)
            .congestionControl(CongestionControlFactory.NEW_RENO)
            .build();
    TcbHarness h = TcbHarness.synSent(config); // our SYN at 0 ms
    h.send(at(100), seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS).sackOk());
    h.clear();
    h.write(pattern(0, 4 * MSS), false);
    for (int n = 0; n < 4; n++) {
      h.expectSegment(segment(n, 4));
    }
    h.expectNothing();
    // RFC 8985 §7.2: the probe 2·SRTT after the data went, before the RTO (100 + 300 ms).
    h.tick(at(300) - 1);
    h.expectNothing();
    h.tick(at(300));
    h.expectSegment(segment(3, 4)); // §7.3: nothing new to send, so the last segment again
    h.expectNothing();
    // Nothing acknowledged; the copy of 3 SACKed 100 ms after it went. Its RTT is not below
    // min_RTT (the handshake's 100 ms), so it was the copy that arrived: RACK.xmit_ts is 300 ms
    // and 0-2, sent at 100 ms, are lost (100 + 100 + 25 < 400). Without the handshake's sample
    // min_RTT would be unknown, the delivery ambiguous, and nothing sent until the RTO at 600 ms.
    h.send(
        at(400),
        seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).sack(LOCAL_SEQ + 3 * MSS, LOCAL_SEQ + 4 * MSS));
    // ssthresh = FlightSize (4 segments) / 2; the pipe holds nothing but 3's SACKed copy.
    h.expectSegment(segment(0, 4));
    h.expectSegment(segment(1, 4));
    h.expectNothing();
    assertEquals(RTT, h.tcb.rackView().minRttNanos(), "the SYN's round trip, 100 ms");
    assertEquals(at(300), h.tcb.rackView().xmitNanos());
    assertEquals(LOCAL_SEQ + 4 * MSS, h.tcb.rackView().endSeq());
    assertEquals(1, h.tcb.stats().fastRetransmits());
    assertEquals(0, h.tcb.stats().timeouts());
    assertFalse(h.tcb.timers().isArmed(Kind.PROBE)); // §7.2: none in recovery
  }

  @Test
  @DisplayName(
      "RFC 8985 §6.2 step 2: the passive side's min_RTT starts from its SYN-ACK's round trip; after a retransmitted SYN (Karn, RFC 6298 §3) there is no sample and min_RTT stays unknown")
  void theHandshakeSampleOnEitherSide() {
    TcpConfig config = TcbHarness.config().toBuilder().sack(true).build();
    TcbHarness listener = TcbHarness.listen(config);
    assertNull(listener.tcb.rackView(), "no RACK before the handshake");
    listener.send(at(0), seg().flags(SYN).seq(REMOTE_ISS).ack(0).mss(MSS).sackOk());
    listener.send(at(40), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    assertEquals(40 * MS, listener.tcb.rackView().minRttNanos(), "our SYN-ACK's round trip");

    TcbHarness retried = TcbHarness.synSent(config);
    retried.tick(retried.tcb.timers().deadline(Kind.RETRANSMIT)); // the SYN again, at 1 s
    retried.clear();
    retried.send(at(1100), seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS).sackOk());
    assertEquals(Long.MAX_VALUE, retried.tcb.rackView().minRttNanos(), "either copy: no sample");
  }

  /** Segment {@code n} (from 0) of {@code of} full-sized ones; the last carries PSH. */
  private static TcbHarness.SegmentBuilder segment(int n, int of) {
    return out()
        .seq(LOCAL_SEQ + n * MSS)
        .ack(REMOTE_SEQ)
        .flags(n == of - 1 ? ACK | PSH : ACK)
        .payload(pattern(n * MSS, MSS));
  }
}
