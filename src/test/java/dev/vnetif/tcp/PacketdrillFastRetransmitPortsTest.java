package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_ISS;
import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
import static dev.vnetif.tcp.TcbHarness.REMOTE_ISS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_SEQ;
import static dev.vnetif.tcp.TcbHarness.WINDOW;
import static dev.vnetif.tcp.TcbHarness.at;
import static dev.vnetif.tcp.TcbHarness.out;
import static dev.vnetif.tcp.TcbHarness.pattern;
import static dev.vnetif.tcp.TcbHarness.seg;
import static dev.vnetif.wire.TcpSegment.ACK;
import static dev.vnetif.wire.TcpSegment.FIN;
import static dev.vnetif.wire.TcpSegment.PSH;
import static dev.vnetif.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vnetif.tcp.TcbHarness.SegmentBuilder;
import dev.vnetif.wire.TcpOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The scenarios of packetdrill's {@code gtests/net/tcp/fast_retransmit} directory, rewritten
 * against our {@link Tcb}: four segments in flight, the first lost, three duplicate ACKs (with SACK
 * blocks or without) and the fast retransmit they trigger (RFC 5681 §3.2, RFC 6675), then the
 * close. packetdrill's time 0 is our {@code at(0)}; the peer's window of 257 is scaled by its shift
 * of 7 (RFC 7323 §2.3). Linux sends the four segments as one TSO burst; we send four segments.
 *
 * <p>{@code fr-4pkt-fack-last-mss.pkt} and {@code fr-4pkt-fack-last-byte.pkt} run with RACK-TLP
 * (RFC 8985), our default with SACK: the peer announces MSS 1000, so four segments of 1000 go. As
 * in the other RACK ports, RACK's reorder timer fires at RTT + min_RTT/4 exactly and recovery sends
 * what RFC 6675's pipe allows under ssthresh at once, where Linux's PRR sends one per ACK. {@code
 * fr-4pkt-fack-last-byte.pkt} tests that a SACK of the last byte alone starts no recovery; ours
 * does: Linux drops SACK blocks that cover no whole MSS, while our scoreboard keeps bytes (RFC
 * 2018, RFC 6675) and RACK takes the byte as delivered, so the segments sent before it are lost
 * after RTT + reo_wnd (RFC 8985 §6.2). The port asserts our recovery and the script's close, and
 * says in its comments where Linux's probe and timeout would have been.
 */
class PacketdrillFastRetransmitPortsTest {
  private static final int PEER_WINDOW = 257; // << 7 = 32896 bytes
  private static final int MSS = 1460;

  /**
   * The scripts' handshake: the peer's SYN at 100 ms (MSS 1460, window scale 7, SACK-permitted or
   * not), its ACK at 200 ms; then 5840 bytes written.
   */
  private static TcbHarness fourSegmentsInFlight(boolean sack) {
    TcpConfig config = TcbHarness.config().withSack(true);
    SegmentBuilder syn =
        seg().flags(SYN).seq(REMOTE_ISS).ack(0).window(32_792).mss(MSS).windowScale(7);
    TcbHarness h = TcbHarness.listen(config);
    h.send(at(100), sack ? syn.sackOk() : syn);
    TcpOptions answer = TcpOptions.NONE.withMss(MSS);
    h.expectSegment(
        out()
            .flags(SYN | ACK)
            .seq(LOCAL_ISS)
            .ack(REMOTE_SEQ)
            .options((sack ? answer.withSackPermitted() : answer).withWindowScale(0)));
    h.send(at(200), peer(0));
    h.write(pattern(0, 4 * MSS), false);
    for (int n = 0; n < 4; n++) {
      h.expectSegment(segment(n).flags(n == 3 ? ACK | PSH : ACK));
    }
    h.expectNothing();
    return h;
  }

  /** Our data segment {@code n} (from 0). */
  private static SegmentBuilder segment(int n) {
    return out().seq(LOCAL_SEQ + n * MSS).ack(REMOTE_SEQ).payload(pattern(n * MSS, MSS));
  }

