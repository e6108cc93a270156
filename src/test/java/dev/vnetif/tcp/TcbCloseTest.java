package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_ISS;
import static dev.vnetif.tcp.TcbHarness.LOCAL_PORT;
import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.wire.TcpSegment;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The closing half of the RFC 9293 §3.3.2 state diagram: FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT,
 * CLOSING, LAST_ACK and TIME_WAIT, half-close in both directions, simultaneous close, and the 2·MSL
 * wait.
 */
class TcbCloseTest {
  private static final long TWO_MSL_MS = 60_000;

  // ------------------------------------------------------------------ transitions

  @Test
  @DisplayName(
      "RFC 9293 §3.10.4 ESTABLISHED→FIN_WAIT_1: CLOSE sends <SEQ=SND.NXT><ACK=RCV.NXT><CTL=FIN,ACK>")
  void establishedToFinWait1() {
    TcbHarness h = TcbHarness.established();
    h.tcb.shutdownWrite(at(10));
    h.expectSegment(out().flags(FIN | ACK).seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectNothing();
    h.expectState(TcpState.FIN_WAIT_1);
    expectStatePath(h, TcpState.ESTABLISHED, TcpState.FIN_WAIT_1);
    h.expectNoEvent();
    // The fixture's handshake took 0 ms, so the RTO sits at its 200 ms floor (RFC 6298 §2.4).
    assertEquals(
        at(10 + 200),
        h.tcb.timers().deadline(TcbTimers.Kind.RETRANSMIT),
        "the FIN is retransmitted after one RTO");
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (eighth) ESTABLISHED→CLOSE_WAIT: the peer's FIN is ACKed at once and signalled")
  void establishedToCloseWait() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), seg().flags(FIN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 1).window(WINDOW - 1));
    h.expectNothing();
    h.expectState(TcpState.CLOSE_WAIT);
    expectStatePath(h, TcpState.ESTABLISHED, TcpState.CLOSE_WAIT);
    h.expectEvent(TcbEvent.PeerFinished.class);
    h.expectNoEvent();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (fifth) FIN_WAIT_1→FIN_WAIT_2: the ACK of our FIN, nothing sent, no timer left")
  void finWait1ToFinWait2() {
    TcbHarness h = TcbHarness.finWait1();
    h.send(at(10), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 1));
    h.expectNothing();
    h.expectState(TcpState.FIN_WAIT_2);
    expectStatePath(h, TcpState.FIN_WAIT_1, TcpState.FIN_WAIT_2);
    h.expectNoEvent();
    assertEquals(TcbTimers.OFF, h.tcb.timers().deadline(TcbTimers.Kind.RETRANSMIT));
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (eighth) FIN_WAIT_1→CLOSING: the FINs cross; the peer's is ACKed at once")
  void finWait1ToClosing() {
    TcbHarness h = TcbHarness.finWait1();
    h.send(at(10), seg().flags(FIN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    h.expectSegment(out().seq(LOCAL_SEQ + 1).ack(REMOTE_SEQ + 1).window(WINDOW - 1));
    h.expectNothing();
    h.expectState(TcpState.CLOSING);
    expectStatePath(h, TcpState.FIN_WAIT_1, TcpState.CLOSING);
    h.expectEvent(TcbEvent.PeerFinished.class);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (fifth) CLOSING→TIME_WAIT: the ACK of our FIN, 2·MSL timer from that moment")
  void closingToTimeWait() {
    TcbHarness h = TcbHarness.closing();
    h.send(at(20), seg().seq(REMOTE_SEQ + 1).ack(LOCAL_SEQ + 1));
    h.expectNothing();
    h.expectState(TcpState.TIME_WAIT);
    expectStatePath(h, TcpState.CLOSING, TcpState.TIME_WAIT);
    h.expectNoEvent();
    assertEquals(at(20 + TWO_MSL_MS), h.tcb.nextDeadline(), "only the 2·MSL timer is left");
  }

  @Test
  @DisplayName(
      "RFC 6298 §5.4 CLOSING: our unacknowledged FIN is retransmitted when the RTO (200 ms here) expires")
  void closingRetransmitsFin() {
    TcbHarness h = TcbHarness.closing(); // RTO 200 ms (the fixture's handshake took 0 ms)
    h.tick(at(199));
    h.expectNothing();
    h.tick(at(200));
    h.expectSegment(out().flags(FIN | ACK).seq(LOCAL_SEQ).ack(REMOTE_SEQ + 1).window(WINDOW - 1));
    h.expectState(TcpState.CLOSING);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (fifth, eighth) FIN_WAIT_1→TIME_WAIT: FIN and the ACK of our FIN in one segment")
  void finWait1ToTimeWait() {
    TcbHarness h = TcbHarness.finWait1();
    h.send(at(10), seg().flags(FIN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ + 1));
    h.expectSegment(out().seq(LOCAL_SEQ + 1).ack(REMOTE_SEQ + 1).window(WINDOW - 1));
    h.expectNothing();
    h.expectState(TcpState.TIME_WAIT);
    // RFC 9293 processes the ACK first ("enter FIN-WAIT-2 and continue processing in that
    // state"), then the FIN.
    expectStatePath(h, TcpState.FIN_WAIT_1, TcpState.FIN_WAIT_2, TcpState.TIME_WAIT);
    h.expectEvent(TcbEvent.PeerFinished.class);
    assertEquals(at(10 + TWO_MSL_MS), h.tcb.nextDeadline());
  }

  @Test
  @DisplayName("RFC 9293 §3.10.7.4 (eighth) FIN_WAIT_2→TIME_WAIT: the peer's FIN is ACKed at once")
  void finWait2ToTimeWait() {
    TcbHarness h = TcbHarness.finWait2();
    h.send(at(10), seg().flags(FIN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ + 1));
    h.expectSegment(out().seq(LOCAL_SEQ + 1).ack(REMOTE_SEQ + 1).window(WINDOW - 1));
    h.expectNothing();
    h.expectState(TcpState.TIME_WAIT);
    expectStatePath(h, TcpState.FIN_WAIT_2, TcpState.TIME_WAIT);
    h.expectEvent(TcbEvent.PeerFinished.class);
    assertEquals(at(10 + TWO_MSL_MS), h.tcb.nextDeadline());
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.4 CLOSE_WAIT→LAST_ACK: CLOSE sends <SEQ=SND.NXT><ACK=RCV.NXT><CTL=FIN,ACK>")
  void closeWaitToLastAck() {
    TcbHarness h = TcbHarness.closeWait();
    h.tcb.shutdownWrite(at(10));
    h.expectSegment(out().flags(FIN | ACK).seq(LOCAL_SEQ).ack(REMOTE_SEQ + 1).window(WINDOW - 1));
    h.expectNothing();
    h.expectState(TcpState.LAST_ACK);
    expectStatePath(h, TcpState.CLOSE_WAIT, TcpState.LAST_ACK);
    h.expectNoEvent();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (fifth) LAST_ACK→CLOSED: the ACK of our FIN → Closed(NORMAL), nothing sent")
  void lastAckToClosed() {
    TcbHarness h = TcbHarness.lastAck();
    h.send(at(10), seg().seq(REMOTE_SEQ + 1).ack(LOCAL_SEQ + 1));
    h.expectNothing();
    h.expectState(TcpState.CLOSED);
    expectStatePath(h, TcpState.LAST_ACK, TcpState.CLOSED);
    h.expectEvent(new TcbEvent.Closed(CloseReason.NORMAL));
    assertEquals(TcbTimers.OFF, h.tcb.nextDeadline());
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (fifth) LAST_ACK: an ACK that does not cover our FIN changes nothing")
  void lastAckIgnoresAckBelowFin() {
    TcbHarness h = TcbHarness.lastAck();
    h.send(at(10), seg().seq(REMOTE_SEQ + 1).ack(LOCAL_SEQ));
    h.expectNothing();
    h.expectState(TcpState.LAST_ACK);
    h.expectNoEvent();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.3.2 TIME_WAIT→CLOSED: nothing at 2·MSL − 1 ms, Closed(NORMAL) at exactly 2·MSL (60 s)")
  void timeWaitToClosedAfterTwoMsl() {
    TcbHarness h = TcbHarness.timeWait();
    h.tick(at(TWO_MSL_MS - 1));
    h.expectNothing();
    h.expectState(TcpState.TIME_WAIT);
    h.expectNoEvent();
    h.tick(at(TWO_MSL_MS));
    h.expectNothing();
    h.expectState(TcpState.CLOSED);
    expectStatePath(h, TcpState.TIME_WAIT, TcpState.CLOSED);
    h.expectEvent(new TcbEvent.Closed(CloseReason.NORMAL));
  }

  @Test
  @DisplayName("RFC 9293 §3.3.2: TIME_WAIT lasts 2·MSL of the configured MSL (5 s → 10 s)")
  void timeWaitFollowsConfiguredMsl() {
    TcbHarness h = TcbHarness.established(TcbHarness.config().withMsl(5_000 * TcbHarness.MS));
    h.tcb.shutdownWrite(h.now);
    h.send(at(10), seg().flags(FIN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ + 1));
    h.expectState(TcpState.TIME_WAIT);
    h.clear();
    h.tick(at(10_009));
    h.expectState(TcpState.TIME_WAIT);
    h.expectNoEvent();
    h.tick(at(10_010));
    h.expectState(TcpState.CLOSED);
    h.expectEvent(new TcbEvent.Closed(CloseReason.NORMAL));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (fifth, eighth) TIME_WAIT: a retransmitted FIN is ACKed and restarts the 2·MSL timeout")
  void timeWaitRetransmittedFinRestartsTimer() {
    TcbHarness h = TcbHarness.timeWait(); // entered at T0
    h.send(at(20_000), seg().flags(FIN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ + 1));
    h.expectSegment(out().seq(LOCAL_SEQ + 1).ack(REMOTE_SEQ + 1).window(WINDOW - 1));
    h.expectNothing();
    h.expectState(TcpState.TIME_WAIT);
    h.tick(at(TWO_MSL_MS)); // the original deadline passes
    h.expectState(TcpState.TIME_WAIT);
    h.tick(at(20_000 + TWO_MSL_MS - 1));
    h.expectState(TcpState.TIME_WAIT);
    h.expectNoEvent();
    h.tick(at(20_000 + TWO_MSL_MS));
    h.expectState(TcpState.CLOSED);
    h.expectEvent(new TcbEvent.Closed(CloseReason.NORMAL));
    h.expectNothing();
  }

  @Test
  @DisplayName("RFC 9293 §3.10.7.4 TIME_WAIT: every retransmitted FIN is ACKed, even 100 ms apart")
  void timeWaitAcksEveryRetransmittedFin() {
    TcbHarness h = TcbHarness.timeWait();
    h.send(at(1_000), seg().flags(FIN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ + 1));
    h.expectSegment(out().seq(LOCAL_SEQ + 1).ack(REMOTE_SEQ + 1).window(WINDOW - 1));
    h.send(at(1_100), seg().flags(FIN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ + 1));
    h.expectSegment(out().seq(LOCAL_SEQ + 1).ack(REMOTE_SEQ + 1).window(WINDOW - 1));
    h.expectNothing();
    assertEquals(at(1_100 + TWO_MSL_MS), h.tcb.nextDeadline());
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (first) LAST_ACK: the peer's retransmitted FIN (our ACK was lost) is ACKed again")
  void lastAckAcksRetransmittedFin() {
    TcbHarness h = TcbHarness.lastAck();
    h.send(at(10), seg().flags(FIN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    h.expectSegment(out().seq(LOCAL_SEQ + 1).ack(REMOTE_SEQ + 1).window(WINDOW - 1));
    h.expectNothing();
    h.expectState(TcpState.LAST_ACK);
  }

  @Test
  @DisplayName("RFC 9293 §3.10.7.4 (seventh) CLOSE_WAIT: text after the peer's FIN is ignored")
  void closeWaitIgnoresTextAfterFin() {
    TcbHarness h = TcbHarness.closeWait();
    h.send(at(10), seg().seq(REMOTE_SEQ + 1).ack(LOCAL_SEQ).payload("bogus"));
    h.expectNothing();
    h.expectNoEvent();
    h.expectState(TcpState.CLOSE_WAIT);
  }

  // ------------------------------------------------------------------ half-close

  @Test
  @DisplayName(
      "RFC 9293 §3.10.2 CLOSE_WAIT: the user may still send; data goes out, then the FIN on CLOSE, then LAST_ACK→CLOSED")
  void closeWaitStillSends() {
    TcbHarness h = TcbHarness.closeWait();
    h.write("hello");
    h.expectSegment(
        out()
            .flags(ACK | PSH)
            .seq(LOCAL_SEQ)
            .ack(REMOTE_SEQ + 1)
            .window(WINDOW - 1)
            .payload("hello"));
    h.expectState(TcpState.CLOSE_WAIT);
    h.tcb.shutdownWrite(h.now);
    h.expectSegment(
        out().flags(FIN | ACK).seq(LOCAL_SEQ + 5).ack(REMOTE_SEQ + 1).window(WINDOW - 1));
    h.expectNothing();
    h.expectState(TcpState.LAST_ACK);
    h.send(at(30), seg().seq(REMOTE_SEQ + 1).ack(LOCAL_SEQ + 6));
    h.expectNothing();
    h.expectState(TcpState.CLOSED);
    h.expectEvent(new TcbEvent.DataAcknowledged(5, WINDOW));
    h.expectEvent(new TcbEvent.Closed(CloseReason.NORMAL));
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.4: the FIN follows queued data — held behind Nagle, it rides on the last data segment")
  void finFollowsQueuedData() {
    TcbHarness h = TcbHarness.established();
    h.write("abc");
    h.expectSegment(out().flags(ACK | PSH).seq(LOCAL_SEQ).ack(REMOTE_SEQ).payload("abc"));
    h.write("def"); // held: "abc" is unacknowledged (RFC 896)
    h.tcb.shutdownWrite(h.now);
    h.expectNothing();
    h.expectState(TcpState.FIN_WAIT_1);
    h.send(at(10), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 3));
    h.expectSegment(out().flags(FIN | ACK | PSH).seq(LOCAL_SEQ + 3).ack(REMOTE_SEQ).payload("def"));
    h.expectNothing();
    h.send(at(20), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 7));
    h.expectState(TcpState.FIN_WAIT_2);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (seventh) FIN_WAIT_1: data from the peer is still delivered and ACKed (delayed 40 ms)")
  void finWait1StillReceives() {
    TcbHarness h = TcbHarness.finWait1();
    h.send(at(10), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).payload("abc"));
    h.expectEvent(new TcbEvent.DataReceived(ByteString.fromString("abc")));
    h.tick(at(49));
    h.expectNothing();
    h.tick(at(50));
    h.expectSegment(out().seq(LOCAL_SEQ + 1).ack(REMOTE_SEQ + 3).window(WINDOW - 3));
    h.expectNothing();
    h.expectState(TcpState.FIN_WAIT_1);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (seventh) FIN_WAIT_2: data from the peer is still delivered and ACKed (delayed 40 ms)")
  void finWait2StillReceives() {
    TcbHarness h = TcbHarness.finWait2();
    h.send(at(10), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 1).payload("abc"));
    h.expectEvent(new TcbEvent.DataReceived(ByteString.fromString("abc")));
    h.tick(at(49));
    h.expectNothing();
    h.tick(at(50));
    h.expectSegment(out().seq(LOCAL_SEQ + 1).ack(REMOTE_SEQ + 3).window(WINDOW - 3));
    h.expectNothing();
    h.expectState(TcpState.FIN_WAIT_2);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (seventh, eighth) FIN_WAIT_2: data with FIN is delivered, ACKed at once, TIME_WAIT")
  void finWait2DataWithFin() {
    TcbHarness h = TcbHarness.finWait2();
    h.send(at(10), seg().flags(FIN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ + 1).payload("bye"));
    h.expectSegment(out().seq(LOCAL_SEQ + 1).ack(REMOTE_SEQ + 4).window(WINDOW - 4));
    h.expectNothing();
    h.expectEvent(new TcbEvent.DataReceived(ByteString.fromString("bye")));
    h.expectEvent(TcbEvent.PeerFinished.class);
    h.expectState(TcpState.TIME_WAIT);
  }

  @Test
  @DisplayName("RFC 9293 §3.10.4: CLOSE again while closing changes nothing and sends nothing")
  void secondShutdownIsNoOp() {
    TcbHarness h = TcbHarness.finWait1();
    h.tcb.shutdownWrite(at(5));
    h.expectNothing();
    h.expectState(TcpState.FIN_WAIT_1);
    h.expectNoEvent();
    TcbHarness last = TcbHarness.lastAck();
    last.tcb.shutdownWrite(at(5));
    last.expectNothing();
    last.expectState(TcpState.LAST_ACK);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.2: SEND after CLOSE is refused with a clear error (\"connection closing\")")
  void sendAfterShutdownRefused() {
    TcbHarness h = TcbHarness.finWait1();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> h.write("late"));
    assertTrue(e.getMessage().contains("FIN_WAIT_1"), e.getMessage());
    h.expectNothing();
  }

  // ------------------------------------------------------------------ two blocks

  @Test
  @DisplayName(
      "RFC 9293 §3.6 figure 13: simultaneous close — both blocks pass CLOSING and TIME_WAIT and are CLOSED after 2·MSL")
  void simultaneousCloseBothEndsClosed() {
    TcbHarness a = new TcbHarness();
    TcbHarness b = new TcbHarness();
    connect(a, b);

    a.tcb.shutdownWrite(at(100));
    b.tcb.shutdownWrite(at(100));
    TcpSegment finA = a.expectSegment(out().flags(FIN | ACK).seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    TcpSegment finB = b.expectSegment(seg().flags(FIN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    arrive(a, finB, at(110)); // the FINs cross
    arrive(b, finA, at(110));
    a.expectState(TcpState.CLOSING);
    b.expectState(TcpState.CLOSING);
    TcpSegment ackA =
        a.expectSegment(out().seq(LOCAL_SEQ + 1).ack(REMOTE_SEQ + 1).window(WINDOW - 1));
    TcpSegment ackB =
        b.expectSegment(seg().seq(REMOTE_SEQ + 1).ack(LOCAL_SEQ + 1).window(WINDOW - 1));
    arrive(a, ackB, at(120));
    arrive(b, ackA, at(120));
    a.expectState(TcpState.TIME_WAIT);
    b.expectState(TcpState.TIME_WAIT);
    a.expectNothing();
    b.expectNothing();

    a.tick(at(120 + TWO_MSL_MS - 1));
    b.tick(at(120 + TWO_MSL_MS - 1));
    a.expectState(TcpState.TIME_WAIT);
    b.expectState(TcpState.TIME_WAIT);
    a.tick(at(120 + TWO_MSL_MS));
    b.tick(at(120 + TWO_MSL_MS));
    for (TcbHarness end : List.of(a, b)) {
      end.expectState(TcpState.CLOSED);
      expectStatePath(
          end,
          TcpState.ESTABLISHED,
          TcpState.FIN_WAIT_1,
          TcpState.CLOSING,
          TcpState.TIME_WAIT,
          TcpState.CLOSED);
      end.expectEvent(TcbEvent.PeerFinished.class);
      end.expectEvent(new TcbEvent.Closed(CloseReason.NORMAL));
      end.expectNothing();
      assertEquals(TcbTimers.OFF, end.tcb.nextDeadline());
    }
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.6 figure 12: normal close between two blocks — the closer waits 2·MSL in TIME_WAIT, the other ends in LAST_ACK→CLOSED")
  void normalCloseBetweenTwoBlocks() {
    TcbHarness a = new TcbHarness();
    TcbHarness b = new TcbHarness();
    connect(a, b);

    a.tcb.shutdownWrite(at(100));
    deliver(a, b, at(110)); // FIN → B: CLOSE_WAIT, ACK back
    b.expectState(TcpState.CLOSE_WAIT);
    deliver(b, a, at(120)); // ACK → A: FIN_WAIT_2
    a.expectState(TcpState.FIN_WAIT_2);
    b.tcb.shutdownWrite(at(130));
    deliver(b, a, at(140)); // FIN → A: TIME_WAIT, ACK back
    a.expectState(TcpState.TIME_WAIT);
    deliver(a, b, at(150)); // ACK → B: CLOSED
    b.expectState(TcpState.CLOSED);
    b.expectEvent(TcbEvent.PeerFinished.class);
    b.expectEvent(new TcbEvent.Closed(CloseReason.NORMAL));
    a.tick(at(140 + TWO_MSL_MS - 1));
    a.expectState(TcpState.TIME_WAIT);
    a.tick(at(140 + TWO_MSL_MS));
    a.expectState(TcpState.CLOSED);
    expectStatePath(
        a,
        TcpState.ESTABLISHED,
        TcpState.FIN_WAIT_1,
        TcpState.FIN_WAIT_2,
        TcpState.TIME_WAIT,
        TcpState.CLOSED);
    a.expectEvent(TcbEvent.PeerFinished.class);
    a.expectEvent(new TcbEvent.Closed(CloseReason.NORMAL));
    a.expectNothing();
    b.expectNothing();
  }

  // ------------------------------------------------------------------ helpers

  /**
   * Wires {@code a} (active opener, port {@link TcbHarness#LOCAL_PORT}, ISS {@link
   * TcbHarness#LOCAL_ISS}) and {@code b} (listener on {@link TcbHarness#REMOTE_PORT}, ISS {@link
   * TcbHarness#REMOTE_ISS}) through a three-way handshake at T0, so that A's segments match {@code
   * out()} and B's match {@code seg()}.
   */
  private static void connect(TcbHarness a, TcbHarness b) {
    TcpConfig config = TcbHarness.config().withWindowScaling(false);
    a.tcb = Tcb.connect(config, LOCAL_PORT, REMOTE_PORT, LOCAL_ISS, a, T0);
    b.tcb = Tcb.listen(config, REMOTE_PORT, (port, t) -> REMOTE_ISS, b);
    deliver(a, b, T0); // SYN
    deliver(b, a, T0); // SYN-ACK
    deliver(a, b, T0); // ACK
    a.expectState(TcpState.ESTABLISHED);
    b.expectState(TcpState.ESTABLISHED);
    a.clear();
    b.clear();
  }

  /** Hands every segment {@code from} has sent so far to {@code to}, at {@code at}. */
  private static void deliver(TcbHarness from, TcbHarness to, long at) {
    while (!from.segments.isEmpty()) {
      arrive(to, from.segments.pollFirst(), at);
    }
  }

  private static void arrive(TcbHarness to, TcpSegment segment, long at) {
    to.now = at;
    to.tcb.segmentArrived(segment, at);
  }

  private static void expectStatePath(TcbHarness h, TcpState... path) {
    List<TcbEvent.StateChanged> want = new ArrayList<>();
    for (int i = 0; i + 1 < path.length; i++) {
      want.add(new TcbEvent.StateChanged(path[i], path[i + 1]));
    }
    List<TcbEvent.StateChanged> got = new ArrayList<>();
    for (TcbEvent e : h.events) {
      if (e instanceof TcbEvent.StateChanged change) {
        got.add(change);
      }
    }
    assertEquals(want, got, "state changes");
  }
}
