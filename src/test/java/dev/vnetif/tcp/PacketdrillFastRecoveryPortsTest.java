package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
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

import dev.vnetif.tcp.TcbHarness.SegmentBuilder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The scenarios of packetdrill's {@code gtests/net/tcp/fast_recovery} directory, rewritten against
 * our {@link Tcb}. The scripts test Linux's Proportional Rate Reduction (RFC 6937) with RACK on; we
 * do not do PRR: our sender detects loss by RACK (RFC 8985, the default with SACK) and, in
 * recovery, sends whatever RFC 6675's NextSeg offers while the pipe is under ssthresh — every lost
 * segment at once where Linux paces them one per ACK — and ends recovery with cwnd = ssthresh, as
 * Linux does. Each port feeds the script's segments at the script's times (packetdrill's time 0 is
 * our {@code at(0)}; MSS 1000, CUBIC as in the scripts) and asserts what our sender does, saying
 * where and why it differs from Linux.
 *
 * <p>Cut short: {@code prr-ss-30pkt-lost-1_4-11_16.pkt} stops before its first partial ACK, where
 * Linux's PRR and our pipe part ways for the rest of the script.
 */
class PacketdrillFastRecoveryPortsTest {
  private static final int MSS = 1000;

  /**
   * The scripts' start: the peer's SYN (MSS 1000, SACK-permitted, window scale 7 or 8) at {@code
   * synAt}, its ACK of our SYN-ACK {@code rtt} later with window 320; then {@code bytes} written.
   */
  private static TcbHarness established(long synAt, long rtt, int windowScale, int bytes) {
    TcbHarness h =
        TcbHarness.acceptedWith(
            TcbHarness.config().withSack(true),
            at(synAt),
            seg()
                .flags(SYN)
                .seq(REMOTE_ISS)
                .ack(0)
                .window(32_792)
                .mss(MSS)
                .sackOk()
                .windowScale(windowScale),
            at(synAt + rtt),
            ack(0));
    h.write(pattern(0, bytes), false);
    return h;
  }

  /** Our data segment starting at stream offset {@code seq} (1000 bytes). */
  private static SegmentBuilder data(int seq) {
    return out().seq(LOCAL_SEQ + seq).ack(REMOTE_SEQ).payload(pattern(seq, MSS));
  }

  /** Our segments from stream offset {@code from} to {@code to}, the last with PSH if asked. */
  private static void expectData(TcbHarness h, int from, int to, boolean pshOnLast) {
    for (int seq = from; seq < to; seq += MSS) {
      h.expectSegment(data(seq).flags(pshOnLast && seq + MSS == to ? ACK | PSH : ACK));
    }
  }

