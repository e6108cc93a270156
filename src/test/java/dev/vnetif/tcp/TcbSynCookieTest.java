package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.MSS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_ISS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_SEQ;
import static dev.vnetif.tcp.TcbHarness.T0;
import static dev.vnetif.tcp.TcbHarness.WINDOW;
import static dev.vnetif.tcp.TcbHarness.at;
import static dev.vnetif.tcp.TcbHarness.out;
import static dev.vnetif.tcp.TcbHarness.pattern;
import static dev.vnetif.tcp.TcbHarness.seg;
import static dev.vnetif.wire.TcpSegment.ACK;
import static dev.vnetif.wire.TcpSegment.PSH;
import static dev.vnetif.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import dev.vnetif.wire.Timestamps;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link Tcb#acceptCookie}: the block a valid SYN cookie ACK makes (RFC 4987 §3.6), checked the
 * smoltcp way — the cookie SYN-ACK from {@link SynCookies}, the peer's ACK fed at an explicit time,
 * and the exact state, events and segments that follow.
 */
class TcbSynCookieTest {
  static final int OFFSET = SynCookiesTest.OFFSET;
  static final int PEER_TS = SynCookiesTest.PEER_TS;
  static final int PEER_TS_ACK = SynCookiesTest.PEER_TS_ACK;

  final SynCookies cookies = new SynCookies(42);

  /** Our ISS: the cookie of the SYN-ACK {@link #fromCookie} made. */
  int iss;

  /** Our TSval at {@code at(ms)}: the clock in milliseconds plus the offset. */
  static int ourTs(long ms) {
    return (int) (T0 / TcbHarness.MS + ms) + OFFSET;
  }

  /**
   * The peer's SYN (options {@code offered}) answered with a cookie at T0, then its final ACK (with
   * {@code payload}) at {@code at(20)}, which validates and opens a block.
   */
  TcbHarness fromCookie(TcpConfig config, TcpOptions offered, ByteString payload, int window) {
    TcpSegment syn = seg().flags(SYN).seq(REMOTE_ISS).ack(0).options(offered).build();
    TcpSegment synAck =
        cookies.synAck(config, SynCookiesTest.LOCAL, SynCookiesTest.REMOTE, syn, OFFSET, T0);
    Timestamps ts = synAck.options().timestamps();
    TcpSegment ack =
        seg()
            .seq(REMOTE_SEQ)
            .ack(synAck.seq() + 1)
            .window(window)
            .options(
                ts == null
                    ? TcpOptions.NONE
                    : TcpOptions.NONE.withTimestamps(new Timestamps(PEER_TS_ACK, ts.value())))
            .payload(payload)
            .build();
    SynCookies.Check check =
        cookies.check(config, SynCookiesTest.LOCAL, SynCookiesTest.REMOTE, ack, OFFSET, at(20));
    TcpOptions synOptions =
        assertInstanceOf(SynCookies.Check.Valid.class, check, check.toString()).synOptions();
    TcbHarness h = new TcbHarness();
    h.now = at(20);
    h.tcb = Tcb.acceptCookie(config, ack, synOptions, OFFSET, h, h.now);
    iss = synAck.seq();
    return h;
  }

  static TcpOptions linuxLikeSyn() {
    return TcpOptions.NONE
        .withMss(MSS)
        .withSackPermitted()
        .withTimestamps(new Timestamps(PEER_TS, 0))
        .withWindowScale(7);
  }

