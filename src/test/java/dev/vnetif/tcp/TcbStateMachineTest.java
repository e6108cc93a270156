package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_ISS;
import static dev.vnetif.tcp.TcbHarness.LOCAL_PORT;
import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
import static dev.vnetif.tcp.TcbHarness.MSS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_ISS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_PORT;
import static dev.vnetif.tcp.TcbHarness.REMOTE_SEQ;
import static dev.vnetif.tcp.TcbHarness.T0;
import static dev.vnetif.tcp.TcbHarness.WINDOW;
import static dev.vnetif.tcp.TcbHarness.at;
import static dev.vnetif.tcp.TcbHarness.out;
import static dev.vnetif.tcp.TcbHarness.seg;
import static dev.vnetif.wire.TcpSegment.ACK;
import static dev.vnetif.wire.TcpSegment.FIN;
import static dev.vnetif.wire.TcpSegment.PSH;
import static dev.vnetif.wire.TcpSegment.RST;
import static dev.vnetif.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.wire.TcpOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The opening half of the RFC 9293 §3.3.2 state diagram: LISTEN, SYN_SENT and SYN_RECEIVED, their
 * way to ESTABLISHED (including the simultaneous open of figure 7) and their ways back to LISTEN or
 * CLOSED.
 */
class TcbStateMachineTest {
  private static final TcpOptions SYN_OPTIONS = TcpOptions.NONE.withMss(MSS).withWindowScale(0);

  // ------------------------------------------------------------------ LISTEN

  @Test
  @DisplayName(
      "RFC 9293 §3.3.2 CLOSED→LISTEN: passive OPEN creates the TCB, reports StateChanged(CLOSED, LISTEN), sends nothing, arms no timer")
  void closedToListenOnPassiveOpen() {
    TcbHarness h = new TcbHarness();
    h.tcb = Tcb.listen(TcbHarness.config(), LOCAL_PORT, (port, t) -> LOCAL_ISS, h);
    assertEquals(
        List.of(new TcbEvent.StateChanged(TcpState.CLOSED, TcpState.LISTEN)),
        List.copyOf(h.events));
    h.expectState(TcpState.LISTEN);
    h.expectNothing();
    assertEquals(TcbTimers.OFF, h.tcb.nextDeadline());
    assertEquals(LOCAL_PORT, h.tcb.localPort());
    assertFalse(h.tcb.canSend(), "a listening block has no peer to send to");
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.2 SEND in LISTEN without a foreign socket: 'foreign socket unspecified', an exception; the block keeps listening")
  void sendInListenIsRejected() {
    // The RFC's LISTEN→SYN_SENT (SEND naming a foreign socket) is unsupported: our SEND names
    // none, so the RFC's own answer for that case applies. connect() is the active open.
    TcbHarness h = TcbHarness.listen();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> h.write("early"));
    assertTrue(e.getMessage().contains("LISTEN"), e.getMessage());
    assertTrue(e.getMessage().contains("foreign socket unspecified"), e.getMessage());
    h.expectNothing();
    h.expectState(TcpState.LISTEN);
    h.expectNoEvent();
    assertEquals(0, h.tcb.writtenTotal(), "nothing was queued");
    // Still a working passive open: the next SYN is answered as usual.
    h.send(at(5), seg().flags(SYN).seq(REMOTE_ISS).mss(MSS));
    h.expectSegment(
        out()
            .flags(SYN | ACK)
            .seq(LOCAL_ISS)
            .ack(REMOTE_SEQ)
            .options(TcpOptions.NONE.withMss(MSS)));
    h.expectState(TcpState.SYN_RECEIVED);
  }

