package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
import static dev.vnetif.tcp.TcbHarness.MS;
import static dev.vnetif.tcp.TcbHarness.MSS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_ISS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_SEQ;
import static dev.vnetif.tcp.TcbHarness.WINDOW;
import static dev.vnetif.tcp.TcbHarness.at;
import static dev.vnetif.tcp.TcbHarness.config;
import static dev.vnetif.tcp.TcbHarness.out;
import static dev.vnetif.tcp.TcbHarness.pattern;
import static dev.vnetif.tcp.TcbHarness.seg;
import static dev.vnetif.wire.TcpSegment.ACK;
import static dev.vnetif.wire.TcpSegment.FIN;
import static dev.vnetif.wire.TcpSegment.PSH;
import static dev.vnetif.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.vnetif.tcp.TcbHarness.SegmentBuilder;
import dev.vnetif.tcp.TcbTimers.Kind;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The data retransmission timer (RFC 6298 §5): when it fires, how it backs off, what restarts and
 * stops it, when the connection gives up. The SYN schedule is in {@link TcbHandshakeTest}.
 *
 * <p>The harness fixture answers our SYN at the instant it was sent, so the handshake gives an RTT
 * sample of 0 ns: SRTT = RTTVAR = 0 and RTO = max(G, 0) = 1 ms, clamped to the fixture's 200 ms
 * minimum. Tests that want whole seconds raise the minimum RTO to 1 s.
 */
class TcbRetransmissionTest {

  /** RTO 1 s initial and minimum (RFC 6298 §2.1, §2.4), so the 0 ns handshake sample gives 1 s. */
  private static TcpConfig oneSecondRto() {
    return config().withRto(1_000 * MS, 1_000 * MS, 60_000 * MS);
  }

  /** Our segment carrying bytes [offset, offset + length) of the pattern the user wrote. */
  private static SegmentBuilder data(int offset, int length, int flags) {
    return out()
        .seq(LOCAL_SEQ + offset)
        .ack(REMOTE_SEQ)
        .flags(flags)
        .payload(pattern(offset, length));
  }