  @Test
  @DisplayName(
      "RFC 4987 §3.6: a valid cookie ACK makes a block ESTABLISHED at once (LISTEN → SYN_RECEIVED → ESTABLISHED, Established), sending nothing")
  void cookieAckEstablishes() {
    TcbHarness h =
        fromCookie(
            TcbHarness.withTimestampsAndSack(), linuxLikeSyn(), ByteString.emptyByteString(), 1000);
    h.expectState(TcpState.ESTABLISHED);
    assertEquals(
        List.of(
            new TcbEvent.StateChanged(TcpState.LISTEN, TcpState.SYN_RECEIVED),
            new TcbEvent.StateChanged(TcpState.SYN_RECEIVED, TcpState.ESTABLISHED),
            TcbEvent.ESTABLISHED),
        List.copyOf(h.events));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "with timestamps the cookie keeps WS 7 and SACK: our data goes at SND.NXT = cookie + 1 with TSval from our offset, TSecr = the ACK's TSval, MSS − 12 per segment, and the peer's window scaled by 2^7")
  void windowScaleSackAndTimestampsSurvive() {
    TcbHarness h =
        fromCookie(
            TcbHarness.withTimestampsAndSack(), linuxLikeSyn(), ByteString.emptyByteString(), 1000);
    h.clear();
    h.now = at(25);
    // 1000 << 7 = 128,000 bytes of window: all 3,000 go at once, in MSS − 12 = 1448-byte pieces.
    h.write(pattern(0, 3000), false);
    TcpOptions ts = TcpOptions.NONE.withTimestamps(new Timestamps(ourTs(25), PEER_TS_ACK));
    h.expectSegment(out().seq(iss + 1).ack(REMOTE_SEQ).payload(pattern(0, 1448)).options(ts));
    h.expectSegment(
        out().seq(iss + 1 + 1448).ack(REMOTE_SEQ).payload(pattern(1448, 1448)).options(ts));
    h.expectSegment(
        out()
            .flags(ACK | PSH)
            .seq(iss + 1 + 2896)
            .ack(REMOTE_SEQ)
            .payload(pattern(2896, 104))
            .options(ts));
    h.expectNothing();
    // SACK was negotiated: a hole in the peer's data is reported in a SACK block (RFC 2018).
    h.send(at(30), seg().seq(REMOTE_SEQ + 10).ack(iss + 1).window(1000).payload("late"));
    TcpSegment sackAck = h.nextSegment();
    assertEquals(1, sackAck.options().sackBlocks().size(), sackAck.toString());
  }

  @Test
  @DisplayName(
      "without timestamps WS and SACK are lost: our segments carry no options, MSS 1460 each, and the peer's window is taken unscaled")
  void withoutTimestampsTheConnectionRunsUnscaled() {
    TcpOptions offered = TcpOptions.NONE.withMss(MSS).withSackPermitted().withWindowScale(7);
    TcbHarness h =
        fromCookie(TcbHarness.withTimestampsAndSack(), offered, ByteString.emptyByteString(), 2920);
    h.expectState(TcpState.ESTABLISHED);
    h.clear();
    h.now = at(25);
    h.write(pattern(0, 5000), false);
    // 2,920 bytes of window, not 2920 << 7: two full segments, then the window is full.
    h.expectSegment(out().seq(iss + 1).ack(REMOTE_SEQ).payload(pattern(0, MSS)));
    h.expectSegment(out().seq(iss + 1 + MSS).ack(REMOTE_SEQ).payload(pattern(MSS, MSS)));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "data on the cookie ACK is taken: Established, then DataReceived, and its ACK after the delayed-ACK timer")
  void dataOnTheCookieAckIsDelivered() {
    TcbHarness h =
        fromCookie(
            TcbHarness.withTimestampsAndSack(),
            linuxLikeSyn(),
            ByteString.fromString("hello"),
            1000);
    h.expectState(TcpState.ESTABLISHED);
    h.expectEvent(TcbEvent.Established.class);
    h.expectEvent(new TcbEvent.DataReceived(ByteString.fromString("hello")));
    h.tick(at(20 + 40));
    h.expectSegment(
        out()
            .seq(iss + 1)
            .ack(REMOTE_SEQ + 5)
            .window(WINDOW - 5)
            .options(TcpOptions.NONE.withTimestamps(new Timestamps(ourTs(60), PEER_TS_ACK))));
  }
}