  @Test
  @DisplayName("RFC 9293 §3.3.2 LISTEN→SYN_RECEIVED: rcv SYN, snd SYN,ACK <SEQ=ISS><ACK=SEG.SEQ+1>")
  void listenToSynReceived() {
    TcbHarness h = TcbHarness.listen();
    h.send(at(5), seg().flags(SYN).seq(REMOTE_ISS).mss(MSS));
    h.expectSegment(
        out()
            .flags(SYN | ACK)
            .seq(LOCAL_ISS)
            .ack(REMOTE_SEQ)
            .options(TcpOptions.NONE.withMss(MSS)));
    h.expectNothing();
    h.expectState(TcpState.SYN_RECEIVED);
    expectStatePath(h, TcpState.LISTEN, TcpState.SYN_RECEIVED);
    h.expectNoEvent();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.2: LISTEN ignores a RST and drops a segment with neither SYN nor ACK")
  void listenIgnoresRstAndBareSegments() {
    TcbHarness h = TcbHarness.listen();
    h.send(at(1), seg().flags(RST).seq(REMOTE_ISS));
    h.send(at(2), seg().flags(RST | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ));
    h.send(at(3), seg().flags(FIN).seq(REMOTE_ISS));
    h.send(at(4), seg().flags(0).seq(REMOTE_ISS).payload("data"));
    h.expectNothing();
    h.expectState(TcpState.LISTEN);
    h.expectNoEvent();
  }

  @Test
  @DisplayName("RFC 9293 §3.10.4 LISTEN→CLOSED: CLOSE in LISTEN deletes the TCB, no segment")
  void listenToClosedOnShutdown() {
    TcbHarness h = TcbHarness.listen();
    h.tcb.shutdownWrite(at(1));
    h.expectNothing();
    h.expectState(TcpState.CLOSED);
    expectStatePath(h, TcpState.LISTEN, TcpState.CLOSED);
    h.expectEvent(new TcbEvent.Closed(CloseReason.NORMAL));
  }

  // ------------------------------------------------------------------ SYN_SENT

  @Test
  @DisplayName(
      "RFC 9293 §3.3.2 SYN_SENT→ESTABLISHED: rcv SYN,ACK of our SYN, snd ACK <SEQ=ISS+1><ACK=IRS+1>")
  void synSentToEstablished() {
    TcbHarness h = TcbHarness.synSent();
    h.send(at(5), seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectNothing();
    expectStatePath(h, TcpState.SYN_SENT, TcpState.ESTABLISHED);
    h.expectEvent(TcbEvent.Established.class);
    h.expectNoEvent();
    assertEquals(
        TcbTimers.OFF,
        h.tcb.timers().deadline(TcbTimers.Kind.RETRANSMIT),
        "the SYN is acknowledged: no retransmission pending");
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.3 (fourth) and figure 7: simultaneous open, SYN_SENT→SYN_RECEIVED→ESTABLISHED")
  void simultaneousOpen() {
    // Figure 7, seen from TCP A (us): our SYN (line 2) is out; the peer's SYN crosses it.
    TcbHarness h = TcbHarness.synSent();
    h.send(at(5), seg().flags(SYN).seq(REMOTE_ISS).mss(MSS).windowScale(0));
    // Line 5: SYN-ACK from our ISS, acknowledging the peer's SYN.
    h.expectSegment(out().flags(SYN | ACK).seq(LOCAL_ISS).ack(REMOTE_SEQ).options(SYN_OPTIONS));
    h.expectNothing();
    h.expectState(TcpState.SYN_RECEIVED);
    expectStatePath(h, TcpState.SYN_SENT, TcpState.SYN_RECEIVED);
    h.expectNoEvent();
    h.clear();

    // Line 6: the peer's SYN-ACK (its answer to our SYN) completes the handshake; nothing is
    // owed, since our own SYN-ACK (line 7) already acknowledges the peer's SYN.
    h.send(at(6), seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS).windowScale(0));
    h.expectNothing();
    h.expectState(TcpState.ESTABLISHED);
    expectStatePath(h, TcpState.SYN_RECEIVED, TcpState.ESTABLISHED);
    h.expectEvent(TcbEvent.Established.class);
    h.clear();

    // Both sequence spaces line up: data goes out at ISS+1 and acknowledges IRS+1.
    h.write("abc");
    h.expectSegment(out().flags(ACK | PSH).seq(LOCAL_SEQ).ack(REMOTE_SEQ).payload("abc"));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (fifth, SYN-RECEIVED): after a simultaneous open a plain ACK of our SYN-ACK also establishes")
  void simultaneousOpenCompletedByPlainAck() {
    TcbHarness h = TcbHarness.synSent();
    h.send(at(5), seg().flags(SYN).seq(REMOTE_ISS).mss(MSS).windowScale(0));
    h.clear();
    h.send(at(7), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    h.expectNothing();
    h.expectState(TcpState.ESTABLISHED);
    h.expectEvent(TcbEvent.Established.class);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (second, SYN-RECEIVED): RST at RCV.NXT after a simultaneous (active) open → Closed(REFUSED)")
  void simultaneousOpenRefusedByRst() {
    TcbHarness h = TcbHarness.synSent();
    h.send(at(5), seg().flags(SYN).seq(REMOTE_ISS).mss(MSS).windowScale(0));
    h.clear();
    h.send(at(7), seg().flags(RST).seq(REMOTE_SEQ));
    h.expectNothing();
    h.expectState(TcpState.CLOSED);
    expectStatePath(h, TcpState.SYN_RECEIVED, TcpState.CLOSED);
    h.expectEvent(new TcbEvent.Closed(CloseReason.REFUSED));
  }

  @Test
  @DisplayName(
      "RFC 7323 §2.2 simultaneous open: the SYN,ACK carries Window Scale only if the peer's SYN did")
  void simultaneousOpenSynAckOmitsWindowScaleThePeerDidNotOffer() {
    TcbHarness h = TcbHarness.synSent();
    h.send(at(5), seg().flags(SYN).seq(REMOTE_ISS).mss(MSS));
    h.expectSegment(
        out()
            .flags(SYN | ACK)
            .seq(LOCAL_ISS)
            .ack(REMOTE_SEQ)
            .options(TcpOptions.NONE.withMss(MSS)));
    h.expectState(TcpState.SYN_RECEIVED);
  }

  @Test
  @DisplayName("RFC 9293 §3.10.4 SYN_SENT→CLOSED: CLOSE in SYN_SENT deletes the TCB, no segment")
  void synSentToClosedOnShutdown() {
    TcbHarness h = TcbHarness.synSent();
    h.tcb.shutdownWrite(at(10));
    h.expectNothing();
    h.expectState(TcpState.CLOSED);
    expectStatePath(h, TcpState.SYN_SENT, TcpState.CLOSED);
    h.expectEvent(new TcbEvent.Closed(CloseReason.NORMAL));
    assertEquals(TcbTimers.OFF, h.tcb.nextDeadline(), "no SYN retransmission after CLOSE");
    h.tick(at(120_000));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.3 SYN_SENT→CLOSED: RST,ACK acknowledging our SYN → Closed(REFUSED), nothing sent")
  void synSentToClosedOnRstAck() {
    TcbHarness h = TcbHarness.synSent();
    h.send(at(5), seg().flags(RST | ACK).seq(0).ack(LOCAL_SEQ).window(0));
    h.expectNothing();
    h.expectState(TcpState.CLOSED);
    expectStatePath(h, TcpState.SYN_SENT, TcpState.CLOSED);
    h.expectEvent(new TcbEvent.Closed(CloseReason.REFUSED));
    assertEquals(TcbTimers.OFF, h.tcb.nextDeadline());
  }

  @Test
  @DisplayName(
      "RFC 6298 §5 / RFC 9293 §3.8.3 SYN_SENT→CLOSED: SYN retries exhausted (2 retries: 1 s, 3 s) → Closed(TIMEOUT) at 7 s")
  void synSentToClosedOnSynRetriesExhausted() {
    TcbHarness h = TcbHarness.synSent(TcbHarness.config().withRetransmissions(12, 2));
    h.tick(at(1_000));
    h.expectSegment(out().flags(SYN).seq(LOCAL_ISS).options(SYN_OPTIONS));
    h.tick(at(3_000));
    h.expectSegment(out().flags(SYN).seq(LOCAL_ISS).options(SYN_OPTIONS));
    h.tick(at(6_999));
    h.expectNothing();
    h.expectState(TcpState.SYN_SENT);
    h.expectNoEvent();
    h.tick(at(7_000));
    h.expectNothing();
    h.expectState(TcpState.CLOSED);
    expectStatePath(h, TcpState.SYN_SENT, TcpState.CLOSED);
    h.expectEvent(new TcbEvent.Closed(CloseReason.TIMEOUT));
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.3: data in a SYN,ACK is not delivered and not acknowledged (implementation choice)")
  void dataInSynAckIgnored() {
    TcbHarness h = TcbHarness.synSent();
    h.send(at(5), seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS).payload("early"));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectNothing();
    h.expectEvent(TcbEvent.Established.class);
    h.expectNoEvent();
  }

  // ------------------------------------------------------------------ SYN_RECEIVED

  @Test
  @DisplayName("RFC 9293 §3.3.2 SYN_RECEIVED→ESTABLISHED: rcv ACK of SYN, nothing sent")
  void synReceivedToEstablished() {
    TcbHarness h = TcbHarness.synReceived();
    h.send(at(5), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    h.expectNothing();
    h.expectState(TcpState.ESTABLISHED);
    expectStatePath(h, TcpState.SYN_RECEIVED, TcpState.ESTABLISHED);
    h.expectEvent(TcbEvent.Established.class);
    h.expectNoEvent();
    assertEquals(TcbTimers.OFF, h.tcb.timers().deadline(TcbTimers.Kind.RETRANSMIT));
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (fifth, SYN-RECEIVED): an ACK outside (SND.UNA, SND.NXT] → <SEQ=SEG.ACK><CTL=RST>, state kept")
  void synReceivedResetsUnacceptableAck() {
    TcbHarness h = TcbHarness.synReceived();
    h.send(at(5), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 1000));
    h.expectSegment(out().flags(RST).seq(LOCAL_SEQ + 1000).window(0));
    h.send(at(6), seg().seq(REMOTE_SEQ).ack(LOCAL_ISS));
    h.expectSegment(out().flags(RST).seq(LOCAL_ISS).window(0));
    h.expectNothing();
    h.expectState(TcpState.SYN_RECEIVED);
    h.expectNoEvent();
    // The real ACK still completes the handshake.
    h.send(at(7), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    h.expectState(TcpState.ESTABLISHED);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.4 SYN_RECEIVED→FIN_WAIT_1: CLOSE with no SEND issued sends <SEQ=ISS+1><CTL=FIN,ACK> at once")
  void synReceivedCloseWithoutSendsFinsAtOnce() {
    TcbHarness h = TcbHarness.synReceived();
    h.tcb.shutdownWrite(at(2));
    h.expectSegment(out().flags(FIN | ACK).seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectNothing();
    h.expectState(TcpState.FIN_WAIT_1);
    expectStatePath(h, TcpState.SYN_RECEIVED, TcpState.FIN_WAIT_1);
    h.expectNoEvent(); // the handshake is not complete yet
    h.clear();
    // One ACK covers the SYN and the FIN: the handshake completes (the user hears of it) and
    // the FIN is acknowledged, so FIN_WAIT_2 — without ever entering ESTABLISHED.
    h.send(at(5), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 1));
    h.expectNothing();
    h.expectState(TcpState.FIN_WAIT_2);
    expectStatePath(h, TcpState.FIN_WAIT_1, TcpState.FIN_WAIT_2);
    h.expectEvent(TcbEvent.Established.class);
    h.expectNoEvent();
    assertEquals(TcbTimers.OFF, h.tcb.timers().deadline(TcbTimers.Kind.RETRANSMIT));
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.4, RFC 6298 §5.3: FIN sent in SYN_RECEIVED, the ACK covers only the SYN → FIN_WAIT_1, the FIN retransmitted at ACK time + RTO (200 ms)")
  void synReceivedEarlyFinAckedSynOnly() {
    TcbHarness h = TcbHarness.synReceived();
    h.tcb.shutdownWrite(at(2));
    h.clear();
    h.send(at(5), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    h.expectNothing();
    h.expectState(TcpState.FIN_WAIT_1);
    h.expectEvent(TcbEvent.Established.class);
    // The handshake sample (5 ms) gives RTO = max(200 ms, 5 + 4 · 2.5 ms) = 200 ms (RFC 6298
    // §2.2, §2.4), restarted by the ACK of the SYN: the FIN is resent at 205 ms.
    assertEquals(at(205), h.tcb.timers().deadline(TcbTimers.Kind.RETRANSMIT));
    h.tick(at(204));
    h.expectNothing();
    h.tick(at(205));
    h.expectSegment(out().flags(FIN | ACK).seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectNothing();
    h.send(at(210), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 1));
    h.expectState(TcpState.FIN_WAIT_2);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.4, RFC 6298 §5.4: FIN sent in SYN_RECEIVED and the SYN-ACK lost: at 1 s the SYN-ACK is resent, the FIN follows the ACK of the SYN")
  void synReceivedEarlyFinBehindLostSynAck() {
    TcbHarness h = TcbHarness.synReceived();
    h.tcb.shutdownWrite(at(2));
    h.clear();
    h.tick(at(999));
    h.expectNothing();
    h.tick(at(1_000));
    h.expectSegment(
        out()
            .flags(SYN | ACK)
            .seq(LOCAL_ISS)
            .ack(REMOTE_SEQ)
            .options(TcpOptions.NONE.withMss(MSS)));
    h.expectNothing();
    h.expectState(TcpState.FIN_WAIT_1);
    // Go back N: the peer's ACK of the SYN-ACK lets the FIN go out again at once.
    h.send(at(1_100), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    h.expectSegment(out().flags(FIN | ACK).seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectNothing();
    h.expectEvent(TcbEvent.Established.class);
    h.send(at(1_200), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 1));
    h.expectState(TcpState.FIN_WAIT_2);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.4 SYN_RECEIVED: a retransmitted SYN after the early FIN gets the SYN-ACK again; FIN_WAIT_1 is kept")
  void synReceivedEarlyFinThenPeerSynAgain() {
    TcbHarness h = TcbHarness.synReceived();
    h.tcb.shutdownWrite(at(2));
    h.clear();
    h.send(at(500), seg().flags(SYN).seq(REMOTE_ISS).ack(0).mss(MSS));
    h.expectSegment(
        out()
            .flags(SYN | ACK)
            .seq(LOCAL_ISS)
            .ack(REMOTE_SEQ)
            .options(TcpOptions.NONE.withMss(MSS)));
    h.expectNothing();
    h.expectState(TcpState.FIN_WAIT_1);
    h.expectNoEvent();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.4 SYN_RECEIVED→ESTABLISHED→FIN_WAIT_1: with data written, CLOSE is queued until ESTABLISHED, then data and FIN go out")
  void synReceivedCloseAfterSendIsQueued() {
    TcbHarness h = TcbHarness.synReceived();
    h.write("abc");
    h.tcb.shutdownWrite(at(2));
    h.expectNothing();
    h.expectState(TcpState.SYN_RECEIVED);
    h.send(at(5), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    h.expectSegment(out().flags(ACK | PSH | FIN).seq(LOCAL_SEQ).ack(REMOTE_SEQ).payload("abc"));
    h.expectNothing();
    h.expectState(TcpState.FIN_WAIT_1);
    expectStatePath(h, TcpState.SYN_RECEIVED, TcpState.ESTABLISHED, TcpState.FIN_WAIT_1);
    h.expectEvent(TcbEvent.Established.class);
    // ... and the ACK of data and FIN moves on to FIN_WAIT_2.
    h.send(at(10), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 4));
    h.expectState(TcpState.FIN_WAIT_2);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (fifth, eighth) SYN_RECEIVED→ESTABLISHED→CLOSE_WAIT: the handshake ACK carries the peer's FIN")
  void synReceivedHandshakeAckWithFin() {
    TcbHarness h = TcbHarness.synReceived();
    h.send(at(5), seg().flags(FIN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 1).window(WINDOW - 1));
    h.expectNothing();
    h.expectState(TcpState.CLOSE_WAIT);
    expectStatePath(h, TcpState.SYN_RECEIVED, TcpState.ESTABLISHED, TcpState.CLOSE_WAIT);
    h.expectEvent(TcbEvent.Established.class);
    h.expectEvent(TcbEvent.PeerFinished.class);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.4, §3.10.7.4: CLOSE queued in SYN_RECEIVED (data written), then the handshake ACK carries the peer's FIN → CLOSING, one data+FIN segment")
  void synReceivedQueuedCloseMeetsPeerFin() {
    TcbHarness h = TcbHarness.synReceived();
    h.write("abc");
    h.tcb.shutdownWrite(at(2));
    h.send(at(5), seg().flags(FIN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    h.expectSegment(
        out()
            .flags(ACK | PSH | FIN)
            .seq(LOCAL_SEQ)
            .ack(REMOTE_SEQ + 1)
            .window(WINDOW - 1)
            .payload("abc"));
    h.expectNothing();
    h.expectState(TcpState.CLOSING);
    expectStatePath(
        h, TcpState.SYN_RECEIVED, TcpState.ESTABLISHED, TcpState.FIN_WAIT_1, TcpState.CLOSING);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.4, §3.10.7.4 (eighth, FIN-WAIT-1): FIN sent in SYN_RECEIVED, the peer's FIN acknowledges only our SYN → CLOSING, then TIME_WAIT")
  void synReceivedEarlyFinMeetsPeerFin() {
    TcbHarness h = TcbHarness.synReceived();
    h.tcb.shutdownWrite(at(2));
    h.clear();
    h.send(at(5), seg().flags(FIN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    h.expectSegment(out().seq(LOCAL_SEQ + 1).ack(REMOTE_SEQ + 1).window(WINDOW - 1));
    h.expectNothing();
    h.expectState(TcpState.CLOSING);
    expectStatePath(h, TcpState.FIN_WAIT_1, TcpState.CLOSING);
    h.expectEvent(TcbEvent.Established.class);
    h.expectEvent(TcbEvent.PeerFinished.class);
    h.send(at(10), seg().seq(REMOTE_SEQ + 1).ack(LOCAL_SEQ + 1));
    h.expectNothing();
    h.expectState(TcpState.TIME_WAIT);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (first) ESTABLISHED: a retransmitted SYN,ACK (our handshake ACK was lost) is answered with an ACK")
  void retransmittedSynAckInEstablishedGetsAck() {
    TcbHarness h = TcbHarness.established();
    h.send(at(1_000), seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectNothing();
    h.expectState(TcpState.ESTABLISHED);
    h.expectNoEvent();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (second, SYN-RECEIVED): RST at RCV.NXT returns a listen()-created block to LISTEN, user not told")
  void synReceivedBackToListenOnRst() {
    TcbHarness h = TcbHarness.synReceived();
    h.send(at(5), seg().flags(RST).seq(REMOTE_SEQ));
    h.expectNothing();
    h.expectState(TcpState.LISTEN);
    expectStatePath(h, TcpState.SYN_RECEIVED, TcpState.LISTEN);
    h.expectNoEvent();
    assertEquals(TcbTimers.OFF, h.tcb.nextDeadline(), "retransmission queue flushed");
    h.tick(at(10_000));
    h.expectNothing(); // no SYN-ACK retransmission for the abandoned attempt
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (second, SYN-RECEIVED): back in LISTEN, the block accepts the next SYN and completes that handshake")
  void synReceivedBackToListenAcceptsNextSyn() {
    TcbHarness h = TcbHarness.synReceived();
    h.send(at(5), seg().flags(RST).seq(REMOTE_SEQ));
    h.clear();
    int otherIss = 30_000;
    h.send(at(100), seg().flags(SYN).seq(otherIss).mss(MSS));
    h.expectSegment(
        out()
            .flags(SYN | ACK)
            .seq(LOCAL_ISS)
            .ack(otherIss + 1)
            .options(TcpOptions.NONE.withMss(MSS)));
    h.expectState(TcpState.SYN_RECEIVED);
    h.send(at(110), seg().seq(otherIss + 1).ack(LOCAL_SEQ));
    h.expectNothing();
    h.expectState(TcpState.ESTABLISHED);
    h.expectEvent(TcbEvent.Established.class);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.4: back in LISTEN, the next connection's first data octet is ISS+1 even if the abandoned attempt had data queued")
  void synReceivedBackToListenStartsFreshSequenceSpace() {
    TcbHarness h = TcbHarness.synReceived();
    h.write("stale"); // queued in SYN_RECEIVED, never sent
    h.expectNothing();
    h.send(at(5), seg().flags(RST).seq(REMOTE_SEQ));
    h.expectState(TcpState.LISTEN);
    h.clear();
    int otherIss = 30_000;
    h.send(at(100), seg().flags(SYN).seq(otherIss).mss(MSS));
    h.send(at(110), seg().seq(otherIss + 1).ack(LOCAL_SEQ));
    h.expectState(TcpState.ESTABLISHED);
    h.clear();
    h.write("xyz");
    h.expectSegment(out().flags(ACK | PSH).seq(LOCAL_SEQ).ack(otherIss + 1).payload("xyz"));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (fourth, SYN-RECEIVED): a new SYN in the window on a passive open returns the block to LISTEN")
  void synReceivedPassiveSynInWindowBackToListen() {
    TcbHarness h = TcbHarness.synReceived();
    h.send(at(5), seg().flags(SYN).seq(REMOTE_SEQ + 100).mss(MSS));
    h.expectNothing();
    h.expectState(TcpState.LISTEN);
    h.expectNoEvent();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (second, SYN-RECEIVED): RST at RCV.NXT closes an accept()-created block with Closed(RESET)")
  void acceptedSynReceivedClosedOnRst() {
    TcbHarness h = new TcbHarness();
    h.tcb =
        Tcb.accept(
            TcbHarness.config(),
            seg().flags(SYN).seq(REMOTE_ISS).mss(MSS).build(),
            LOCAL_ISS,
            h,
            T0);
    h.expectSegment(
        out()
            .flags(SYN | ACK)
            .seq(LOCAL_ISS)
            .ack(REMOTE_SEQ)
            .options(TcpOptions.NONE.withMss(MSS)));
    h.expectState(TcpState.SYN_RECEIVED);
    assertEquals(LOCAL_PORT, h.tcb.localPort());
    assertEquals(REMOTE_PORT, h.tcb.remotePort());
    h.clear();
    h.send(at(5), seg().flags(RST).seq(REMOTE_SEQ));
    h.expectNothing();
    h.expectState(TcpState.CLOSED);
    expectStatePath(h, TcpState.SYN_RECEIVED, TcpState.CLOSED);
    h.expectEvent(new TcbEvent.Closed(CloseReason.RESET));
    assertEquals(TcbTimers.OFF, h.tcb.nextDeadline());
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.3.2: the passive side's whole life, LISTEN→SYN_RECEIVED→ESTABLISHED→CLOSE_WAIT→LAST_ACK→CLOSED")
  void passiveLifecycleStateChanges() {
    TcbHarness h = TcbHarness.listen();
    h.send(at(1), seg().flags(SYN).seq(REMOTE_ISS).mss(MSS));
    h.send(at(2), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    h.send(at(3), seg().flags(FIN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    h.tcb.shutdownWrite(at(4));
    h.send(at(5), seg().seq(REMOTE_SEQ + 1).ack(LOCAL_SEQ + 1));
    expectStatePath(
        h,
        TcpState.LISTEN,
        TcpState.SYN_RECEIVED,
        TcpState.ESTABLISHED,
        TcpState.CLOSE_WAIT,
        TcpState.LAST_ACK,
        TcpState.CLOSED);
    h.expectEvent(TcbEvent.Established.class);
    h.expectEvent(TcbEvent.PeerFinished.class);
    h.expectEvent(new TcbEvent.Closed(CloseReason.NORMAL));
    h.expectSegment(
        out()
            .flags(SYN | ACK)
            .seq(LOCAL_ISS)
            .ack(REMOTE_SEQ)
            .options(TcpOptions.NONE.withMss(MSS)));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 1).window(WINDOW - 1));
    h.expectSegment(out().flags(FIN | ACK).seq(LOCAL_SEQ).ack(REMOTE_SEQ + 1).window(WINDOW - 1));
    h.expectNothing();
  }

  // ------------------------------------------------------------------ helpers

  /** The StateChanged events recorded so far, in order (left in place). */
  private static List<TcbEvent.StateChanged> stateChanges(TcbHarness h) {
    List<TcbEvent.StateChanged> changes = new ArrayList<>();
    for (TcbEvent e : h.events) {
      if (e instanceof TcbEvent.StateChanged change) {
        changes.add(change);
      }
    }
    return changes;
  }

  /** The recorded state changes walk exactly {@code path}. */
  private static void expectStatePath(TcbHarness h, TcpState... path) {
    List<TcbEvent.StateChanged> want = new ArrayList<>();
    for (int i = 0; i + 1 < path.length; i++) {
      want.add(new TcbEvent.StateChanged(path[i], path[i + 1]));
    }
    assertEquals(want, stateChanges(h), "state changes");
  }
}
