package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_ISS;
import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
import static dev.vnetif.tcp.TcbHarness.MSS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_ISS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_SEQ;
import static dev.vnetif.tcp.TcbHarness.WINDOW;
import static dev.vnetif.tcp.TcbHarness.at;
import static dev.vnetif.tcp.TcbHarness.out;
import static dev.vnetif.tcp.TcbHarness.seg;
import static dev.vnetif.wire.TcpSegment.ACK;
import static dev.vnetif.wire.TcpSegment.RST;
import static dev.vnetif.wire.TcpSegment.SYN;

import dev.vnetif.wire.TcpOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The three-way handshake, both sides (RFC 9293 §3.5, §3.10.7.2–3). */
class TcbHandshakeTest {

  @Test
  @DisplayName("RFC 9293 §3.10.1: active OPEN sends <SEQ=ISS><CTL=SYN> with MSS and window scale, enters SYN_SENT")
  void activeOpenSendsSyn() {
    TcbHarness h = new TcbHarness();
    h.tcb = Tcb.connect(TcbHarness.config(), TcbHarness.LOCAL_PORT, TcbHarness.REMOTE_PORT,
        LOCAL_ISS, h, h.now);
    h.expectSegment(out().flags(SYN).seq(LOCAL_ISS).window(WINDOW)
        .options(TcpOptions.NONE.withMss(MSS).withWindowScale(0)));
    h.expectState(TcpState.SYN_SENT);
    h.expectNothing();
  }

  @Test
  @DisplayName("RFC 9293 §3.10.7.3: SYN-ACK acknowledging our SYN → ACK <SEQ=ISS+1><ACK=IRS+1>, ESTABLISHED")
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
    h.expectSegment(out().flags(SYN | ACK).seq(LOCAL_ISS).ack(REMOTE_SEQ)
        .options(TcpOptions.NONE.withMss(MSS)));
    h.expectState(TcpState.SYN_RECEIVED);
  }

  @Test
  @DisplayName("RFC 9293 §3.10.7.4: the ACK of our SYN-ACK moves SYN_RECEIVED to ESTABLISHED silently")
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
  @DisplayName("RFC 6298 §5: SYN retransmitted at 1 s, 3 s, 7 s, 15 s, 31 s (RTO 1 s doubling), then TIMEOUT")
  void synRetransmissionSchedule() {
    TcpConfig config = TcbHarness.config().withRetransmissions(12, 5);
    TcbHarness h = TcbHarness.synSent(config);
    long[] expectedAt = {1_000, 3_000, 7_000, 15_000, 31_000};
    for (long ms : expectedAt) {
      h.tick(at(ms) - 1);
      h.expectNothing();
      h.tick(at(ms));
      h.expectSegment(out().flags(SYN).seq(LOCAL_ISS)
          .options(TcpOptions.NONE.withMss(MSS).withWindowScale(0)));
    }
    h.tick(at(63_000) - 1);
    h.expectState(TcpState.SYN_SENT);
    h.tick(at(63_000));
    h.expectState(TcpState.CLOSED);
    h.expectEvent(new TcbEvent.Closed(CloseReason.TIMEOUT));
    h.expectNothing();
  }
}
