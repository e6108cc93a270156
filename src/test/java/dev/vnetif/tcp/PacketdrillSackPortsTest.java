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
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.vnetif.tcp.TcbHarness.SegmentBuilder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The scenarios of packetdrill's {@code gtests/net/tcp/sack} directory, rewritten against our
 * {@link Tcb}: which segments SACK-based recovery sends again as SACK blocks arrive in various
 * orders — never one the peer SACKed, every segment RACK deems lost (RFC 8985 §6), as many at once
 * as the pipe leaves room for under ssthresh (RFC 6675 §5). Linux runs these scripts with RACK on,
 * as our sender's default loss detection is, so the ports assert RACK's verdicts at the script's
 * times. packetdrill's time 0 is our {@code at(0)}; CUBIC is the congestion control, as in the
 * scripts.
 *
 * <p>Adapted, and why:
 *
 * <ul>
 *   <li>We do not do PRR (RFC 6937): where Linux sends one retransmission per arriving ACK, we send
 *       every lost segment the pipe allows at once (RFC 6675 §5 step 4.3, then NextSeg rule 1).
 *   <li>RACK's reorder timer fires at RTT + min_RTT/4 exactly (225 ms where the scripts say 227:
 *       Linux adds two jiffies of timer slack).
 *   <li>{@code sack-shift-sacked-2-6-8-3-9-nofack.pkt}: the scripts' handshake ACK offers a window
 *       of 1024 and the data ACKs 257; the port keeps 257 throughout, so that every ACK is a
 *       duplicate by RFC 5681 §2. The script's assertions of Linux's reordering degree
 *       (tcpi_reordering) have no counterpart: RACK replaces it.
 *   <li>{@code sack-route-refresh-ip-tos.pkt}: the IP_TOS route refresh is Linux's and has no
 *       counterpart; the rest is ported as written.
 * </ul>
 */
class PacketdrillSackPortsTest {
  private static final int MSS_1000 = 1000;
  private static final int PEER_WINDOW = 257; // << 7

  /** Our data segment {@code n} (from 0) of {@code mss} bytes. */
  private static SegmentBuilder segment(int n, int mss) {
    return out().seq(LOCAL_SEQ + n * mss).ack(REMOTE_SEQ).payload(pattern(n * mss, mss));
  }

  /**
   * The sack-shift scripts' start: passive open with MSS 1000, SACK-permitted and window scale 7 at
   * 0, the handshake completed at 100 ms, 10000 bytes written: ten segments in flight.
   */
  private static TcbHarness tenSegmentsInFlight() {
    TcbHarness h =
        TcbHarness.acceptedWith(
            TcbHarness.config().withSack(true),
            at(0),
            seg()
                .flags(SYN)
                .seq(REMOTE_ISS)
                .ack(0)
                .window(32_792)
                .mss(MSS_1000)
                .sackOk()
                .windowScale(7),
            at(100),
            peerAck(0));
    h.write(pattern(0, 10 * MSS_1000), false);
    for (int n = 0; n < 10; n++) {
      h.expectSegment(segment(n, MSS_1000).flags(n == 9 ? ACK | PSH : ACK));
    }
    h.expectNothing();
    return h;
  }