  /** The peer's pure ACK of the first {@code bytes} bytes we wrote. */
  private static SegmentBuilder ackOf(int bytes) {
    return seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + bytes);
  }

  /** Expects nothing 1 ms before {@code ms}, then {@code expected} exactly at {@code ms}. */
  private static void expectExactlyAt(TcbHarness h, long ms, SegmentBuilder expected) {
    h.tick(at(ms) - MS);
    h.expectNothing();
    h.tick(at(ms));
    h.expectSegment(expected);
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 6298 §5.4: after the 0 ns handshake sample RTO = 200 ms (min clamp, §2.4): unacknowledged data is retransmitted at exactly 200 ms")
  void retransmittedAtRto() {
    TcbHarness h = TcbHarness.established();
    assertEquals(200 * MS, h.tcb.stats().rtoNanos());
    h.write(pattern(0, 5), false);
    h.expectSegment(data(0, 5, ACK | PSH));
    expectExactlyAt(h, 200, data(0, 5, ACK | PSH));
    assertEquals(400 * MS, h.tcb.stats().rtoNanos()); // §5.5: backed off
  }

  @Test
  @DisplayName(
      "RFC 6298 §5.5–5.6: with RTO 1 s the retransmissions come at 1 s, then 2 s, 4 s, 8 s, 16 s later (t = 1, 3, 7, 15, 31 s)")
  void backoffDoublesEachExpiry() {
    TcbHarness h = TcbHarness.established(oneSecondRto());
    h.write(pattern(0, 5), false);
    h.expectSegment(data(0, 5, ACK | PSH));
    for (long ms : new long[] {1_000, 3_000, 7_000, 15_000, 31_000}) {
      expectExactlyAt(h, ms, data(0, 5, ACK | PSH));
    }
    assertEquals(32_000 * MS, h.tcb.stats().rtoNanos());
    h.expectState(TcpState.ESTABLISHED);
  }

  @Test
  @DisplayName(
      "RFC 6298 §5.4: only the earliest unacknowledged segment is retransmitted when the timer expires")
  void onlyFirstSegmentRetransmitted() {
    TcbHarness h = TcbHarness.established();
    h.write(pattern(0, 3 * MSS), false);
    h.expectSegment(data(0, MSS, ACK));
    h.expectSegment(data(MSS, MSS, ACK));
    h.expectSegment(data(2 * MSS, MSS, ACK | PSH));
    expectExactlyAt(h, 200, data(0, MSS, ACK));
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.8.3 (R2), RFC 6298 §5: after maxRetransmissions (3) retransmissions the next expiry closes with TIMEOUT, and no RST is sent")
  void givesUpAfterMaxRetransmissions() {
    TcbHarness h = TcbHarness.established(config().withRetransmissions(3, 5));
    h.write(pattern(0, 5), false);
    h.expectSegment(data(0, 5, ACK | PSH));
    for (long ms : new long[] {200, 600, 1_400}) {
      expectExactlyAt(h, ms, data(0, 5, ACK | PSH));
    }
    h.tick(at(3_000) - MS);
    h.expectState(TcpState.ESTABLISHED);
    h.tick(at(3_000));
    h.expectState(TcpState.CLOSED);
    h.expectEvent(new TcbEvent.Closed(CloseReason.TIMEOUT));
    h.expectNothing();
    h.tick(at(600_000));
    h.expectNothing();
    h.expectNoEvent();
  }

  @Test
  @DisplayName(
      "RFC 6298 §5.3: an ACK of new data restarts the timer at now + RTO (1 s): the rest is retransmitted at 1.5 s, not at 1 s")
  void newAckRestartsTimer() {
    TcbHarness h = TcbHarness.established(oneSecondRto());
    h.write(pattern(0, 2 * MSS), false);
    h.expectSegment(data(0, MSS, ACK));
    h.expectSegment(data(MSS, MSS, ACK | PSH));
    h.send(at(500), ackOf(MSS));
    h.expectEvent(new TcbEvent.DataAcknowledged(MSS, WINDOW - MSS));
    h.expectNothing();
    assertEquals(at(1_500), h.tcb.timers().deadline(Kind.RETRANSMIT));
    expectExactlyAt(h, 1_500, data(MSS, MSS, ACK | PSH));
  }

  @Test
  @DisplayName(
      "RFC 6298 §5.3: only an ACK of new data restarts the timer; duplicate ACKs and a window update do not")
  void duplicateAckDoesNotRestartTimer() {
    TcbHarness h = TcbHarness.established();
    h.write(pattern(0, 2 * MSS), false);
    h.expectSegment(data(0, MSS, ACK));
    h.expectSegment(data(MSS, MSS, ACK | PSH));
    h.send(at(100), ackOf(0));
    h.send(at(150), ackOf(0));
    h.send(at(180), ackOf(0).window(WINDOW - 1_000));
    h.expectNothing();
    assertEquals(at(200), h.tcb.timers().deadline(Kind.RETRANSMIT));
    expectExactlyAt(h, 200, data(0, MSS, ACK));
  }

  @Test
  @DisplayName("RFC 6298 §5.2: when all outstanding data is acknowledged the timer is turned off")
  void ackOfAllDataStopsTimer() {
    TcbHarness h = TcbHarness.established();
    h.write(pattern(0, 5), false);
    h.expectSegment(data(0, 5, ACK | PSH));
    h.send(at(100), ackOf(5));
    h.expectEvent(new TcbEvent.DataAcknowledged(5, WINDOW));
    assertFalse(h.tcb.timers().isArmed(Kind.RETRANSMIT));
    h.tick(at(120_000));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 6298 §5.1: sending more data while the timer runs does not restart it; go-back-N resends both writes as one segment at 200 ms")
  void laterSendDoesNotRestartTimer() {
    TcbHarness h = TcbHarness.established();
    h.write("hello");
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ).flags(ACK | PSH).payload("hello"));
    h.tick(at(100));
    h.write(ByteString.fromString("world"), true);
    h.expectSegment(out().seq(LOCAL_SEQ + 5).ack(REMOTE_SEQ).flags(ACK | PSH).payload("world"));
    assertEquals(at(200), h.tcb.timers().deadline(Kind.RETRANSMIT));
    h.tick(at(200) - MS);
    h.expectNothing();
    h.tick(at(200));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ).flags(ACK | PSH).payload("helloworld"));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 6298 §5.1: a segment without data (a pure ACK) does not start the retransmission timer")
  void pureAckDoesNotArmTimer() {
    TcbHarness h = TcbHarness.established();
    h.send(at(0), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).payload("abc"));
    h.tick(at(40)); // delayed ACK
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 3).window(WINDOW - 3));
    assertFalse(h.tcb.timers().isArmed(Kind.RETRANSMIT));
    h.tick(at(120_000));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4: a retransmission carries the current RCV.NXT and window, not those of the original")
  void retransmissionCarriesCurrentAckAndWindow() {
    TcbHarness h = TcbHarness.established();
    h.write(pattern(0, 5), false);
    h.expectSegment(data(0, 5, ACK | PSH));
    h.send(at(10), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).payload("abc"));
    h.tick(at(50)); // delayed ACK of "abc"
    h.expectSegment(out().seq(LOCAL_SEQ + 5).ack(REMOTE_SEQ + 3).window(WINDOW - 3));
    expectExactlyAt(
        h,
        200,
        out()
            .seq(LOCAL_SEQ)
            .ack(REMOTE_SEQ + 3)
            .window(WINDOW - 3)
            .flags(ACK | PSH)
            .payload(pattern(0, 5)));
  }

  @Test
  @DisplayName(
      "RFC 6298 §5 / RFC 9293 §3.8.3: the give-up count is of consecutive expiries; an ACK of new data starts it again")
  void newAckResetsRetransmissionCount() {
    TcbHarness h = TcbHarness.established(config().withRetransmissions(2, 5));
    h.write(pattern(0, 2 * MSS), false);
    h.expectSegment(data(0, MSS, ACK));
    h.expectSegment(data(MSS, MSS, ACK | PSH));
    expectExactlyAt(h, 200, data(0, MSS, ACK));
    expectExactlyAt(h, 600, data(0, MSS, ACK));
    // The ACK of the first segment: no RTT sample (Karn), so the RTO stays backed off at 800 ms.
    h.send(at(700), ackOf(MSS));
    h.expectSegment(data(MSS, MSS, ACK | PSH));
    h.expectNothing();
    expectExactlyAt(h, 1_500, data(MSS, MSS, ACK | PSH));
    expectExactlyAt(h, 3_100, data(MSS, MSS, ACK | PSH));
    h.tick(at(6_300) - MS);
    h.expectState(TcpState.ESTABLISHED);
    h.tick(at(6_300));
    h.expectState(TcpState.CLOSED);
    h.expectEvent(new TcbEvent.DataAcknowledged(MSS, WINDOW - MSS));
    h.expectEvent(new TcbEvent.Closed(CloseReason.TIMEOUT));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 6298 §5.3, §5.5: the ACK of a retransmission restarts the timer with the backed-off RTO (2 s); without a sample (Karn) nothing collapses it")
  void ackOfRetransmissionRestartsWithBackedOffRto() {
    TcbHarness h = TcbHarness.established(oneSecondRto());
    h.write(pattern(0, 2 * MSS), false);
    h.expectSegment(data(0, MSS, ACK));
    h.expectSegment(data(MSS, MSS, ACK | PSH));
    expectExactlyAt(h, 1_000, data(0, MSS, ACK));
    h.send(at(1_500), ackOf(MSS));
    h.expectSegment(data(MSS, MSS, ACK | PSH)); // go-back-N continues as cwnd allows
    h.expectNothing();
    assertEquals(2_000 * MS, h.tcb.stats().rtoNanos());
    expectExactlyAt(h, 3_500, data(MSS, MSS, ACK | PSH));
  }

  @Test
  @DisplayName(
      "RFC 6298 §5.5, §2.5: the backed-off RTO is capped at the configured maximum (5 s): retransmissions at 1, 3, 7, 12, 17, 22 s")
  void backoffCappedAtMaxRto() {
    TcbHarness h = TcbHarness.established(config().withRto(1_000 * MS, 1_000 * MS, 5_000 * MS));
    h.write(pattern(0, 5), false);
    h.expectSegment(data(0, 5, ACK | PSH));
    for (long ms : new long[] {1_000, 3_000, 7_000, 12_000, 17_000, 22_000}) {
      expectExactlyAt(h, ms, data(0, 5, ACK | PSH));
    }
    assertEquals(5_000 * MS, h.tcb.stats().rtoNanos());
  }

  @Test
  @DisplayName(
      "RFC 6298 §2.4: the RTO is never below the configured minimum (500 ms): a 0 ns sample gives 500 ms, retransmission exactly then")
  void minRtoClamp() {
    TcbHarness h = TcbHarness.established(config().withRto(1_000 * MS, 500 * MS, 60_000 * MS));
    assertEquals(500 * MS, h.tcb.stats().rtoNanos());
    h.write(pattern(0, 5), false);
    h.expectSegment(data(0, 5, ACK | PSH));
    expectExactlyAt(h, 500, data(0, 5, ACK | PSH));
  }

  @Test
  @DisplayName(
      "RFC 6298 §2.5: a computed RTO above the maximum is clamped: handshake RTT 2.5 s gives 7.5 s, used as 3 s")
  void maxRtoClamp() {
    TcpConfig config = config().withRto(3_000 * MS, 200 * MS, 3_000 * MS);
    TcbHarness h = TcbHarness.synSent(config);
    h.send(at(2_500), seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS));
    h.clear();
    assertEquals(2_500 * MS, h.tcb.stats().srttNanos());
    assertEquals(1_250 * MS, h.tcb.stats().rttvarNanos());
    assertEquals(3_000 * MS, h.tcb.stats().rtoNanos());
    h.write(pattern(0, 5), false);
    h.expectSegment(data(0, 5, ACK | PSH));
    expectExactlyAt(h, 5_500, data(0, 5, ACK | PSH));
    expectExactlyAt(h, 8_500, data(0, 5, ACK | PSH)); // backoff stays at the maximum
  }

  @Test
  @DisplayName(
      "RFC 6298 §5.4, RFC 9293 §3.10.4: data and FIN sent apart are retransmitted together from SND.UNA")
  void finRetransmittedWithData() {
    TcbHarness h = TcbHarness.established();
    h.write("bye");
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ).flags(ACK | PSH).payload("bye"));
    h.tcb.shutdownWrite(h.now);
    h.expectSegment(out().seq(LOCAL_SEQ + 3).ack(REMOTE_SEQ).flags(ACK | FIN));
    expectExactlyAt(
        h, 200, out().seq(LOCAL_SEQ).ack(REMOTE_SEQ).flags(ACK | PSH | FIN).payload("bye"));
    h.send(at(250), ackOf(4));
    h.expectState(TcpState.FIN_WAIT_2);
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 6298 §5: stats count each expiry as a timeout and each resent segment as a retransmission")
  void statsCountTimeouts() {
    TcbHarness h = TcbHarness.established();
    h.write(pattern(0, 5), false);
    h.tick(at(600));
    TcbStats stats = h.tcb.stats();
    assertEquals(2, stats.timeouts());
    assertEquals(2, stats.retransmittedSegments());
    assertEquals(5, stats.bytesSent());
    assertEquals(0, stats.fastRetransmits());
  }

  @Test
  @DisplayName(
      "RFC 6298 §5.7: the SYN timed out while RTO < 3 s, so once the handshake completes the data RTO is 3 s")
  void synTimeoutRaisesDataRtoToThreeSeconds() {
    TcbHarness h = TcbHarness.synSent();
    h.tick(at(1_000)); // our SYN retransmitted; the SYN-ACK below gives no sample (Karn)
    h.send(at(1_100), seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS));
    h.clear();
    h.write(pattern(0, 5), false);
    h.expectSegment(data(0, 5, ACK | PSH));
    expectExactlyAt(h, 4_100, data(0, 5, ACK | PSH));
  }

  @Test
  @DisplayName(
      "RFC 6298 §5.7: likewise on the passive side: the SYN-ACK timed out, so once ESTABLISHED the data RTO is 3 s")
  void synAckTimeoutRaisesDataRtoToThreeSeconds() {
    TcbHarness h = TcbHarness.synReceived();
    h.tick(at(1_000)); // our SYN-ACK retransmitted; the ACK below gives no sample (Karn)
    h.send(at(1_100), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    h.clear();
    h.expectState(TcpState.ESTABLISHED);
    h.write(pattern(0, 5), false);
    h.expectSegment(data(0, 5, ACK | PSH));
    expectExactlyAt(h, 4_100, data(0, 5, ACK | PSH));
  }
}