  /** The peer's ACK of {@code bytes} of our data. */
  private static SegmentBuilder peer(int bytes) {
    return seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + bytes).window(PEER_WINDOW);
  }

  /** The rest of both scripts: everything acknowledged, then close() and the peer's FIN. */
  private static void acknowledgeAndClose(TcbHarness h) {
    h.send(at(400), peer(4 * MSS));
    h.expectNothing();
    h.now = at(500);
    h.tcb.shutdownWrite(h.now);
    h.expectSegment(out().flags(FIN | ACK).seq(LOCAL_SEQ + 4 * MSS).ack(REMOTE_SEQ));
    h.send(
        at(600),
        seg().flags(FIN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ + 4 * MSS + 1).window(PEER_WINDOW));
    // The FIN took a sequence number inside the window we offered: its right edge stays put.
    h.expectSegment(out().seq(LOCAL_SEQ + 4 * MSS + 1).ack(REMOTE_SEQ + 1).window(WINDOW - 1));
    h.expectState(TcpState.TIME_WAIT);
    assertEquals(1, h.tcb.stats().fastRetransmits());
    assertEquals(1, h.tcb.stats().retransmittedSegments());
    assertEquals(0, h.tcb.stats().timeouts());
  }

  @Test
  @DisplayName(
      "packetdrill fast_retransmit/fr-4pkt-sack.pkt: three duplicate ACKs SACKing segments 2–4 fast-retransmit segment 1, once; the close goes on normally")
  void fourPacketsWithSack() {
    TcbHarness h = fourSegmentsInFlight(true);
    h.send(at(300), peer(0).sack(LOCAL_SEQ + MSS, LOCAL_SEQ + 2 * MSS));
    h.send(at(300), peer(0).sack(LOCAL_SEQ + MSS, LOCAL_SEQ + 3 * MSS));
    h.expectNothing(); // limited transmit (RFC 3042) has no new data to send
    h.send(at(300), peer(0).sack(LOCAL_SEQ + MSS, LOCAL_SEQ + 4 * MSS));
    h.expectSegment(segment(0));
    h.expectNothing(); // everything else is SACKed: no hole left to retransmit (RFC 6675)
    acknowledgeAndClose(h);
  }

  @Test
  @DisplayName(
      "packetdrill fast_retransmit/fr-4pkt.pkt: without SACK, three duplicate ACKs fast-retransmit segment 1, once; the close goes on normally")
  void fourPacketsWithoutSack() {
    TcbHarness h = fourSegmentsInFlight(false);
    h.send(at(300), peer(0));
    h.send(at(300), peer(0));
    h.expectNothing();
    h.send(at(300), peer(0));
    h.expectSegment(segment(0));
    h.expectNothing();
    acknowledgeAndClose(h);
  }

  // ------------------------------------------------------------------ the RACK scripts

  private static final int MSS_1000 = 1000;

  /**
   * The fack scripts' start: the peer's SYN at {@code synAt} (MSS 1000, SACK-permitted, window
   * scale 7), its ACK one RTT later with window 320 (40960 bytes), then 4000 bytes written: four
   * segments of 1000, the last with PSH (Linux: one TSO burst).
   */
  private static TcbHarness fourSegmentsOf1000(long synAt) {
    TcbHarness h = TcbHarness.listen(TcbHarness.config().withSack(true));
    h.send(
        at(synAt),
        seg()
            .flags(SYN)
            .seq(REMOTE_ISS)
            .ack(0)
            .window(32_792)
            .mss(MSS_1000)
            .sackOk()
            .windowScale(7));
    h.expectSegment(
        out()
            .flags(SYN | ACK)
            .seq(LOCAL_ISS)
            .ack(REMOTE_SEQ)
            .options(TcpOptions.NONE.withMss(MSS).withSackPermitted().withWindowScale(0)));
    h.send(at(synAt + 100), ack1000(0).window(320));
    h.write(pattern(0, 4 * MSS_1000), false);
    for (int n = 0; n < 4; n++) {
      h.expectSegment(resent1000(n).flags(n == 3 ? ACK | PSH : ACK));
    }
    h.expectNothing();
    return h;
  }

  /** Our segment {@code n} (from 0) of 1000 bytes, without PSH. */
  private static SegmentBuilder resent1000(int n) {
    return out()
        .seq(LOCAL_SEQ + n * MSS_1000)
        .ack(REMOTE_SEQ)
        .payload(pattern(n * MSS_1000, MSS_1000));
  }

  /** The peer's ACK of {@code bytes} of our data, window 320 (scaled). */
  private static SegmentBuilder ack1000(int bytes) {
    return seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + bytes).window(320);
  }

  @Test
  @DisplayName(
      "packetdrill fast_retransmit/fr-4pkt-fack-last-mss.pkt: a SACK for the last of four segments arms RACK's reorder timer instead of a fast retransmit; at RTT + min_RTT/4 (225 ms) the first three are lost and all three go at once (the script: the first alone)")
  void fackLastMss() {
    TcbHarness h = fourSegmentsOf1000(0);
    h.send(at(200), ack1000(0).sack(LOCAL_SEQ + 3 * MSS_1000, LOCAL_SEQ + 4 * MSS_1000));
    h.expectNothing(); // one SACKed segment: RACK waits (RFC 8985 §6.2 step 4: reo_wnd 25 ms)
    assertEquals(at(225), h.tcb.timers().deadline(TcbTimers.Kind.REORDER));
    h.tick(at(225) - 1);
    h.expectNothing();
    h.tick(at(225));
    // The script allows Linux until 240 ms; ours fires at 100 + RTT 100 + 25 ms exactly. Segments
    // 0–2 are lost; CUBIC's ssthresh, 0.7 · cwnd (10 segments) as Linux's, leaves the pipe room
    // for all three at once (RFC 6675 §5), where Linux's PRR sends 0 alone.
    h.expectSegment(resent1000(0));
    h.expectSegment(resent1000(1));
    h.expectSegment(resent1000(2));
    h.expectNothing();
    assertEquals(7 * MSS_1000, h.tcb.stats().ssthresh());
    assertEquals(1, h.tcb.stats().fastRetransmits());
    assertEquals(3, h.tcb.stats().retransmittedSegments());
    assertEquals(0, h.tcb.stats().tailLossProbes());
    assertEquals(0, h.tcb.stats().timeouts());
  }

  @Test
  @DisplayName(
      "packetdrill fast_retransmit/fr-4pkt-fack-last-byte.pkt (differs): a SACK for the last byte alone makes RACK deem the rest lost at 325 ms and recover — Linux ignores a SACK that covers no whole MSS and waits for its tail loss probe and the RTO; the close goes on normally")
  void fackLastByte() {
    TcbHarness h = fourSegmentsOf1000(100);
    int lastByte = LOCAL_SEQ + 4 * MSS_1000 - 1;
    h.send(at(300), ack1000(0).sack(lastByte, lastByte + 1));
    h.expectNothing();
    // Linux rounds SACK blocks to whole MSSes (tcp_match_skb_to_sack) and drops this one, so the
    // script sees a tail loss probe at 400 ms and the RTO at 700 ms. Our scoreboard counts bytes
    // (RFC 2018, RFC 6675): the byte is delivered, sent at 200 ms with everything before it, so
    // RACK deems 0–2 and the first 999 bytes of 3 lost at 200 + 100 + 25 ms (RFC 8985 §6.2).
    assertEquals(at(325), h.tcb.timers().deadline(TcbTimers.Kind.REORDER));
    h.tick(at(325) - 1);
    h.expectNothing();
    h.tick(at(325));
    // ssthresh 7000 (CUBIC): all of it goes at once, the SACKed byte left out of 3 (the script,
    // after its RTO: all of 3, with PSH). No probe: recovery, and a SACK.
    h.expectSegment(resent1000(0));
    h.expectSegment(resent1000(1));
    h.expectSegment(resent1000(2));
    h.expectSegment(
        out().seq(LOCAL_SEQ + 3000).ack(REMOTE_SEQ).payload(pattern(3000, MSS_1000 - 1)));
    h.expectNothing();
    // The script's ACKs one RTT later, the first two with the last byte SACKed again.
    h.send(at(425), ack1000(1000).sack(lastByte, lastByte + 1));
    h.send(at(425), ack1000(3000).sack(lastByte, lastByte + 1));
    h.expectNothing();
    h.send(at(425), ack1000(4000).window(257));
    h.expectNothing();
    assertEquals(7 * MSS_1000, h.tcb.stats().cwnd()); // recovery ends with cwnd = ssthresh
    assertEquals(7 * MSS_1000, h.tcb.stats().ssthresh());
    h.now = at(425);
    h.tcb.shutdownWrite(h.now);
    h.expectSegment(out().flags(FIN | ACK).seq(LOCAL_SEQ + 4000).ack(REMOTE_SEQ));
    h.send(at(525), seg().flags(FIN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ + 4001).window(257));
    h.expectSegment(out().seq(LOCAL_SEQ + 4001).ack(REMOTE_SEQ + 1).window(WINDOW - 1));
    h.expectState(TcpState.TIME_WAIT);
    assertEquals(1, h.tcb.stats().fastRetransmits());
    assertEquals(4, h.tcb.stats().retransmittedSegments());
    assertEquals(0, h.tcb.stats().tailLossProbes()); // the script: one
    assertEquals(0, h.tcb.stats().timeouts()); // the script: one
  }
}