  /** The peer's ACK of {@code segments} whole segments of 1000 bytes, SACKing segment ranges. */
  private static SegmentBuilder peerAck(int segments, int... sackedSegmentEdges) {
    SegmentBuilder ack =
        seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + segments * MSS_1000).window(PEER_WINDOW);
    if (sackedSegmentEdges.length == 0) {
      return ack;
    }
    int[] edges = new int[sackedSegmentEdges.length];
    for (int i = 0; i < edges.length; i++) {
      edges[i] = LOCAL_SEQ + sackedSegmentEdges[i] * MSS_1000;
    }
    return ack.sack(edges);
  }

  private static SegmentBuilder resent(int n) {
    return segment(n, MSS_1000);
  }

  private static void ackAllAndExpectNothingMore(TcbHarness h, long ms, int retransmissions) {
    h.send(at(ms), peerAck(10));
    h.expectNothing();
    assertEquals(0, h.tcb.stats().bytesInFlight());
    assertEquals(retransmissions, h.tcb.stats().retransmittedSegments());
    assertEquals(1, h.tcb.stats().fastRetransmits());
    assertEquals(0, h.tcb.stats().timeouts());
  }

  @Test
  @DisplayName(
      "packetdrill sack/sack-shift-sacked-2-6-8-3-9-nofack.pkt: the SACK for 8 (DupThresh SACKed) makes RACK deem 0, 1, 3, 4, 5, 7 lost at 202 ms, as Linux (tcpi_lost 6); all six go at once (Linux: one per ACK, PRR); the later SACKs and partial ACKs send nothing")
  void sackShift26839() {
    TcbHarness h = tenSegmentsInFlight();
    h.send(at(200), peerAck(0, 2, 3));
    h.expectNothing(); // RACK waits RTT + min_RTT/4 (RFC 8985 §6.2 step 4: one SACKed)
    assertEquals(at(225), h.tcb.timers().deadline(TcbTimers.Kind.REORDER));
    h.send(at(201), peerAck(0, 2, 3, 6, 7));
    h.expectNothing();
    h.send(at(202), peerAck(0, 2, 3, 6, 7, 8, 9));
    // Three SACKed segments: the reorder window is zero (RFC 8985 §6.2 step 4), and every
    // un-SACKed segment sent before 8 is lost now (all went at 100 ms; RACK.rtt is 102 ms).
    // ssthresh = 0.7 · 10000; the pipe (segment 9) leaves room for all six, the first going
    // regardless of the pipe (RFC 6675 §5 step 4.3).
    for (int n : new int[] {0, 1, 3, 4, 5, 7}) {
      h.expectSegment(resent(n));
    }
    h.expectNothing();
    assertEquals(7000, h.tcb.stats().ssthresh());
    assertEquals(1, h.tcb.stats().fastRetransmits());
    assertFalse(h.tcb.timers().isArmed(TcbTimers.Kind.REORDER));

    // The SACKs for 3 and 9 and the partial ACKs (the script's times): no NewReno partial-ACK
    // retransmission (RFC 6675 recovery), no rescue while every hole has its retransmission in
    // flight, nothing deemed lost again.
    h.send(at(209), peerAck(0, 2, 4, 6, 7, 8, 9));
    h.send(at(219), peerAck(0, 2, 4, 6, 7, 8, 10));
    h.send(at(302), peerAck(1, 2, 4, 6, 7, 8, 10));
    h.send(at(319), peerAck(4, 6, 7, 8, 10));
    h.send(at(329), peerAck(7, 8, 10));
    h.expectNothing();

    ackAllAndExpectNothingMore(h, 429, 6);
    assertEquals(7000, h.tcb.stats().cwnd()); // RFC 6675 recovery ends with cwnd = ssthresh
  }

  @Test
  @DisplayName(
      "packetdrill sack/sack-shift-sacked-7-3-4-8-9-fack.pkt: one SACK for 7 arms RACK's reorder timer; at 225 ms it deems 0–6 lost (Linux: at 227, tcpi_lost 7) and 0–4 go as the pipe allows; the SACKs for 3 and 4 release 5 and 6")
  void sackShift73489() {
    TcbHarness h = tenSegmentsInFlight();
    h.send(at(200), peerAck(0, 7, 8));
    h.expectNothing();
    // RFC 8985 §6.2–6.3: segment 7's RTT is 100 ms; one segment SACKed and no reordering seen,
    // so the window is min_RTT / 4 = 25 ms. Linux's timer fires 2 ms later (it adds two jiffies
    // of slack), hence the script's 227.
    h.tick(at(224));
    h.expectNothing();
    h.tick(at(225));
    // 0–6 are lost: ssthresh = 7000 and the pipe (8, 9) leaves room for five (Linux, pacing by
    // PRR, sends 0 alone now, 1 and 2 on the next two ACKs).
    for (int n = 0; n <= 4; n++) {
      h.expectSegment(resent(n));
    }
    h.expectNothing();
    assertEquals(7000, h.tcb.stats().ssthresh());

    // The SACK for 3, then for 4: each covers a segment whose retransmission is in flight, which
    // leaves the pipe (RFC 6675 §4) and makes room for the next lost one (NextSeg rule 1).
    h.send(at(229), peerAck(0, 3, 4, 7, 8));
    h.expectSegment(resent(5));
    h.expectNothing();
    h.send(at(231), peerAck(0, 3, 5, 7, 8));
    h.expectSegment(resent(6));
    h.expectNothing();
    // The SACKs for 8 and 9 free room, but nothing is left to send: no new data, every hole
    // resent.
    h.send(at(233), peerAck(0, 3, 5, 7, 9));
    h.send(at(235), peerAck(0, 3, 5, 7, 10));
    h.expectNothing();

    ackAllAndExpectNothingMore(h, 335, 7);
  }

  @Test
  @DisplayName(
      "packetdrill sack/sack-shift-sacked-7-5-6-8-9-fack.pkt: RACK's reorder timer deems 0–6 lost at 225 ms (Linux: 227) and resends 0–4 at once, the five Linux resends one per ACK; the SACKs for 5 and 6 spare them, those for 8 and 9 add nothing")
  void sackShift75689() {
    TcbHarness h = tenSegmentsInFlight();
    h.send(at(200), peerAck(0, 7, 8));
    h.tick(at(224));
    h.expectNothing();
    h.tick(at(225));
    for (int n = 0; n <= 4; n++) {
      h.expectSegment(resent(n));
    }
    h.expectNothing();
    // 5 and 6 arrive after all: lost but not yet resent, they leave the list (RFC 6675 NextSeg
    // skips SACKed data); 8 and 9 free room that nothing needs.
    h.send(at(227), peerAck(0, 5, 6, 7, 8));
    h.send(at(227), peerAck(0, 5, 8));
    h.send(at(227), peerAck(0, 5, 9));
    h.send(at(227), peerAck(0, 5, 10));
    h.expectNothing();

    ackAllAndExpectNothingMore(h, 327, 5); // as Linux: five retransmissions in all
  }

  @Test
  @DisplayName(
      "packetdrill sack/sack-route-refresh-ip-tos.pkt: one ACK with SACK blocks 16061:17521 and 20441:26281 starts recovery (RACK), which resends exactly the holes 13141:16061 and 17521:20441, no SACKed segment")
  void sackedSegmentsAreNotRetransmitted() {
    int mss = 1460;
    TcbHarness h = TcbHarness.synSent(TcbHarness.config().withSack(true));
    h.send(
        at(10),
        seg()
            .flags(SYN | ACK)
            .seq(REMOTE_ISS)
            .ack(LOCAL_SEQ)
            .window(65_535)
            .mss(mss)
            .windowScale(2)
            .sackOk());
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    int written = 0;
    // Two writes of 5840 bytes, each acknowledged 10 ms later, then one of 14600.
    for (int round = 0; round < 3; round++) {
      int bytes = round < 2 ? 4 * mss : 10 * mss;
      h.now = at(20 + 20 * round);
      h.write(pattern(written, bytes), false);
      for (int offset = 0; offset < bytes; offset += mss) {
        int seq = written + offset;
        SegmentBuilder expected = out().seq(LOCAL_SEQ + seq).ack(REMOTE_SEQ);
        h.expectSegment(
            expected.payload(pattern(seq, mss)).flags(offset + mss == bytes ? ACK | PSH : ACK));
      }
      h.expectNothing();
      written += bytes;
      if (round < 2) {
        h.send(at(30 + 20 * round), ack(written));
      }
    }

    // 11681:13141, 16061:17521 and 20441:26281 arrive; one ACK says so. Three segments are
    // SACKed above the holes, so RACK's reorder window is zero (RFC 8985 §6.2 step 4): every
    // un-SACKed segment sent before 26281 is lost at once, recovery starts on this ACK, and both
    // holes go as the script expects (Linux sends each as one 2920-byte TSO segment).
    h.send(
        at(70),
        ack(13_140)
            .sack(LOCAL_SEQ + 16_060, LOCAL_SEQ + 17_520, LOCAL_SEQ + 20_440, LOCAL_SEQ + 26_280));
    for (int seq : new int[] {13_140, 14_600, 17_520, 18_980}) {
      h.expectSegment(out().seq(LOCAL_SEQ + seq).ack(REMOTE_SEQ).payload(pattern(seq, mss)));
    }
    h.expectNothing();
    assertEquals(1, h.tcb.stats().fastRetransmits());
    h.send(at(80), ack(26_280));
    h.expectNothing();
    assertEquals(4, h.tcb.stats().retransmittedSegments());
    assertEquals(0, h.tcb.stats().timeouts());
  }

  /** The route-refresh peer's ACK of {@code bytes} (window 65535, scaled by its shift of 2). */
  private static SegmentBuilder ack(int bytes) {
    return seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + bytes).window(65_535);
  }
}
