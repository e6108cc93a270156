package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_ISS;
import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
import static dev.vnetif.tcp.TcbHarness.MS;
import static dev.vnetif.tcp.TcbHarness.MSS;
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
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.wire.SeqNum;
import dev.vnetif.wire.TcpSegment;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Sequence numbers are 32-bit and wrap (RFC 9293 §3.4: all arithmetic modulo 2^32). Transfers here
 * start a few segments below 2^32 so that the wrap falls in the middle, on the receiving side, the
 * sending side and in both directions between two blocks.
 */
class TcbWrapAroundTest {

  /**
   * ESTABLISHED as the active side with our ISS {@code localIss} and the peer's {@code remoteIss};
   * the peer offered {@code window} and MSS 1460.
   */
  private static TcbHarness established(TcpConfig config, int localIss, int remoteIss, int window) {
    TcbHarness h = new TcbHarness();
    h.tcb = Tcb.connect(config, TcbHarness.LOCAL_PORT, TcbHarness.REMOTE_PORT, localIss, h, h.now);
    h.clear();
    h.send(h.now, seg().flags(SYN | ACK).seq(remoteIss).ack(localIss + 1).mss(MSS).window(window));
    TcpSegment ack = h.nextSegment();
    assertEquals(localIss + 1, ack.seq());
    assertEquals(remoteIss + 1, ack.ack());
    h.clear();
    return h;
  }

  // ------------------------------------------------------------------ receiving

  /** The peer's first byte is 2999 below 2^32: its third segment straddles the wrap. */
  private static final int PEER_SEQ = -2_999;

