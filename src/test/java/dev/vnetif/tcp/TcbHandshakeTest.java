package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_ISS;
import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
import static dev.vnetif.tcp.TcbHarness.MSS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_ISS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_SEQ;
import static dev.vnetif.tcp.TcbHarness.T0;
import static dev.vnetif.tcp.TcbHarness.WINDOW;
import static dev.vnetif.tcp.TcbHarness.at;
import static dev.vnetif.tcp.TcbHarness.out;
import static dev.vnetif.tcp.TcbHarness.seg;
import static dev.vnetif.wire.TcpSegment.ACK;
import static dev.vnetif.wire.TcpSegment.RST;
import static dev.vnetif.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vnetif.wire.TcpOptions;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The three-way handshake, both sides (RFC 9293 §3.5, §3.10.7.2–3). */
class TcbHandshakeTest {

  @Test
  @DisplayName(
      "RFC 9293 §3.10.1: active OPEN sends <SEQ=ISS><CTL=SYN> with MSS and window scale, enters SYN_SENT")
  void activeOpenSendsSyn() {
    TcbHarness h = new TcbHarness();
    h.tcb =
        Tcb.connect(
            TcbHarness.config(),
            TcbHarness.LOCAL_PORT,
            TcbHarness.REMOTE_PORT,
            LOCAL_ISS,
            h,
            h.now);
    h.expectSegment(
        out()
            .flags(SYN)
            .seq(LOCAL_ISS)
            .window(WINDOW)
            .options(TcpOptions.NONE.withMss(MSS).withWindowScale(0)));
    h.expectState(TcpState.SYN_SENT);
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.3: SYN-ACK acknowledging our SYN → ACK <SEQ=ISS+1><ACK=IRS+1>, ESTABLISHED")
  void synAckCompletesActiveOpen() {
    TcbHarness h = TcbHarness.synSent();
    h.send(at(5), seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectState(TcpState.ESTABLISHED);
    h.expectEvent(TcbEvent.Established.class);
    h.expectNothing();
  }

  @Test
  @DisplayName("RFC 9293 §3.10.7.2: LISTEN answers a SYN with <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>")
  void listenAnswersSyn() {
    TcbHarness h = TcbHarness.listen();
    h.send(seg().flags(SYN).seq(REMOTE_ISS).mss(MSS));
    h.expectSegment(
        out()
            .flags(SYN | ACK)
            .seq(LOCAL_ISS)
            .ack(REMOTE_SEQ)
            .options(TcpOptions.NONE.withMss(MSS)));
    h.expectState(TcpState.SYN_RECEIVED);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4: the ACK of our SYN-ACK moves SYN_RECEIVED to ESTABLISHED silently")
  void ackCompletesPassiveOpen() {
    TcbHarness h = TcbHarness.synReceived();
    h.send(seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    h.expectState(TcpState.ESTABLISHED);
    h.expectEvent(TcbEvent.Established.class);
    h.expectNothing();
  }

  @Test
  @DisplayName("RFC 9293 §3.10.7.2: LISTEN answers an ACK with <SEQ=SEG.ACK><CTL=RST> and stays")
  void listenResetsAck() {
    TcbHarness h = TcbHarness.listen();
    h.send(seg().seq(5).ack(777));
    h.expectSegment(out().flags(RST).seq(777).window(0));
    h.expectState(TcpState.LISTEN);
  }

  @Test
  @DisplayName(
      "RFC 6298 §5: SYN retransmitted at 1 s, 3 s, 7 s, 15 s, 31 s (RTO 1 s doubling), then TIMEOUT")
  void synRetransmissionSchedule() {
    TcpConfig config = TcbHarness.config().withRetransmissions(12, 5);
    TcbHarness h = TcbHarness.synSent(config);
    long[] expectedAt = {1_000, 3_000, 7_000, 15_000, 31_000};
    for (long ms : expectedAt) {
      h.tick(at(ms) - 1);
      h.expectNothing();
      h.tick(at(ms));
      h.expectSegment(
          out().flags(SYN).seq(LOCAL_ISS).options(TcpOptions.NONE.withMss(MSS).withWindowScale(0)));
    }
    h.tick(at(63_000) - 1);
    h.expectState(TcpState.SYN_SENT);
    h.tick(at(63_000));
    h.expectState(TcpState.CLOSED);
    h.expectEvent(new TcbEvent.Closed(CloseReason.TIMEOUT));
    h.expectNothing();
  }

  // ------------------------------------------------------------------ SYN_RECEIVED

  private static final TcpOptions SYN_ACK_OPTIONS = TcpOptions.NONE.withMss(MSS);

  private static TcbHarness.SegmentBuilder synAck() {
    return out().flags(SYN | ACK).seq(LOCAL_ISS).ack(REMOTE_SEQ).options(SYN_ACK_OPTIONS);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (first check) SYN_RECEIVED: the peer's SYN again (same ISN, no ACK) means our SYN-ACK was lost: it is sent again")
  void repeatedSynGetsSynAckAgain() {
    TcbHarness h = TcbHarness.synReceived();
    h.send(at(500), seg().flags(SYN).seq(REMOTE_ISS).ack(0).mss(MSS));
    h.expectSegment(synAck());
    h.expectNothing();
    h.expectState(TcpState.SYN_RECEIVED);
    h.expectNoEvent();
    assertEquals(1, h.tcb.stats().retransmittedSegments());
    // RFC 6298 §5.1: the running timer is not restarted; the timed retransmission stays at 1 s.
    assertEquals(at(1_000), h.tcb.timers().deadline(TcbTimers.Kind.RETRANSMIT));
    // The handshake then completes as usual.
    h.send(at(600), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    h.expectNothing();
    h.expectState(TcpState.ESTABLISHED);
    h.expectEvent(TcbEvent.Established.class);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 SYN_RECEIVED: each repeated SYN is answered, and none of them counts as a timeout")
  void everyRepeatedSynIsAnswered() {
    TcbHarness h = TcbHarness.synReceived(TcbHarness.config().withRetransmissions(12, 1));
    for (int i = 1; i <= 3; i++) {
      h.send(at(100L * i), seg().flags(SYN).seq(REMOTE_ISS).ack(0).mss(MSS));
      h.expectSegment(synAck());
    }
    h.expectNothing();
    assertEquals(0, h.tcb.stats().timeouts());
    // With one SYN retry allowed, the timer still gives one retransmission (1 s), then up (3 s).
    h.tick(at(1_000));
    h.expectSegment(synAck());
    h.tick(at(2_999));
    h.expectState(TcpState.SYN_RECEIVED);
  }

  @Test
  @DisplayName(
      "RFC 6298 §5.5 SYN_RECEIVED: the SYN-ACK is retransmitted at exactly 1 s, 3 s, 7 s, 15 s, 31 s (RTO 1 s doubling)")
  void synAckRetransmissionSchedule() {
    TcbHarness h = TcbHarness.synReceived(TcbHarness.config().withRetransmissions(12, 5));
    for (long ms : new long[] {1_000, 3_000, 7_000, 15_000, 31_000}) {
      h.tick(at(ms) - 1);
      h.expectNothing();
      h.tick(at(ms));
      h.expectSegment(synAck());
      h.expectNothing();
      h.expectState(TcpState.SYN_RECEIVED);
    }
    assertEquals(at(63_000), h.tcb.nextDeadline(), "the last wait is 32 s");
    assertEquals(5, h.tcb.stats().retransmittedSegments());
    h.expectNoEvent();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.8.3 (R2), §3.10.7.4: SYN-ACK retries exhausted (5) on a listen() block → back to LISTEN at 63 s, user not told; the next SYN is served")
  void synAckRetriesExhaustedReturnsListenBlockToListen() {
    TcbHarness h = TcbHarness.synReceived(TcbHarness.config().withRetransmissions(12, 5));
    h.tick(at(62_999));
    h.clear();
    h.expectState(TcpState.SYN_RECEIVED);
    h.tick(at(63_000));
    h.expectNothing();
    h.expectState(TcpState.LISTEN);
    assertEquals(
        List.of(new TcbEvent.StateChanged(TcpState.SYN_RECEIVED, TcpState.LISTEN)),
        List.copyOf(h.events));
    assertEquals(TcbTimers.OFF, h.tcb.nextDeadline());
    h.clear();
    // A fresh attempt starts from the initial RTO again (1 s), not the backed-off one.
    h.send(at(70_000), seg().flags(SYN).seq(REMOTE_ISS + 5_000).mss(MSS));
    h.expectSegment(
        out().flags(SYN | ACK).seq(LOCAL_ISS).ack(REMOTE_ISS + 5_001).options(SYN_ACK_OPTIONS));
    h.expectState(TcpState.SYN_RECEIVED);
    assertEquals(at(71_000), h.tcb.nextDeadline());
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.8.3 (R2): SYN-ACK retries exhausted (2) on an accept() block → Closed(TIMEOUT) at 7 s, no RST")
  void synAckRetriesExhaustedClosesAcceptedBlock() {
    TcbHarness h = new TcbHarness();
    h.tcb =
        Tcb.accept(
            TcbHarness.config().withRetransmissions(12, 2),
            seg().flags(SYN).seq(REMOTE_ISS).mss(MSS).build(),
            LOCAL_ISS,
            h,
            T0);
    h.expectSegment(synAck());
    h.tick(at(1_000));
    h.expectSegment(synAck());
    h.tick(at(3_000));
    h.expectSegment(synAck());
    h.tick(at(6_999));
    h.expectState(TcpState.SYN_RECEIVED);
    h.clear();
    h.tick(at(7_000));
    h.expectNothing();
    h.expectState(TcpState.CLOSED);
    h.expectEvent(new TcbEvent.Closed(CloseReason.TIMEOUT));
    assertEquals(TcbTimers.OFF, h.tcb.nextDeadline());
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.8.3 (R2): in a simultaneous open the SYN-ACK shares the SYN's retry count; exhausted → Closed(TIMEOUT)")
  void simultaneousOpenSynAckRetriesExhausted() {
    TcbHarness h = TcbHarness.synSent(TcbHarness.config().withRetransmissions(12, 1));
    h.send(at(5), seg().flags(SYN).seq(REMOTE_ISS).mss(MSS));
    h.expectSegment(synAck());
    h.expectState(TcpState.SYN_RECEIVED);
    // RFC 6298 §5.1: the SYN-ACK repeats our SYN, so the SYN's timer (1 s) keeps running.
    h.tick(at(1_000));
    h.expectSegment(synAck());
    h.clear();
    h.tick(at(3_000));
    h.expectNothing();
    h.expectState(TcpState.CLOSED);
    h.expectEvent(new TcbEvent.Closed(CloseReason.TIMEOUT));
  }
}
