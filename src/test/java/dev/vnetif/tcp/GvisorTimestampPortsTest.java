package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_ISS;
import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
import static dev.vnetif.tcp.TcbHarness.MSS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_ISS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_SEQ;
import static dev.vnetif.tcp.TcbHarness.WINDOW;
import static dev.vnetif.tcp.TcbHarness.at;
import static dev.vnetif.tcp.TcbHarness.out;
import static dev.vnetif.tcp.TcbHarness.pattern;
import static dev.vnetif.tcp.TcbHarness.seg;
import static dev.vnetif.tcp.TcbHarness.tsValAt;
import static dev.vnetif.wire.TcpSegment.ACK;
import static dev.vnetif.wire.TcpSegment.PSH;
import static dev.vnetif.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.tcp.TcbHarness.SegmentBuilder;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import dev.vnetif.wire.Timestamps;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The scenarios of gVisor's {@code pkg/tcpip/transport/tcp/test/e2e/tcp_timestamp_test.go},
 * rewritten against our {@link Tcb}: the timestamps option negotiated or not on active and passive
 * opens, the TSecr our ACKs echo as segments arrive in and out of order and as the peer's clock
 * wraps (RFC 7323 §4.3, §5), segments sized for the 12 bytes the option takes, and a segment that
 * lacks the option on a connection that negotiated it.
 *
 * <p>Our TSval is the network clock in milliseconds (the fixtures' timestamp offset is 0, see
 * {@link TcbHarness#tsValAt}). gVisor acknowledges every segment at once; our in-order data waits
 * for the 40 ms delayed ACK, so the tests move the clock on where gVisor reads the ACK.
 *
 * <p>Not ported: the SYN-cookie rows of {@code TestTimeStampEnabledAccept} and {@code
 * TestTimeStampDisabledAccept} (what a cookie keeps, timestamps included, is {@link
 * TcbSynCookieTest}'s: our cookies follow Linux's encoding, not gVisor's), and the window each row
 * expects (it follows gVisor's 1 MB default buffer, not ours).
 */
class GvisorTimestampPortsTest {
  private static final int R = REMOTE_SEQ;

  /** The TSval of gVisor's SYN-ACK in {@code createConnectedWithTimestampOption}. */
  private static final int PEER_SYN_TS = 1;

  private static TcpOptions ts(int value, int echo) {
    return TcpOptions.NONE.withTimestamps(new Timestamps(value, echo));
  }

  /** Active open at T0 with timestamps on; the peer's SYN-ACK carries them (or not). */
  private static TcbHarness connected(boolean peerTimestamps, int peerMss) {
    SegmentBuilder synAck = seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(peerMss);
    if (peerTimestamps) {
      synAck.ts(PEER_SYN_TS, tsValAt(0));
    }
    return TcbHarness.establishedWith(TcbHarness.withTimestampsAndSack(), synAck);
  }

  /** Three bytes of the peer's data at {@code R + offset} with TSval {@code tsVal}. */
  private static SegmentBuilder data(int offset, int tsVal) {
    return seg().seq(R + offset).ack(LOCAL_SEQ).payload(pattern(offset, 3)).ts(tsVal, tsValAt(0));
  }

  /** Our ACK at {@code at(ms)} of everything below {@code R + ackedTo}, echoing {@code echo}. */
  private static SegmentBuilder ourAck(long ms, int ackedTo, int echo) {
    return out()
        .seq(LOCAL_SEQ)
        .ack(R + ackedTo)
        .window(WINDOW - ackedTo)
        .options(ts(tsValAt(ms), echo));
  }

  @Test
  @DisplayName(
      "gVisor tcp_timestamp_test.go TestTimeStampEnabledConnect: in order, out of order, the hole filled, then the peer's clock jumping 2^31 − 1 twice (wrapping): each ACK echoes the TSval RFC 7323 §4.3 picks")
  void timestampEnabledConnect() {
    TcbHarness h = connected(true, MSS);
    int tsVal = PEER_SYN_TS + 100;
    h.send(at(10), data(0, tsVal));
    h.tick(at(50));
    h.expectSegment(ourAck(50, 3, tsVal));

    // Out of order, with a later TSval: the ACK echoes the last in-order segment's (§4.3 (B)).
    h.send(at(60), data(6, tsVal + 200));
    h.expectSegment(ourAck(60, 3, tsVal));

    // The segment that fills the hole is echoed, though older than the one after it.
    h.send(at(70), data(3, tsVal + 100));
    h.expectSegment(ourAck(70, 9, tsVal + 100));
    tsVal += 100;

    // 2^31 − 1 ahead is still "newer" in modulo-2^32 arithmetic (RFC 7323 §5.2): echoed, and so
    // is the next jump, which wraps past the first TSval.
    tsVal += 0x7fff_ffff;
    h.send(at(80), data(9, tsVal));
    h.tick(at(120));
    h.expectSegment(ourAck(120, 12, tsVal));
    tsVal += 0x7fff_ffff;
    h.send(at(130), data(12, tsVal));
    h.tick(at(170));
    h.expectSegment(ourAck(170, 15, tsVal));
    h.expectNothing();

    // Five segments of three bytes reached the user, none dropped by PAWS.
    for (int offset : new int[] {0, 3, 6, 9, 12}) {
      h.expectEvent(new TcbEvent.DataReceived(pattern(offset, 3)));
    }
    assertEquals(0, h.tcb.stats().pawsRejected());
  }

  @Test
  @DisplayName(
      "gVisor tcp_timestamp_test.go TestTimeStampDisabledConnect: our SYN offers timestamps, the SYN-ACK does not: no segment carries them and data uses the whole MSS")
  void timestampDisabledConnect() {
    TcbHarness h = TcbHarness.synSent(TcbHarness.withTimestampsAndSack());
    h.send(at(1), seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(R));
    h.now = at(2);
    h.write(pattern(0, MSS), false);
    h.expectSegment(out().flags(ACK | PSH).seq(LOCAL_SEQ).ack(R).payload(pattern(0, MSS)));
    assertEquals(MSS, h.tcb.stats().sendMss());
  }

  @Test
  @DisplayName(
      "gVisor tcp_timestamp_test.go TestTimeStampEnabledAccept (without SYN cookies): the SYN-ACK echoes the SYN's TSval, and our data echoes the TSval of the ACK that completed the handshake")
  void timestampEnabledAccept() {
    int peerTs = 0x9e37_79b9; // gVisor draws it at random; any value works
    TcbHarness h = TcbHarness.listen(TcbHarness.withTimestampsAndSack());
    h.send(at(0), seg().flags(SYN).seq(REMOTE_ISS).ack(0).mss(MSS).ts(peerTs, 0));
    h.expectSegment(
        out()
            .flags(SYN | ACK)
            .seq(LOCAL_ISS)
            .ack(R)
            .options(
                TcpOptions.NONE.withMss(MSS).withTimestamps(new Timestamps(tsValAt(0), peerTs))));
    h.send(at(1), seg().seq(R).ack(LOCAL_SEQ).ts(peerTs + 1, tsValAt(0)));
    h.now = at(2);
    h.write("abc");
    h.expectSegment(
        out()
            .flags(ACK | PSH)
            .seq(LOCAL_SEQ)
            .ack(R)
            .payload("abc")
            .options(ts(tsValAt(2), peerTs + 1)));
  }

  @Test
  @DisplayName(
      "gVisor tcp_timestamp_test.go TestTimeStampDisabledAccept (without SYN cookies): a SYN without timestamps, and our data carries no option")
  void timestampDisabledAccept() {
    TcbHarness h = TcbHarness.listen(TcbHarness.withTimestampsAndSack());
    h.send(at(0), seg().flags(SYN).seq(REMOTE_ISS).ack(0).mss(MSS));
    h.expectSegment(
        out().flags(SYN | ACK).seq(LOCAL_ISS).ack(R).options(TcpOptions.NONE.withMss(MSS)));
    h.send(at(1), seg().seq(R).ack(LOCAL_SEQ));
    h.now = at(2);
    h.write("abc");
    h.expectSegment(out().flags(ACK | PSH).seq(LOCAL_SEQ).ack(R).payload("abc"));
  }

  @Test
  @DisplayName(
      "gVisor tcp_timestamp_test.go TestSendGreaterThanMTUWithOptions: the peer's MSS is 100, so with timestamps each segment carries at most 88 bytes; 1000 bytes go in 12 segments, each with the option, the content intact")
  void sendGreaterThanMtuWithOptions() {
    TcbHarness h = connected(true, 100);
    assertEquals(88, h.tcb.stats().sendMss());
    h.write(pattern(0, 1000), false);
    // The initial window is 10 segments of 88 bytes (RFC 6928: min(10·SMSS, max(2·SMSS, 14600))).
    List<TcpSegment> first = h.drain();
    assertEquals(10, first.size());
    ByteString received = ByteString.emptyByteString();
    int segments = 0;
    List<TcpSegment> flight = first;
    long ms = 0;
    while (received.length() < 1000) {
      for (TcpSegment s : flight) {
        assertTrue(s.payload().length() <= 88, "payload " + s.payload().length());
        assertNotNull(s.options().timestamps());
        assertEquals(LOCAL_SEQ + received.length(), s.seq());
        received = received.concat(s.payload());
        segments++;
        // As gVisor's peer: acknowledge each segment, echoing its TSval.
        ms += 10;
        h.send(
            at(ms),
            seg()
                .seq(R)
                .ack(s.seq() + s.payload().length())
                .ts(PEER_SYN_TS + segments, s.options().timestamps().value()));
      }
      flight = h.drain();
    }
    assertEquals(pattern(0, 1000), received);
    assertEquals(12, segments); // 11 × 88 + 32
  }

  @Test
  @DisplayName(
      "gVisor tcp_timestamp_test.go TestSegmentNotDroppedWhenTimestampMissing: a data segment without the option is delivered and acknowledged, and TS.Recent keeps the last TSval seen")
  void segmentNotDroppedWhenTimestampMissing() {
    TcbHarness h = connected(true, MSS);
    h.send(at(10), seg().seq(R).ack(LOCAL_SEQ).payload("abc"));
    h.expectEvent(new TcbEvent.DataReceived(ByteString.fromString("abc")));
    h.tick(at(50));
    h.expectSegment(ourAck(50, 3, PEER_SYN_TS));
    assertEquals(0, h.tcb.stats().pawsRejected());
  }
}