  private static TcbHarness.SegmentBuilder peerData(int offset, int n) {
    return seg().seq(PEER_SEQ + offset).ack(LOCAL_SEQ).payload(pattern(offset, n));
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.4: in-order segments across 2^32 are delivered and ACKed with wrapped numbers")
  void receiveAcrossTheWrap() {
    TcbHarness h = established(TcbHarness.config(), LOCAL_ISS, PEER_SEQ - 1, WINDOW);
    h.send(at(10), peerData(0, MSS));
    h.send(at(11), peerData(MSS, MSS));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(PEER_SEQ + 2 * MSS).window(WINDOW - 2 * MSS));
    assertEquals(0xFFFF_FFB1L, SeqNum.toUnsigned(PEER_SEQ + 2 * MSS));
    h.send(at(12), peerData(2 * MSS, MSS)); // 0xFFFFFFB1 .. 0x00000565
    h.tick(at(52));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(1_381).window(WINDOW - 3 * MSS));
    h.send(at(60), peerData(3 * MSS, MSS));
    h.send(at(61), peerData(4 * MSS, MSS));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(1_381 + 2 * MSS).window(WINDOW - 5 * MSS));
    for (int i = 0; i < 5; i++) {
      h.expectEvent(new TcbEvent.DataReceived(pattern(i * MSS, MSS)));
    }
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.4, RFC 5681 §4.2: out-of-order segments on both sides of 2^32 are held, dup-ACKed, and delivered when the hole fills")
  void outOfOrderAcrossTheWrap() {
    TcbHarness h = established(TcbHarness.config(), LOCAL_ISS, PEER_SEQ - 1, WINDOW);
    h.send(at(10), peerData(0, MSS));
    h.send(at(11), peerData(2 * MSS, MSS)); // straddles 2^32
    h.expectSegment(out().seq(LOCAL_SEQ).ack(PEER_SEQ + MSS).window(WINDOW - MSS));
    h.send(at(12), peerData(3 * MSS, MSS)); // wholly after 2^32
    h.expectSegment(out().seq(LOCAL_SEQ).ack(PEER_SEQ + MSS).window(WINDOW - MSS));
    h.send(at(13), peerData(MSS, MSS));
    h.expectEvent(new TcbEvent.DataReceived(pattern(0, MSS)));
    h.expectEvent(new TcbEvent.DataReceived(pattern(MSS, MSS)));
    h.expectEvent(new TcbEvent.DataReceived(pattern(2 * MSS, 2 * MSS)));
    h.expectNoEvent();
    h.expectSegment(out().seq(LOCAL_SEQ).ack(2_841).window(WINDOW - 4 * MSS));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.4, §3.10.7.4: a FIN at sequence number 0 that arrives ahead of the bytes below 2^32 waits for them")
  void finAtZeroAfterTheWrap() {
    TcbHarness h = established(TcbHarness.config(), LOCAL_ISS, -101, WINDOW);
    h.send(at(10), seg().flags(ACK | FIN).seq(0).ack(LOCAL_SEQ).payload(pattern(100, 50)));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(-100));
    h.expectNoEvent();
    h.send(at(11), seg().seq(-100).ack(LOCAL_SEQ).payload(pattern(0, 100)));
    h.expectEvent(new TcbEvent.DataReceived(pattern(0, 100)));
    h.expectEvent(new TcbEvent.DataReceived(pattern(100, 50)));
    h.expectEvent(TcbEvent.PEER_FINISHED);
    h.expectState(TcpState.CLOSE_WAIT);
    h.expectSegment(out().seq(LOCAL_SEQ).ack(51).window(WINDOW - 151));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4: acceptability with a window straddling 2^32 — its last byte is taken, the next is refused, old text ACKed")
  void acceptabilityAcrossTheWrap() {
    TcbHarness h =
        established(TcbHarness.config().withBuffers(1_000, WINDOW), LOCAL_ISS, -501, WINDOW);
    // RCV.NXT = 2^32 - 500, RCV.WND = 1000: the window ends at 500.
    h.send(at(10), seg().seq(499).ack(LOCAL_SEQ).payload(pattern(999, 1)));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(-500).window(1_000));
    h.send(at(11), seg().seq(500).ack(LOCAL_SEQ).payload(pattern(1_000, 1)));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(-500).window(1_000));
    h.expectNoEvent();
    h.send(at(12), seg().seq(-500).ack(LOCAL_SEQ).payload(pattern(0, 999)));
    h.expectEvent(new TcbEvent.DataReceived(pattern(0, 999)));
    h.expectEvent(new TcbEvent.DataReceived(pattern(999, 1)));
    h.expectNoEvent();
    h.expectSegment(out().seq(LOCAL_SEQ).ack(500).window(0));
    h.tcb.consumed(1_000, at(20));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(500).window(1_000));
    // Text from below 2^32 is now old.
    h.send(at(30), seg().seq(-500).ack(LOCAL_SEQ).payload(pattern(0, 100)));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(500).window(1_000));
    h.expectNoEvent();
    h.expectNothing();
  }

  // ------------------------------------------------------------------ sending

  @Test
  @DisplayName(
      "RFC 9293 §3.4: our segments cross 2^32 and ACKs on both sides of it free the send buffer; an old ACK from before is ignored")
  void sendAcrossTheWrap() {
    int iss = -2_000; // first byte at 2^32 - 1999
    TcbHarness h = established(TcbHarness.config(), iss, REMOTE_ISS, WINDOW);
    h.write(pattern(0, 3 * MSS), false);
    h.expectSegment(out().seq(iss + 1).ack(REMOTE_SEQ).payload(pattern(0, MSS)));
    h.expectSegment(out().seq(-539).ack(REMOTE_SEQ).payload(pattern(MSS, MSS)));
    h.expectSegment(out().flags(ACK | PSH).seq(921).ack(REMOTE_SEQ).payload(pattern(2 * MSS, MSS)));
    h.send(at(10), seg().seq(REMOTE_SEQ).ack(-539));
    h.expectEvent(new TcbEvent.DataAcknowledged(MSS, WINDOW - 2 * MSS));
    h.send(at(11), seg().seq(REMOTE_SEQ).ack(921));
    h.expectEvent(new TcbEvent.DataAcknowledged(2 * MSS, WINDOW - MSS));
    h.send(at(12), seg().seq(REMOTE_SEQ).ack(2_381));
    h.expectEvent(new TcbEvent.DataAcknowledged(3 * MSS, WINDOW));
    assertFalse(h.tcb.timers().isArmed(TcbTimers.Kind.RETRANSMIT));
    // An ACK from before the wrap is old, not 4 GiB ahead.
    h.send(at(13), seg().seq(REMOTE_SEQ).ack(-539));
    h.expectNoEvent();
    h.expectNothing();
    assertEquals(3 * MSS, h.tcb.acknowledgedTotal());
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.8.6.2.1: the peer's window is measured from SND.UNA across 2^32 (an ACK of exactly 0 opens it)")
  void sendWindowAcrossTheWrap() {
    int iss = -1_461; // first byte at 2^32 - 1460: the second segment starts at 0
    TcbHarness h = established(TcbHarness.config(), iss, REMOTE_ISS, 2 * MSS);
    h.write(pattern(0, 4 * MSS), true);
    h.expectSegment(out().seq(-1_460).ack(REMOTE_SEQ).payload(pattern(0, MSS)));
    h.expectSegment(out().seq(0).ack(REMOTE_SEQ).payload(pattern(MSS, MSS)));
    h.expectNothing();
    h.send(at(10), seg().seq(REMOTE_SEQ).ack(0).window(2 * MSS));
    h.expectSegment(out().seq(MSS).ack(REMOTE_SEQ).payload(pattern(2 * MSS, MSS)));
    h.expectNothing();
    h.send(at(11), seg().seq(REMOTE_SEQ).ack(MSS).window(2 * MSS));
    h.expectSegment(
        out().flags(ACK | PSH).seq(2 * MSS).ack(REMOTE_SEQ).payload(pattern(3 * MSS, MSS)));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 6298 §5.4: a segment straddling 2^32 is retransmitted unchanged when the RTO expires")
  void retransmissionAcrossTheWrap() {
    int iss = -1_000;
    TcbHarness h = established(TcbHarness.config(), iss, REMOTE_ISS, WINDOW);
    h.write(pattern(0, MSS), false);
    h.expectSegment(out().flags(ACK | PSH).seq(-999).ack(REMOTE_SEQ).payload(pattern(0, MSS)));
    h.tick(at(199));
    h.expectNothing();
    h.tick(at(200));
    h.expectSegment(out().flags(ACK | PSH).seq(-999).ack(REMOTE_SEQ).payload(pattern(0, MSS)));
    h.send(at(250), seg().seq(REMOTE_SEQ).ack(-999 + MSS));
    h.expectEvent(new TcbEvent.DataAcknowledged(MSS, WINDOW));
    assertFalse(h.tcb.timers().isArmed(TcbTimers.Kind.RETRANSMIT));
    h.tick(at(10_000));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.6: with SND.NXT = 0 the keepalive probe's sequence number is 2^32 - 1")
  void keepaliveProbeWrapsBelowZero() {
    TcpConfig config =
        TcbHarness.config().withKeepalive(new KeepaliveSettings(10_000 * MS, 1_000 * MS, 3));
    TcbHarness h = established(config, -1, REMOTE_ISS, WINDOW);
    h.tick(at(10_000));
    h.expectSegment(out().seq(0xFFFF_FFFF).ack(REMOTE_SEQ));
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.8.6.1: zero-window probes at 2^32 - 1 and then at 0 when the peer takes the probe byte")
  void persistProbeAcrossTheWrap() {
    TcpConfig config = TcbHarness.config().withRto(1_000 * MS, 1_000 * MS, 60_000 * MS);
    TcbHarness h = established(config, -2, REMOTE_ISS, 0);
    h.write("hello");
    h.expectNothing();
    h.tick(at(1_000));
    h.expectSegment(out().seq(0xFFFF_FFFF).ack(REMOTE_SEQ).payload("h"));
    h.send(at(1_000), seg().seq(REMOTE_SEQ).ack(0).window(0));
    h.expectEvent(new TcbEvent.DataAcknowledged(1, WINDOW - 4));
    h.tick(at(3_000));
    h.expectSegment(out().seq(0).ack(REMOTE_SEQ).payload("e"));
    h.send(at(3_100), seg().seq(REMOTE_SEQ).ack(1).window(WINDOW));
    h.expectSegment(out().flags(ACK | PSH).seq(1).ack(REMOTE_SEQ).payload("llo"));
    h.expectNothing();
  }

  // ------------------------------------------------------------------ both directions

  @Test
  @DisplayName(
      "RFC 9293 §3.4: two blocks exchange 200 KB each way with both ISNs just below 2^32, then close cleanly")
  void twoBlocksTransferAcrossTheWrap() {
    TcpConfig config = TcbHarness.config();
    TcbPersistTest.TcbPair pair = new TcbPersistTest.TcbPair(config, -10_000, config, -7_777);
    byte[] up = TcbPersistTest.TcbPair.randomBytes(200_000, 11);
    byte[] down = TcbPersistTest.TcbPair.randomBytes(200_000, 12);
    int upWritten = 0;
    int downWritten = 0;
    for (int round = 0;
        round < 10_000
            && (pair.server.received.size() < up.length
                || pair.client.received.size() < down.length);
        round++) {
      upWritten += pair.write(pair.client, up, upWritten);
      downWritten += pair.write(pair.server, down, downWritten);
      pair.advance(pair.now + 10 * MS);
      pair.consume(pair.client, Integer.MAX_VALUE);
      pair.consume(pair.server, Integer.MAX_VALUE);
    }
    assertArrayEquals(up, pair.server.received.toByteArray());
    assertArrayEquals(down, pair.client.received.toByteArray());
    assertEquals(up.length, pair.client.tcb.acknowledgedTotal());
    assertEquals(down.length, pair.server.tcb.acknowledgedTotal());
    pair.client.tcb.shutdownWrite(pair.now);
    pair.deliver();
    pair.server.tcb.shutdownWrite(pair.now);
    pair.deliver();
    assertTrue(pair.client.peerFinished && pair.server.peerFinished);
    assertEquals(TcpState.TIME_WAIT, pair.client.tcb.state());
    assertEquals(TcpState.CLOSED, pair.server.tcb.state());
    assertEquals(CloseReason.NORMAL, pair.server.closed);
    pair.advance(pair.now + 60_000 * MS);
    assertEquals(CloseReason.NORMAL, pair.client.closed);
  }
}
