package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
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
import static dev.vnetif.wire.TcpSegment.RST;
import static dev.vnetif.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Resets both ways: ABORT in every state (RFC 9293 §3.10.5), a RST arriving in every synchronized
 * state (RFC 9293 §3.10.7.4 second check, with RFC 5961 §3.2's exact-match rule), and what a CLOSED
 * block answers (RFC 9293 §3.10.7.1).
 */
class TcbResetTest {

  // ------------------------------------------------------------------ ABORT

  @Test
  @DisplayName("RFC 9293 §3.10.5 ABORT in SYN_RECEIVED: <SEQ=SND.NXT><CTL=RST>, Closed(ABORTED)")
  void abortInSynReceived() {
    TcbHarness h = TcbHarness.synReceived();
    h.tcb.abort(at(10));
    h.expectSegment(out().flags(RST).seq(LOCAL_SEQ).window(0));
    expectAborted(h, TcpState.SYN_RECEIVED);
  }

  @Test
  @DisplayName("RFC 9293 §3.10.5 ABORT in ESTABLISHED: <SEQ=SND.NXT><CTL=RST>, Closed(ABORTED)")
  void abortInEstablished() {
    TcbHarness h = TcbHarness.established();
    h.tcb.abort(at(10));
    h.expectSegment(out().flags(RST).seq(LOCAL_SEQ).window(0));
    expectAborted(h, TcpState.ESTABLISHED);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.5 ABORT in ESTABLISHED with data in flight: the RST carries SND.NXT, past the unacknowledged data")
  void abortInEstablishedWithDataInFlight() {
    TcbHarness h = TcbHarness.established();
    h.write("hello");
    h.expectSegment(out().flags(ACK | PSH).seq(LOCAL_SEQ).ack(REMOTE_SEQ).payload("hello"));
    h.tcb.abort(at(10));
    h.expectSegment(out().flags(RST).seq(LOCAL_SEQ + 5).window(0));
    expectAborted(h, TcpState.ESTABLISHED);
    h.tick(at(120_000));
    h.expectNothing(); // the retransmission queue is gone with the TCB
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.5, RFC 5961 §3.2: ABORT after a go-back-N rewind sends the RST at SND.MAX, not the rewound SND.NXT the peer is already past")
  void abortAfterGoBackNRewindUsesHighestSequenceSent() {
    TcbHarness h = TcbHarness.established();
    h.write(pattern(0, 3 * MSS), false);
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ).payload(pattern(0, MSS)));
    h.expectSegment(out().seq(LOCAL_SEQ + MSS).ack(REMOTE_SEQ).payload(pattern(MSS, MSS)));
    h.expectSegment(
        out()
            .flags(ACK | PSH)
            .seq(LOCAL_SEQ + 2 * MSS)
            .ack(REMOTE_SEQ)
            .payload(pattern(2 * MSS, MSS)));
    // RTO (200 ms): go back N, resend from SND.UNA; SND.NXT is now LOCAL_SEQ + MSS while the
    // peer may hold all three segments (its RCV.NXT = LOCAL_SEQ + 3·MSS, its ACKs lost).
    h.tick(at(200));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ).payload(pattern(0, MSS)));
    h.expectNothing();
    h.clear();
    h.tcb.abort(at(250));
    // A RST at the rewound SND.NXT would fall below that RCV.NXT and be dropped unseen.
    h.expectSegment(out().flags(RST).seq(LOCAL_SEQ + 3 * MSS).window(0));
    expectAborted(h, TcpState.ESTABLISHED);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.5 ABORT in FIN_WAIT_1: <SEQ=SND.NXT><CTL=RST> (after our FIN), Closed(ABORTED)")
  void abortInFinWait1() {
    TcbHarness h = TcbHarness.finWait1();
    h.tcb.abort(at(10));
    h.expectSegment(out().flags(RST).seq(LOCAL_SEQ + 1).window(0));
    expectAborted(h, TcpState.FIN_WAIT_1);
  }

  @Test
  @DisplayName("RFC 9293 §3.10.5 ABORT in FIN_WAIT_2: <SEQ=SND.NXT><CTL=RST>, Closed(ABORTED)")
  void abortInFinWait2() {
    TcbHarness h = TcbHarness.finWait2();
    h.tcb.abort(at(10));
    h.expectSegment(out().flags(RST).seq(LOCAL_SEQ + 1).window(0));
    expectAborted(h, TcpState.FIN_WAIT_2);
  }

  @Test
  @DisplayName("RFC 9293 §3.10.5 ABORT in CLOSE_WAIT: <SEQ=SND.NXT><CTL=RST>, Closed(ABORTED)")
  void abortInCloseWait() {
    TcbHarness h = TcbHarness.closeWait();
    h.tcb.abort(at(10));
    h.expectSegment(out().flags(RST).seq(LOCAL_SEQ).window(0));
    expectAborted(h, TcpState.CLOSE_WAIT);
  }

  @Test
  @DisplayName("RFC 9293 §3.10.5 ABORT in LISTEN: no segment, Closed(ABORTED)")
  void abortInListen() {
    TcbHarness h = TcbHarness.listen();
    h.tcb.abort(at(10));
    h.expectNothing();
    expectAborted(h, TcpState.LISTEN);
  }

  @Test
  @DisplayName("RFC 9293 §3.10.5 ABORT in SYN_SENT: no segment, no more SYNs, Closed(ABORTED)")
  void abortInSynSent() {
    TcbHarness h = TcbHarness.synSent();
    h.tcb.abort(at(10));
    h.expectNothing();
    expectAborted(h, TcpState.SYN_SENT);
    h.tick(at(120_000));
    h.expectNothing();
  }

  @Test
  @DisplayName("RFC 9293 §3.10.5 ABORT in CLOSING: no segment, Closed(ABORTED)")
  void abortInClosing() {
    TcbHarness h = TcbHarness.closing();
    h.tcb.abort(at(10));
    h.expectNothing();
    expectAborted(h, TcpState.CLOSING);
  }

  @Test
  @DisplayName("RFC 9293 §3.10.5 ABORT in LAST_ACK: no segment, Closed(ABORTED)")
  void abortInLastAck() {
    TcbHarness h = TcbHarness.lastAck();
    h.tcb.abort(at(10));
    h.expectNothing();
    expectAborted(h, TcpState.LAST_ACK);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.5 ABORT in TIME_WAIT: no segment, Closed(ABORTED), the 2·MSL timer is gone")
  void abortInTimeWait() {
    TcbHarness h = TcbHarness.timeWait();
    h.tcb.abort(at(10));
    h.expectNothing();
    expectAborted(h, TcpState.TIME_WAIT);
    h.tick(at(120_000));
    h.expectNoEvent();
  }

  @Test
  @DisplayName("RFC 9293 §3.10.5 ABORT in CLOSED: nothing sent and no second Closed event")
  void abortInClosedIsNoOp() {
    TcbHarness h = TcbHarness.established();
    h.tcb.abort(at(10));
    h.clear();
    h.tcb.abort(at(20));
    h.expectNothing();
    h.expectNoEvent();
    h.expectState(TcpState.CLOSED);
  }

  // ------------------------------------------------------------------ RST arrives

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (second) ESTABLISHED: RST at RCV.NXT → Closed(RESET), nothing sent")
  void rstInEstablished() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), seg().flags(RST).seq(REMOTE_SEQ));
    expectReset(h, TcpState.ESTABLISHED, CloseReason.RESET);
  }

  @Test
  @DisplayName("RFC 9293 §3.10.7.4 (second) ESTABLISHED: RST,ACK at RCV.NXT → Closed(RESET)")
  void rstAckInEstablished() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), seg().flags(RST | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ).window(0));
    expectReset(h, TcpState.ESTABLISHED, CloseReason.RESET);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (second) ESTABLISHED: RST at RCV.NXT with data in flight → Closed(RESET), no retransmission after")
  void rstInEstablishedFlushesRetransmissionQueue() {
    TcbHarness h = TcbHarness.established();
    h.write("hello");
    h.clear();
    h.send(at(10), seg().flags(RST).seq(REMOTE_SEQ));
    expectReset(h, TcpState.ESTABLISHED, CloseReason.RESET);
    h.tick(at(120_000));
    h.expectNothing();
  }

  @Test
  @DisplayName("RFC 9293 §3.10.7.4 (second) FIN_WAIT_1: RST at RCV.NXT → Closed(RESET)")
  void rstInFinWait1() {
    TcbHarness h = TcbHarness.finWait1();
    h.send(at(10), seg().flags(RST).seq(REMOTE_SEQ));
    expectReset(h, TcpState.FIN_WAIT_1, CloseReason.RESET);
  }

  @Test
  @DisplayName("RFC 9293 §3.10.7.4 (second) FIN_WAIT_2: RST at RCV.NXT → Closed(RESET)")
  void rstInFinWait2() {
    TcbHarness h = TcbHarness.finWait2();
    h.send(at(10), seg().flags(RST).seq(REMOTE_SEQ));
    expectReset(h, TcpState.FIN_WAIT_2, CloseReason.RESET);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (second) CLOSE_WAIT: RST at RCV.NXT (after the peer's FIN) → Closed(RESET)")
  void rstInCloseWait() {
    TcbHarness h = TcbHarness.closeWait();
    h.send(at(10), seg().flags(RST).seq(REMOTE_SEQ + 1));
    expectReset(h, TcpState.CLOSE_WAIT, CloseReason.RESET);
  }

  @Test
  @DisplayName("RFC 9293 §3.10.7.4 (second) CLOSING: RST at RCV.NXT → Closed(RESET)")
  void rstInClosing() {
    TcbHarness h = TcbHarness.closing();
    h.send(at(10), seg().flags(RST).seq(REMOTE_SEQ + 1));
    expectReset(h, TcpState.CLOSING, CloseReason.RESET);
  }

  @Test
  @DisplayName("RFC 9293 §3.10.7.4 (second) LAST_ACK: RST at RCV.NXT → Closed(RESET)")
  void rstInLastAck() {
    TcbHarness h = TcbHarness.lastAck();
    h.send(at(10), seg().flags(RST).seq(REMOTE_SEQ + 1));
    expectReset(h, TcpState.LAST_ACK, CloseReason.RESET);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (second) TIME_WAIT: RST at RCV.NXT → CLOSED early, Closed(NORMAL)")
  void rstInTimeWait() {
    TcbHarness h = TcbHarness.timeWait();
    h.send(at(10), seg().flags(RST).seq(REMOTE_SEQ + 1));
    expectReset(h, TcpState.TIME_WAIT, CloseReason.NORMAL);
  }

  @Test
  @DisplayName(
      "RFC 5961 §3.2 / RFC 9293 §3.10.7.4 ESTABLISHED: RST beyond the right window edge is dropped silently")
  void rstBeyondWindowDropped() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), seg().flags(RST).seq(REMOTE_SEQ + WINDOW));
    h.send(at(11), seg().flags(RST | ACK).seq(REMOTE_SEQ + 1_000_000).ack(LOCAL_SEQ));
    expectIgnored(h, TcpState.ESTABLISHED);
  }

  @Test
  @DisplayName(
      "RFC 5961 §3.2 / RFC 9293 §3.10.7.4 ESTABLISHED: RST below RCV.NXT (an old one) is dropped silently")
  void rstBelowWindowDropped() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), seg().flags(RST).seq(REMOTE_SEQ - 1));
    h.send(at(11), seg().flags(RST).seq(REMOTE_ISS));
    expectIgnored(h, TcpState.ESTABLISHED);
  }

  @Test
  @DisplayName(
      "RFC 5961 §3.2 / RFC 9293 §3.10.7.4 CLOSE_WAIT: RST at the old RCV.NXT (before the FIN) is outside the window, dropped")
  void rstBeforeFinDroppedInCloseWait() {
    TcbHarness h = TcbHarness.closeWait();
    h.send(at(10), seg().flags(RST).seq(REMOTE_SEQ));
    expectIgnored(h, TcpState.CLOSE_WAIT);
  }

  @Test
  @DisplayName(
      "RFC 5961 §3.2 / RFC 9293 §3.10.7.4 TIME_WAIT: RST outside the window is dropped silently, 2·MSL timer unchanged")
  void rstOutsideWindowDroppedInTimeWait() {
    TcbHarness h = TcbHarness.timeWait();
    long deadline = h.tcb.nextDeadline();
    h.send(at(10), seg().flags(RST).seq(REMOTE_SEQ + 2 * WINDOW));
    expectIgnored(h, TcpState.TIME_WAIT);
    assertEquals(deadline, h.tcb.nextDeadline());
  }

  // ------------------------------------------------------------------ CLOSED answers

  @Test
  @DisplayName("RFC 9293 §3.10.7.1 CLOSED: a segment with ACK gets <SEQ=SEG.ACK><CTL=RST>")
  void closedAnswersAckWithRst() {
    TcbHarness h = closedBlock();
    h.send(at(100), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 777).payload("late"));
    h.expectSegment(out().flags(RST).seq(LOCAL_SEQ + 777).window(0));
    h.expectNothing();
    h.expectState(TcpState.CLOSED);
    h.expectNoEvent();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.1 CLOSED: a data segment without ACK gets <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>")
  void closedAnswersNonAckDataWithRstAck() {
    TcbHarness h = closedBlock();
    h.send(at(100), seg().flags(PSH).seq(REMOTE_SEQ + 5).payload("hello"));
    h.expectSegment(out().flags(RST | ACK).seq(0).ack(REMOTE_SEQ + 10).window(0));
    h.expectNothing();
    h.expectNoEvent();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.1 CLOSED: a SYN gets <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK> (SYN counts in SEG.LEN)")
  void closedAnswersSynWithRstAck() {
    TcbHarness h = closedBlock();
    h.send(at(100), seg().flags(SYN).seq(REMOTE_ISS + 5000));
    h.expectSegment(out().flags(RST | ACK).seq(0).ack(REMOTE_ISS + 5001).window(0));
    h.expectState(TcpState.CLOSED);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.1 CLOSED: a FIN without ACK gets <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK> (FIN counts in SEG.LEN)")
  void closedAnswersFinWithRstAck() {
    TcbHarness h = closedBlock();
    h.send(at(100), seg().flags(FIN).seq(REMOTE_SEQ));
    h.expectSegment(out().flags(RST | ACK).seq(0).ack(REMOTE_SEQ + 1).window(0));
  }

  @Test
  @DisplayName("RFC 9293 §3.10.7.1 CLOSED: a RST (with or without ACK) is discarded, nothing sent")
  void closedDiscardsRst() {
    TcbHarness h = closedBlock();
    h.send(at(100), seg().flags(RST).seq(REMOTE_SEQ));
    h.send(at(101), seg().flags(RST | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    h.expectNothing();
    h.expectNoEvent();
    h.expectState(TcpState.CLOSED);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.1 CLOSED after TIME_WAIT: the peer's late FIN,ACK gets <SEQ=SEG.ACK><CTL=RST>")
  void closedAfterTimeWaitAnswersLateFin() {
    TcbHarness h = TcbHarness.timeWait();
    h.tick(at(60_000));
    h.expectState(TcpState.CLOSED);
    h.clear();
    h.send(at(61_000), seg().flags(FIN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ + 1));
    h.expectSegment(out().flags(RST).seq(LOCAL_SEQ + 1).window(0));
    h.expectNothing();
    h.expectNoEvent();
  }

  // ------------------------------------------------------------------ helpers

  /** A block that was ESTABLISHED and then aborted: CLOSED, records cleared. */
  private static TcbHarness closedBlock() {
    TcbHarness h = TcbHarness.established();
    h.tcb.abort(at(50));
    h.expectState(TcpState.CLOSED);
    h.clear();
    return h;
  }

  /** ABORT closed the block from {@code from}; the caller checked any RST already. */
  private static void expectAborted(TcbHarness h, TcpState from) {
    h.expectNothing();
    h.expectState(TcpState.CLOSED);
    assertEquals(new TcbEvent.StateChanged(from, TcpState.CLOSED), h.events.peekFirst());
    h.expectEvent(new TcbEvent.Closed(CloseReason.ABORTED));
    h.expectNoEvent();
    assertEquals(TcbTimers.OFF, h.tcb.nextDeadline(), "no timer outlives the TCB");
  }

  /** The RST closed the block from {@code from} with {@code reason}; nothing went out. */
  private static void expectReset(TcbHarness h, TcpState from, CloseReason reason) {
    h.expectNothing();
    h.expectState(TcpState.CLOSED);
    assertEquals(new TcbEvent.StateChanged(from, TcpState.CLOSED), h.events.peekFirst());
    h.expectEvent(new TcbEvent.Closed(reason));
    h.expectNoEvent();
    assertEquals(TcbTimers.OFF, h.tcb.nextDeadline(), "no timer outlives the TCB");
  }

  /** Nothing happened: no segment, no event, same state. */
  private static void expectIgnored(TcbHarness h, TcpState state) {
    h.expectNothing();
    h.expectNoEvent();
    h.expectState(state);
  }
}
