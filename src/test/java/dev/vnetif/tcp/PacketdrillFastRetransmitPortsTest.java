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
 * <p>Not ported here: {@code fr-4pkt-fack-last-mss.pkt} and {@code fr-4pkt-fack-last-byte.pkt}.
 * Both test RACK-TLP (RFC 8985) — a retransmission by RACK's reordering timer after one SACKed
 * segment, a tail loss probe, and no fast recovery for a SACK of the last byte alone; the RACK-TLP
 * rules themselves are ported from gVisor in {@link GvisorRackPortsTest}, these two scripts are
 * still to do.
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
}