  /** The peer's ACK of {@code bytes} with window 320 and SACK blocks (stream offsets). */
  private static SegmentBuilder ack(int bytes, int... sacked) {
    SegmentBuilder ack = seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + bytes).window(320);
    if (sacked.length == 0) {
      return ack;
    }
    int[] edges = new int[sacked.length];
    for (int i = 0; i < edges.length; i++) {
      edges[i] = LOCAL_SEQ + sacked[i];
    }
    return ack.sack(edges);
  }

  private static void assertWindow(TcbHarness h, int cwnd, int ssthresh) {
    assertEquals(cwnd, h.tcb.stats().cwnd(), "cwnd");
    assertEquals(ssthresh, h.tcb.stats().ssthresh(), "ssthresh");
  }

  @Test
  @DisplayName(
      "packetdrill fast_recovery/prr-ss-10pkt-lost-1.pkt: one segment of ten lost; in recovery each SACK releases one new segment, and the full ACK leaves cwnd = ssthresh = 7 segments — as Linux's PRR, here by RFC 6675's pipe")
  void tenPacketsOneLost() {
    TcbHarness h = established(100, 100, 7, 10 * MSS);
    expectData(h, 0, 10 * MSS, true);
    h.send(at(310), ack(0, 1000, 2000));
    h.send(at(320), ack(0, 1000, 3000));
    h.expectNothing(); // limited transmit: nothing new to send
    h.send(at(330), ack(0, 1000, 4000));
    // Three SACKed: RACK's reorder window is zero (RFC 8985 §6.2 step 4) and 0 is lost.
    h.expectSegment(data(0));
    h.expectNothing();
    // CUBIC: ssthresh = 0.7 · 10 segments (RFC 9438 §4.6); in recovery the sender keeps the pipe
    // (4–9 and the retransmission: 7 segments) at ssthresh, as Linux's PRR keeps in-flight.
    assertEquals(7 * MSS, h.tcb.stats().ssthresh());

    h.now = at(350);
    h.write(pattern(10 * MSS, 7 * MSS), false);
    h.expectNothing();
    // Each further SACK takes one segment out of the pipe (RFC 6675 §4): one new segment each
    // (NextSeg rule 2), as Linux's PRR sends while in-flight equals ssthresh.
    for (int k = 0; k < 6; k++) {
      h.send(at(360 + 10 * k), ack(0, 1000, 5000 + 1000 * k));
      h.expectSegment(data((10 + k) * MSS));
      h.expectNothing();
    }
    // The full ACK ends recovery with cwnd = ssthresh (RFC 6675), which with 6 segments in
    // flight lets the last one go — as Linux, cwnd 7 and ssthresh 7.
    h.send(at(430), ack(10 * MSS));
    h.expectSegment(data(16 * MSS).flags(ACK | PSH));
    h.expectNothing();
    assertWindow(h, 7 * MSS, 7 * MSS);
    h.send(at(460), ack(12 * MSS));
    h.send(at(480), ack(14 * MSS));
    h.send(at(500), ack(16 * MSS));
    h.send(at(520), ack(17 * MSS));
    h.expectNothing();
    assertEquals(0, h.tcb.stats().bytesInFlight());
    assertEquals(1, h.tcb.stats().retransmittedSegments());
  }

  @Test
  @DisplayName(
      "packetdrill fast_recovery/prr-ss-30pkt-lost1_4.pkt: four of ten lost; the third SACK makes RACK deem 0–3 lost and all four go at once (Linux: one per ACK); the partial ACKs send nothing; recovery ends with cwnd = ssthresh = 7 segments and the next write sends seven, as Linux")
  void thirtyPacketsFirstFourLost() {
    TcbHarness h = established(0, 10, 7, 10 * MSS);
    expectData(h, 0, 10 * MSS, true);
    h.send(at(20), ack(0, 4000, 5000));
    // One SACKed segment: RACK waits RTT (10 ms) + min_RTT/4 (2.5 ms) from the send at 10 ms.
    assertEquals(at(20) + 2_500_000L, h.tcb.timers().deadline(TcbTimers.Kind.REORDER));
    h.send(at(22), ack(0, 4000, 6000));
    h.expectNothing();
    h.send(at(22), ack(0, 4000, 7000));
    // Three SACKed: the reorder window is zero (RFC 8985 §6.2 step 4) and 0–3 are lost. The first
    // retransmission goes regardless of the pipe (RFC 6675 §5 step 4.3); the pipe — 7, 8, 9 and
    // the retransmissions — reaches ssthresh = 7000 with the fourth.
    expectData(h, 0, 4 * MSS, false);
    h.expectNothing();
    assertEquals(7 * MSS, h.tcb.stats().ssthresh());
    for (int sackedTo = 8000; sackedTo <= 10_000; sackedTo += 1000) {
      h.send(at(22), ack(0, 4000, sackedTo));
    }
    h.expectNothing(); // room in the pipe, but nothing lost is left and no new data waits

    // The partial ACKs: no NewReno retransmission at SND.UNA with SACK (RFC 6675), and no rescue
    // (NextSeg rule 4) while every hole's retransmission is in flight.
    h.send(at(32), ack(1000, 4000, 10_000));
    h.send(at(32), ack(2000, 4000, 10_000));
    h.send(at(32), ack(3000, 4000, 10_000));
    h.expectNothing();
    h.send(at(32), ack(10 * MSS));
    h.expectNothing();
    assertWindow(h, 7 * MSS, 7 * MSS); // RFC 6675 recovery ends with cwnd = ssthresh
    h.now = at(42);
    h.write(pattern(10 * MSS, 10 * MSS), false);
    expectData(h, 10 * MSS, 17 * MSS, false); // the script's 10001:17001
    h.expectNothing();
    assertEquals(4, h.tcb.stats().retransmittedSegments());
  }

  @Test
  @DisplayName(
      "packetdrill fast_recovery/prr-ss-30pkt-lost-1_4-11_16.pkt (up to the first partial ACK): limited transmit sends 11 and 12 as Linux does; then RACK deems 0–3 lost, one hole goes per SACK as the pipe allows, then new data")
  void thirtyPacketsTwoBurstsLost() {
    TcbHarness h = established(0, 10, 7, 20 * MSS);
    expectData(h, 0, 10 * MSS, false);
    // The first two duplicate ACKs each release a new segment (RFC 3042) — Linux's first two
    // sends too.
    h.send(at(20), ack(0, 4000, 5000));
    h.expectSegment(data(10 * MSS));
    h.send(at(22), ack(0, 4000, 6000));
    h.expectSegment(data(11 * MSS));
    // The third: three SACKed, RACK's reorder window is zero and 0–3 (sent at 10 ms, RACK.rtt
    // 14 ms) are lost (RFC 8985 §6.2). 0 goes whatever the pipe, then 1: the pipe of 6000 (7–11
    // and the retransmission) leaves 1000 under ssthresh = 7000. Linux sends 0 alone.
    h.send(at(24), ack(0, 4000, 7000));
    h.expectSegment(data(0));
    h.expectSegment(data(MSS));
    h.expectNothing();
    // Each SACK takes one more segment out of the pipe and lets one hole go: 2, then 3 — one
    // step ahead of Linux, which sends 1 and 2 on these ACKs.
    h.send(at(26), ack(0, 4000, 8000));
    h.expectSegment(data(2 * MSS));
    h.expectNothing();
    h.send(at(28), ack(0, 4000, 9000));
    h.expectSegment(data(3 * MSS));
    h.expectNothing();
    // No hole left: each SACK frees one segment of pipe, and new data fills it (NextSeg rule 2),
    // one segment per ACK — where Linux, a step behind, sends 3, then 12 and 13.
    for (int k = 0; k < 3; k++) {
      h.send(at(30 + 2 * k), ack(0, 4000, 10_000 + 1000 * k));
      h.expectSegment(data((12 + k) * MSS));
      h.expectNothing();
    }
    assertEquals(4, h.tcb.stats().retransmittedSegments());
    assertEquals(1, h.tcb.stats().fastRetransmits());
  }

  @Test
  @DisplayName(
      "packetdrill fast_recovery/prr-ss-ack-below-snd_una-cubic.pkt: the third SACK makes RACK deem 0 and 3–7 lost, all resent at once; the ACK of 4001 delivers a retransmission, so 9 is lost too; the reordered ACK below SND.UNA still brings SACK news, on which RACK finds 4's retransmission lost")
  void ackBelowSndUna() {
    TcbHarness h = established(0, 10, 8, 10 * MSS);
    expectData(h, 0, 10 * MSS, true);
    h.send(at(20), ack(0, 1000, 2000));
    h.send(at(20), ack(0, 1000, 3000));
    h.expectNothing();
    h.send(at(20), ack(0, 1000, 3000, 8000, 9000));
    // Three SACKed (1, 2, 8): the reorder window is zero and every un-SACKed segment sent before
    // 8 is lost — 0, 3, 4, 5, 6, 7, as Linux finds. ssthresh = 7000 and the pipe (9 and the
    // retransmissions) lets all six go; Linux's PRR sends 0 now and 4001:7001 at 32 ms.
    for (int seq : new int[] {0, 3000, 4000, 5000, 6000, 7000}) {
      h.expectSegment(data(seq));
    }
    h.expectNothing();
    assertEquals(7 * MSS, h.tcb.stats().ssthresh());

    // The ACK of 4001 delivers 3's retransmission, sent at 20 ms: RACK's newest delivered
    // segment (RTT 12 ms, not below min_RTT, so not ambiguous: RFC 8985 §6.2 step 2). 9, sent
    // at 10 ms, is not SACKed, and 10 + 12 ms has passed: lost (reorder window zero in
    // recovery). No partial-ACK retransmission of 4001: its retransmission is in flight.
    h.send(at(32), ack(4000, 8000, 9000));
    h.expectSegment(data(9000).flags(ACK | PSH));
    h.expectNothing();
    // The write: the pipe (the retransmissions of 4–7 and 9) leaves room for two new segments.
    h.write(pattern(10 * MSS, 10 * MSS), false);
    expectData(h, 10 * MSS, 12 * MSS, false);
    h.expectNothing();

    // The reordered ACK of 3001, below SND.UNA, SACKs 5001:7001: its SACK blocks count (RFC
    // 6675 §5 (C)), as Linux's do. 6's retransmission is now the newest delivered (RTT 14 ms);
    // 4's went just before it at 20 ms and is not SACKed: RACK deems it lost as well (RFC 8985
    // §6.2 step 5 judges retransmissions too) and sends it again, then two new segments as the
    // SACKed pair left the pipe. Linux sends 7001:8001 and 10001:11001 here, having resent less.
    h.send(at(34), ack(3000, 5000, 7000));
    h.expectSegment(data(4000));
    expectData(h, 12 * MSS, 14 * MSS, false);
    h.expectNothing();
    assertEquals(8, h.tcb.stats().retransmittedSegments());
    assertEquals(1, h.tcb.stats().fastRetransmits());
  }
}
