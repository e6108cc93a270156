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

import dev.vnetif.tcp.TcbHarness.SegmentBuilder;
import dev.vnetif.wire.TcpSegment;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The boundary of RFC 6582 §3.2 step 2: after a fast recovery or an RTO, three duplicate ACKs start
 * a new fast retransmit only when the cumulative ACK "covers more than recover" — {@code ack_number
 * - 1 > recover}, recover being the highest sequence number sent, SND.MAX − 1 — so duplicates
 * exactly at the old SND.MAX do not, and one octet (here one segment) beyond it does. As FreeBSD
 * (ack > snd_recover = old SND.MAX) and gVisor. With SACK, RFC 6675 §5.1 sets the bound instead,
 * HighACK ≥ RecoveryPoint, one octet lower. NewReno without SACK unless said otherwise, so the
 * window figures are exact; the initial RTO is 200 ms.
 */
class TcbRecoverPointTest {
  private static final int IW = 10 * MSS;

  private static TcpConfig config() {
    return TcbHarness.config().withCongestionControl(CongestionControlFactory.NEW_RENO);
  }

  /** Our segment number {@code n} (from 0) of the pattern, with {@code flags}. */
  private static SegmentBuilder segment(int n, int flags) {
    return out()
        .seq(LOCAL_SEQ + n * MSS)
        .ack(REMOTE_SEQ)
        .flags(flags)
        .payload(pattern(n * MSS, MSS));
  }

  private static SegmentBuilder segment(int n) {
    return segment(n, ACK);
  }

