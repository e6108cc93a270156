package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
import static dev.vnetif.tcp.TcbHarness.MS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_SEQ;
import static dev.vnetif.tcp.TcbHarness.WINDOW;
import static dev.vnetif.tcp.TcbHarness.at;
import static dev.vnetif.tcp.TcbHarness.out;
import static dev.vnetif.tcp.TcbHarness.seg;
import static dev.vnetif.wire.TcpSegment.ACK;
import static dev.vnetif.wire.TcpSegment.FIN;
import static dev.vnetif.wire.TcpSegment.PSH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Keepalive (RFC 1122 §4.2.3.6): after {@code after} without hearing from the peer, a probe {@code
 * <SEQ=SND.NXT-1><ACK=RCV.NXT><CTL=ACK>} every {@code interval}; {@code probes} unanswered probes
 * close the connection with KEEPALIVE_TIMEOUT. The fixture probes after 10 s, every 1 s, 3 times.
 */
class TcbKeepaliveTest {
  private static final TcpConfig CONFIG =
      TcbHarness.config().withKeepalive(new KeepaliveSettings(10_000 * MS, 1_000 * MS, 3));

  /** The probe of an ESTABLISHED fixture that sent and received nothing. */
  private static TcbHarness.SegmentBuilder probe() {
    return out().seq(LOCAL_SEQ - 1).ack(REMOTE_SEQ);
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.6: nothing before 'after'; at 'after' a probe <SEQ=SND.NXT-1><ACK=RCV.NXT><CTL=ACK> without data")
  void firstProbeAtAfter() {
    TcbHarness h = TcbHarness.established(CONFIG);
    assertEquals(at(10_000), h.tcb.nextDeadline());
    h.tick(at(9_999));
    h.expectNothing();
    h.tick(at(10_000));
    h.expectSegment(probe());
    h.expectNothing();
    assertEquals(1, h.tcb.stats().keepaliveProbes());
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.6: unanswered probes every interval; after 3 the connection closes with KEEPALIVE_TIMEOUT and sends no RST")
  void unansweredProbesTimeOut() {
    TcbHarness h = TcbHarness.established(CONFIG);
    for (long ms : new long[] {10_000, 11_000, 12_000}) {
      h.tick(at(ms) - 1);
      h.expectNothing();
      h.tick(at(ms));
      h.expectSegment(probe());
    }
    h.tick(at(12_999));
    h.expectState(TcpState.ESTABLISHED);
    h.tick(at(13_000));
    h.expectState(TcpState.CLOSED);
    h.expectEvent(new TcbEvent.Closed(CloseReason.KEEPALIVE_TIMEOUT));
    h.expectNothing();
    assertEquals(TcbTimers.OFF, h.tcb.nextDeadline());
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.6: a reply to a probe resets the count; probing starts over 'after' later")
  void replyResetsTheCount() {
    TcbHarness h = TcbHarness.established(CONFIG);
    h.tick(at(10_000));
    h.expectSegment(probe());
    h.tick(at(11_000));
    h.expectSegment(probe());
    // The peer answers the second probe with <SEQ=its SND.NXT><ACK=our SND.NXT>.
    h.send(at(11_500), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    h.expectNothing();
    h.tick(at(21_499));
    h.expectNothing();
    for (long ms : new long[] {21_500, 22_500, 23_500}) {
      h.tick(at(ms));
      h.expectSegment(probe());
    }
    h.tick(at(24_499));
    h.expectState(TcpState.ESTABLISHED);
    h.tick(at(24_500));
    h.expectEvent(new TcbEvent.Closed(CloseReason.KEEPALIVE_TIMEOUT));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.6: any segment from the peer (data or a bare ACK) pushes the next probe back to 'after' from it")
  void peerTrafficPostponesProbing() {
    TcbHarness h = TcbHarness.established(CONFIG);
    h.send(at(4_000), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).payload("ping"));
    h.expectEvent(new TcbEvent.DataReceived(ByteString.fromString("ping")));
    h.tick(at(4_040));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 4).window(WINDOW - 4));
    h.send(at(6_000), seg().seq(REMOTE_SEQ + 4).ack(LOCAL_SEQ).window(WINDOW - 1));
    h.tick(at(15_999));
    h.expectNothing();
    h.tick(at(16_000));
    h.expectSegment(out().seq(LOCAL_SEQ - 1).ack(REMOTE_SEQ + 4).window(WINDOW - 4));
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.6: {after 0, interval 1 s, probes 3} probes at once, at 1 s and 2 s, and times out at 3 s")
  void afterZeroProbesAtOnce() {
    TcpConfig config = TcbHarness.config().withKeepalive(new KeepaliveSettings(0, 1_000 * MS, 3));
    TcbHarness h = TcbHarness.established(config);
    h.tick(at(0));
    h.expectSegment(probe());
    h.tick(at(999));
    h.expectNothing();
    h.tick(at(1_000));
    h.expectSegment(probe());
    h.tick(at(1_999));
    h.expectNothing();
    h.tick(at(2_000));
    h.expectSegment(probe());
    h.tick(at(2_999));
    h.expectNothing();
    h.expectState(TcpState.ESTABLISHED);
    h.tick(at(3_000));
    h.expectEvent(new TcbEvent.Closed(CloseReason.KEEPALIVE_TIMEOUT));
    h.expectState(TcpState.CLOSED);
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.6: no probes while data is outstanding (the retransmission timer watches the peer); idle probing resumes after the ACK")
  void noProbesWhileDataOutstanding() {
    TcpConfig config = CONFIG.withRto(20_000 * MS, 20_000 * MS, 60_000 * MS);
    TcbHarness h = TcbHarness.established(config);
    h.write("hello");
    h.expectSegment(out().flags(ACK | PSH).seq(LOCAL_SEQ).ack(REMOTE_SEQ).payload("hello"));
    h.tick(at(15_000));
    h.expectNothing();
    h.expectState(TcpState.ESTABLISHED);
    assertEquals(0, h.tcb.stats().keepaliveProbes());
    h.send(at(15_000), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 5));
    h.tick(at(24_999));
    h.expectNothing();
    h.tick(at(25_000));
    h.expectSegment(out().seq(LOCAL_SEQ + 4).ack(REMOTE_SEQ));
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.6 (design choice): after hearing from the peer the next probe is at max(now + after, last probe + interval)")
  void probesNeverCloserThanTheInterval() {
    TcpConfig config =
        TcbHarness.config().withKeepalive(new KeepaliveSettings(1_000 * MS, 5_000 * MS, 3));
    TcbHarness h = TcbHarness.established(config);
    h.tick(at(1_000));
    h.expectSegment(probe());
    h.send(at(1_100), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    assertEquals(at(6_000), h.tcb.nextDeadline());
    h.tick(at(5_999));
    h.expectNothing();
    h.tick(at(6_000));
    h.expectSegment(probe());
    h.send(at(9_000), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    assertEquals(at(11_000), h.tcb.nextDeadline());
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.6: keepalive is off unless configured: an idle connection sends nothing for hours")
  void offByDefault() {
    TcbHarness h = TcbHarness.established();
    assertEquals(TcbTimers.OFF, h.tcb.nextDeadline());
    h.tick(at(3 * 3_600_000));
    h.expectNothing();
    h.expectState(TcpState.ESTABLISHED);
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.6: CLOSE_WAIT is probed too: <SEQ=SND.NXT-1><ACK=RCV.NXT> with RCV.NXT past the peer's FIN")
  void probesInCloseWait() {
    TcbHarness h = TcbHarness.established(CONFIG);
    h.send(at(2_000), seg().flags(ACK | FIN).seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 1).window(WINDOW - 1));
    h.expectState(TcpState.CLOSE_WAIT);
    h.tick(at(11_999));
    h.expectNothing();
    h.tick(at(12_000));
    h.expectSegment(out().seq(LOCAL_SEQ - 1).ack(REMOTE_SEQ + 1).window(WINDOW - 1));
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.6: FIN_WAIT_2 is probed too, at SND.NXT-1 = our FIN's sequence number; silence times it out")
  void probesInFinWait2() {
    TcbHarness h = TcbHarness.established(CONFIG);
    h.tcb.shutdownWrite(h.now);
    h.expectSegment(out().flags(ACK | FIN).seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.send(at(1_000), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 1));
    h.expectState(TcpState.FIN_WAIT_2);
    for (long ms : new long[] {11_000, 12_000, 13_000}) {
      h.tick(at(ms) - 1);
      h.expectNothing();
      h.tick(at(ms));
      h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    }
    h.tick(at(14_000));
    h.expectEvent(new TcbEvent.Closed(CloseReason.KEEPALIVE_TIMEOUT));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.3.6, RFC 9293 §3.10.7.4: a live peer answers every probe, so an idle connection lives on (two blocks, 30 min)")
  void livePeerKeepsConnectionAlive() {
    TcbPersistTest.TcbPair pair =
        new TcbPersistTest.TcbPair(CONFIG, 5_000, TcbHarness.config(), 9_000);
    pair.advance(pair.now + 30 * 60_000 * MS);
    assertNull(pair.client.closed);
    assertNull(pair.server.closed);
    assertEquals(TcpState.ESTABLISHED, pair.client.tcb.state());
    // One probe every 10 s, each answered (so never a second one in a row).
    assertEquals(180, pair.client.tcb.stats().keepaliveProbes());
    assertEquals(180, pair.server.tcb.stats().segmentsSent() - 1);
  }
}