  /** The peer's pure ACK of the first {@code bytes} bytes we wrote. */
  private static SegmentBuilder ackOf(int bytes) {
    return seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + bytes);
  }

  private static void expectSegments(TcbHarness h, int from, int to) {
    for (int n = from; n < to; n++) {
      h.expectSegment(segment(n));
    }
  }

  /**
   * Ten segments at T0, segment 0 lost: three duplicate ACKs at 10–12 ms fast-retransmit it
   * (recover = SND.MAX − 1 = the last octet of segment 9); then the user writes four more segments,
   * which the inflated window (11680 against 14600 in flight) holds back; at 50 ms the full ACK,
   * exactly the old SND.MAX, ends recovery with cwnd = 2920, and segments 10 and 11 go.
   */
  private static TcbHarness afterFastRecovery() {
    TcbHarness h = TcbHarness.established(config());
    h.write(pattern(0, IW), false);
    h.clear();
    for (int i = 0; i < 3; i++) {
      h.send(at(10 + i), ackOf(0));
    }
    h.expectSegment(segment(0));
    h.write(pattern(IW, 4 * MSS), false);
    h.expectNothing();
    assertEquals(1, h.tcb.stats().fastRetransmits());
    h.send(at(50), ackOf(IW)); // RFC 6582 §3.2 step 3: a full acknowledgment
    expectSegments(h, 10, 12);
    h.expectNothing();
    assertEquals(2 * MSS, h.tcb.stats().cwnd());
    return h;
  }

  /**
   * Ten segments at T0 (fourteen written), all unacknowledged: the RTO at 200 ms resends segment 0
   * (recover = the last octet of segment 9, cwnd 1460, ssthresh 7300); its ACK at 250 ms covers all
   * ten — exactly the old SND.MAX, the peer had 1–9 — and slow start sends 10 and 11.
   */
  private static TcbHarness afterTimeout() {
    TcbHarness h = TcbHarness.established(config());
    h.write(pattern(0, IW + 4 * MSS), false);
    h.clear();
    h.tick(at(200));
    h.expectSegment(segment(0));
    h.expectNothing();
    assertEquals(1, h.tcb.stats().timeouts());
    h.send(at(250), ackOf(IW));
    expectSegments(h, 10, 12);
    h.expectNothing();
    return h;
  }

  @Test
  @DisplayName(
      "RFC 6582 §3.2 step 2: after a fast recovery, three duplicate ACKs exactly at the old SND.MAX (recover + 1) do not cover more than recover — no second fast retransmit; the RTO at 250 ms resends segment 10")
  void afterRecoveryDuplicatesAtOldSndMaxStartNothing() {
    TcbHarness h = afterFastRecovery();
    // Segment 10 is lost; 11 arrives. Limited transmit (RFC 3042) sends 12 and 13.
    h.send(at(60), ackOf(IW));
    h.expectSegment(segment(12));
    h.send(at(61), ackOf(IW));
    h.expectSegment(segment(13, ACK | PSH));
    h.send(at(62), ackOf(IW));
    h.expectNothing();
    assertEquals(1, h.tcb.stats().fastRetransmits());
    assertEquals(2 * MSS, h.tcb.stats().cwnd());
    assertEquals(7_300, h.tcb.stats().ssthresh());
    h.tick(at(249));
    h.expectNothing();
    h.tick(at(250)); // RFC 6298 §5.3: the timer restarted by the full ACK at 50 ms
    h.expectSegment(segment(10));
    h.expectNothing();
    assertEquals(1, h.tcb.stats().timeouts());
  }

  @Test
  @DisplayName(
      "RFC 6582 §3.2 step 2: after a fast recovery, three duplicate ACKs one segment above the old SND.MAX cover more than recover — a new fast retransmit at once")
  void afterRecoveryDuplicatesAboveOldSndMaxStartRecovery() {
    TcbHarness h = afterFastRecovery();
    h.send(at(55), ackOf(IW + MSS)); // slow start: cwnd 4380, segment 11 in flight
    h.expectSegment(segment(12));
    h.expectSegment(segment(13, ACK | PSH));
    h.expectNothing();
    for (int i = 0; i < 3; i++) {
      h.send(at(60 + i), ackOf(IW + MSS)); // segment 11 lost, 12 and 13 arrived
    }
    h.expectSegment(segment(11));
    h.expectNothing();
    assertEquals(2, h.tcb.stats().fastRetransmits());
    // FlightSize 4380 at the first duplicate: ssthresh = max(2190, 2920); cwnd = 2920 + 3·1460.
    assertEquals(2 * MSS, h.tcb.stats().ssthresh());
    assertEquals(7_300, h.tcb.stats().cwnd());
    assertEquals(0, h.tcb.stats().timeouts());
  }

  @Test
  @DisplayName(
      "RFC 6582 §3.2 steps 2 and 4 (§4): after an RTO, three duplicate ACKs exactly at the old SND.MAX start no fast retransmit; the backed-off RTO at 650 ms resends segment 10")
  void afterTimeoutDuplicatesAtOldSndMaxStartNothing() {
    TcbHarness h = afterTimeout();
    h.send(at(260), ackOf(IW)); // segment 10 lost; limited transmit sends 12 and 13
    h.expectSegment(segment(12));
    h.send(at(261), ackOf(IW));
    h.expectSegment(segment(13, ACK | PSH));
    h.send(at(262), ackOf(IW));
    h.expectNothing();
    assertEquals(0, h.tcb.stats().fastRetransmits());
    assertEquals(2 * MSS, h.tcb.stats().cwnd());
    assertEquals(7_300, h.tcb.stats().ssthresh());
    h.tick(at(649));
    h.expectNothing();
    h.tick(at(650)); // 250 ms + the RTO backed off to 400 ms (RFC 6298 §5.5, §5.7)
    h.expectSegment(segment(10));
    h.expectNothing();
    assertEquals(2, h.tcb.stats().timeouts());
  }

  @Test
  @DisplayName(
      "RFC 6582 §3.2 steps 2 and 4: after an RTO, three duplicate ACKs one segment above the old SND.MAX cover more than recover — fast retransmit")
  void afterTimeoutDuplicatesAboveOldSndMaxStartRecovery() {
    TcbHarness h = afterTimeout();
    h.send(at(255), ackOf(IW + MSS)); // slow start: cwnd 4380, segment 11 in flight
    h.expectSegment(segment(12));
    h.expectSegment(segment(13, ACK | PSH));
    h.expectNothing();
    for (int i = 0; i < 3; i++) {
      h.send(at(260 + i), ackOf(IW + MSS));
    }
    h.expectSegment(segment(11));
    h.expectNothing();
    assertEquals(1, h.tcb.stats().fastRetransmits());
    assertEquals(2 * MSS, h.tcb.stats().ssthresh());
    assertEquals(7_300, h.tcb.stats().cwnd());
    assertEquals(1, h.tcb.stats().timeouts());
  }

  @Test
  @DisplayName(
      "RFC 6675 §5.1 (SACK, RACK off): after an RTO a new recovery may begin once HighACK reaches RecoveryPoint — SACKed duplicates exactly at the old SND.MAX do start one")
  void withSackTheBoundIsHighAckAtRecoveryPoint() {
    TcpConfig config = config().toBuilder().sack(true).lossDetection(LossDetection.DUP_ACK).build();
    TcbHarness h = TcbHarness.synSent(config);
    h.send(
        h.now,
        seg()
            .flags(TcpSegment.SYN | TcpSegment.ACK)
            .seq(REMOTE_ISS)
            .ack(LOCAL_SEQ)
            .mss(MSS)
            .sackOk());
    h.write(pattern(0, IW + 4 * MSS), false);
    h.clear();
    h.tick(at(200));
    h.expectSegment(segment(0));
    h.send(at(250), ackOf(IW));
    expectSegments(h, 10, 12);
    h.expectNothing();
    int s = LOCAL_SEQ + 11 * MSS;
    // Limited transmit sends 12 and 13 on the first two; the third starts recovery (RFC 6675 §5
    // step 4) where RFC 6582 without SACK would not: segment 10 goes at once.
    h.send(at(260), ackOf(IW).sack(s, s + MSS)); // segment 10 lost
    h.expectSegment(segment(12));
    h.send(at(261), ackOf(IW).sack(s, s + 2 * MSS));
    h.expectSegment(segment(13, ACK | PSH));
    h.send(at(262), ackOf(IW).sack(s, s + 3 * MSS));
    h.expectSegment(segment(10));
    h.expectNothing();
    assertEquals(1, h.tcb.stats().fastRetransmits());
  }
}
