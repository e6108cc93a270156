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
import static dev.vnetif.wire.TcpSegment.ACK;
import static dev.vnetif.wire.TcpSegment.FIN;
import static dev.vnetif.wire.TcpSegment.PSH;
import static dev.vnetif.wire.TcpSegment.RST;
import static dev.vnetif.wire.TcpSegment.SYN;

import dev.vnetif.wire.TcpOptions;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * RFC 5961's defences against blind in-window attacks — RST (§3), SYN (§4), data (§5) — and the
 * challenge ACK throttle (§7), following the scenarios of mirage-tcpip's test_rfc5961. A challenge
 * ACK is {@code <SEQ=SND.MAX><ACK=RCV.NXT><CTL=ACK>} with the current window.
 */
class TcbRfc5961Test {
  private static final TcpOptions SYN_OPTIONS = TcpOptions.NONE.withMss(MSS).withWindowScale(0);

  // ------------------------------------------------------------------ SYN_SENT (§3)

  @Test
  @DisplayName(
      "RFC 5961 §3.2 / RFC 9293 §3.10.7.3 SYN_SENT: a blind RST without ACK is ignored; the SYN-ACK then establishes")
  void blindRstWithoutAckInSynSentIgnored() {
    TcbHarness h = TcbHarness.synSent();
    h.send(at(5), seg().flags(RST).seq(REMOTE_SEQ));
    h.send(at(6), seg().flags(RST).seq(0));
    h.expectNothing();
    h.expectState(TcpState.SYN_SENT);
    h.expectNoEvent();
    h.send(at(10), seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectState(TcpState.ESTABLISHED);
  }

  @Test
  @DisplayName(
      "RFC 5961 §3 (mirage blind_rst_on_syn) SYN_SENT: RST,ACK with SEG.ACK = ISS (bad) is dropped, no RST back; the SYN-ACK then establishes")
  void rstAckWithAckAtIssInSynSentIgnored() {
    TcbHarness h = TcbHarness.synSent();
    h.send(at(5), seg().flags(RST | ACK).seq(0).ack(LOCAL_ISS));
    h.expectNothing();
    h.expectState(TcpState.SYN_SENT);
    h.expectNoEvent();
    h.send(at(10), seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectState(TcpState.ESTABLISHED);
    h.expectEvent(TcbEvent.Established.class);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.3 SYN_SENT: RST,ACK with SEG.ACK > SND.NXT is dropped, no RST back, SYN still retransmitted")
  void rstAckWithAckBeyondSndNxtInSynSentIgnored() {
    TcbHarness h = TcbHarness.synSent();
    h.send(at(5), seg().flags(RST | ACK).seq(0).ack(LOCAL_SEQ + 1));
    h.expectNothing();
    h.expectState(TcpState.SYN_SENT);
    h.expectNoEvent();
    h.tick(at(1_000));
    h.expectSegment(out().flags(SYN).seq(LOCAL_ISS).options(SYN_OPTIONS));
  }

  @Test
  @DisplayName(
      "RFC 5961 §3 (mirage connection_refused) SYN_SENT: RST,ACK acknowledging our SYN → Closed(REFUSED)")
  void rstAckAcknowledgingSynRefuses() {
    TcbHarness h = TcbHarness.synSent();
    h.send(at(5), seg().flags(RST | ACK).seq(0).ack(LOCAL_SEQ));
    h.expectNothing();
    h.expectState(TcpState.CLOSED);
    h.expectEvent(new TcbEvent.Closed(CloseReason.REFUSED));
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.3 SYN_SENT: an ACK ≤ ISS gets <SEQ=SEG.ACK><CTL=RST>, the connection attempt goes on")
  void ackAtOrBelowIssInSynSentGetsRst() {
    TcbHarness h = TcbHarness.synSent();
    h.send(at(5), seg().seq(REMOTE_SEQ).ack(LOCAL_ISS));
    h.expectSegment(out().flags(RST).seq(LOCAL_ISS).window(0));
    h.send(at(6), seg().seq(REMOTE_SEQ).ack(LOCAL_ISS - 500));
    h.expectSegment(out().flags(RST).seq(LOCAL_ISS - 500).window(0));
    h.expectNothing();
    h.expectState(TcpState.SYN_SENT);
    h.expectNoEvent();
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.3 SYN_SENT: a SYN,ACK acknowledging beyond SND.NXT gets <SEQ=SEG.ACK><CTL=RST>, no ESTABLISHED")
  void synAckBeyondSndNxtInSynSentGetsRst() {
    TcbHarness h = TcbHarness.synSent();
    h.send(at(5), seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ + 99).mss(MSS));
    h.expectSegment(out().flags(RST).seq(LOCAL_SEQ + 99).window(0));
    h.expectNothing();
    h.expectState(TcpState.SYN_SENT);
    h.expectNoEvent();
    // The genuine SYN-ACK still completes the handshake.
    h.send(at(10), seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectState(TcpState.ESTABLISHED);
  }

  // ------------------------------------------------------------------ RST (§3.2)

  @Test
  @DisplayName(
      "RFC 5961 §3.2 (mirage blind_rst_on_established): in-window RST not at RCV.NXT → challenge ACK, connection stays")
  void inWindowRstGetsChallengeAck() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), seg().flags(RST).seq(REMOTE_SEQ + 10));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectNothing();
    h.expectState(TcpState.ESTABLISHED);
    h.expectNoEvent();
    // The genuine peer answers the challenge with a RST at exactly RCV.NXT.
    h.send(at(11), seg().flags(RST).seq(REMOTE_SEQ));
    h.expectNothing();
    h.expectState(TcpState.CLOSED);
    h.expectEvent(new TcbEvent.Closed(CloseReason.RESET));
  }

  @Test
  @DisplayName(
      "RFC 5961 §3.2: a RST at the last sequence number of the window (RCV.NXT+RCV.WND−1) → challenge ACK")
  void rstAtRightWindowEdgeGetsChallengeAck() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), seg().flags(RST | ACK).seq(REMOTE_SEQ + WINDOW - 1).ack(LOCAL_SEQ));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectNothing();
    h.expectState(TcpState.ESTABLISHED);
  }

  @Test
  @DisplayName(
      "RFC 5961 §3.2 (mirage rst_on_established): RST exactly at RCV.NXT resets the connection")
  void rstAtRcvNxtResets() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), seg().flags(RST).seq(REMOTE_SEQ));
    h.expectNothing();
    h.expectState(TcpState.CLOSED);
    h.expectEvent(new TcbEvent.Closed(CloseReason.RESET));
  }

  @Test
  @DisplayName("RFC 5961 §3.2: RST outside the window → silently dropped, no challenge ACK")
  void rstOutsideWindowSilentlyDropped() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), seg().flags(RST).seq(REMOTE_SEQ + WINDOW));
    h.send(at(11), seg().flags(RST).seq(REMOTE_SEQ - 10));
    h.expectNothing();
    h.expectNoEvent();
    h.expectState(TcpState.ESTABLISHED);
  }

  @Test
  @DisplayName(
      "RFC 5961 §3.2 SYN_RECEIVED: in-window RST not at RCV.NXT → challenge ACK, handshake goes on")
  void inWindowRstInSynReceivedGetsChallengeAck() {
    TcbHarness h = TcbHarness.synReceived();
    h.send(at(5), seg().flags(RST).seq(REMOTE_SEQ + 1));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectNothing();
    h.expectState(TcpState.SYN_RECEIVED);
    h.send(at(6), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ));
    h.expectState(TcpState.ESTABLISHED);
  }

  @Test
  @DisplayName(
      "RFC 5961 §3.2 CLOSE_WAIT: in-window RST not at RCV.NXT → challenge ACK <SEQ=SND.MAX><ACK=RCV.NXT> with the current window")
  void inWindowRstInCloseWaitGetsChallengeAck() {
    TcbHarness h = TcbHarness.closeWait();
    h.send(at(10), seg().flags(RST).seq(REMOTE_SEQ + 2));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 1).window(WINDOW - 1));
    h.expectNothing();
    h.expectState(TcpState.CLOSE_WAIT);
  }

  @Test
  @DisplayName(
      "RFC 5961 §3.2 TIME_WAIT: in-window RST not at RCV.NXT → challenge ACK, TIME_WAIT and its timer kept")
  void inWindowRstInTimeWaitGetsChallengeAck() {
    TcbHarness h = TcbHarness.timeWait();
    h.send(at(10), seg().flags(RST).seq(REMOTE_SEQ + 100));
    h.expectSegment(out().seq(LOCAL_SEQ + 1).ack(REMOTE_SEQ + 1).window(WINDOW - 1));
    h.expectNothing();
    h.expectState(TcpState.TIME_WAIT);
    h.tick(at(60_000));
    h.expectState(TcpState.CLOSED);
    h.expectEvent(new TcbEvent.Closed(CloseReason.NORMAL));
  }

  // ------------------------------------------------------------------ SYN (§4)

  @Test
  @DisplayName(
      "RFC 5961 §4.2 (mirage blind_syn_on_established): SYN in the window → challenge ACK, connection stays")
  void inWindowSynGetsChallengeAck() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), seg().flags(SYN).seq(REMOTE_SEQ + 10));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectNothing();
    h.expectState(TcpState.ESTABLISHED);
    h.expectNoEvent();
  }

  @Test
  @DisplayName("RFC 5961 §4.2: SYN exactly at RCV.NXT → challenge ACK, not a reset")
  void synAtRcvNxtGetsChallengeAck() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), seg().flags(SYN).seq(REMOTE_SEQ).mss(MSS));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectNothing();
    h.expectState(TcpState.ESTABLISHED);
    h.expectNoEvent();
  }

  @Test
  @DisplayName(
      "RFC 5961 §4.2: SYN outside the window → ACK <SEQ=SND.MAX><ACK=RCV.NXT>, connection stays")
  void outOfWindowSynGetsAck() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), seg().flags(SYN).seq(REMOTE_SEQ + 10 * WINDOW));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.send(at(20), seg().flags(SYN).seq(REMOTE_ISS - 5));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectNothing();
    h.expectState(TcpState.ESTABLISHED);
    h.expectNoEvent();
  }

  @Test
  @DisplayName(
      "RFC 5961 §4.2: SYN,ACK carrying data in the window → challenge ACK; the data is not delivered")
  void synWithDataGetsChallengeAckAndDataDropped() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), seg().flags(SYN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ).payload("inject"));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectNothing();
    h.expectNoEvent();
    h.expectState(TcpState.ESTABLISHED);
  }

  @Test
  @DisplayName("RFC 5961 §4.2 TIME_WAIT: SYN in the window → challenge ACK, still TIME_WAIT")
  void inWindowSynInTimeWaitGetsChallengeAck() {
    TcbHarness h = TcbHarness.timeWait();
    h.send(at(10), seg().flags(SYN).seq(REMOTE_SEQ + 1000));
    h.expectSegment(out().seq(LOCAL_SEQ + 1).ack(REMOTE_SEQ + 1).window(WINDOW - 1));
    h.expectNothing();
    h.expectState(TcpState.TIME_WAIT);
  }

  // ------------------------------------------------------------------ ACK / data (§5)

  @Test
  @DisplayName(
      "RFC 5961 §5.2 / RFC 9293 §3.10.7.4: ACK beyond SND.NXT → challenge ACK, segment dropped, its data not delivered")
  void ackBeyondSndNxtGetsChallengeAckAndDropped() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 1).payload("abc"));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectNothing();
    h.expectNoEvent();
    // RCV.NXT did not move: the same bytes with a valid ACK are new data.
    h.send(at(20), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).payload("abc"));
    h.expectEvent(new TcbEvent.DataReceived(ByteString.fromString("abc")));
  }

  @Test
  @DisplayName(
      "RFC 5961 §5.2: a FIN whose ACK is beyond SND.NXT is dropped with a challenge ACK — the connection stays ESTABLISHED")
  void finWithAckBeyondSndNxtDropped() {
    TcbHarness h = TcbHarness.established();
    h.send(at(10), seg().flags(FIN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ + 5000));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectNothing();
    h.expectNoEvent();
    h.expectState(TcpState.ESTABLISHED);
  }

  @Test
  @DisplayName(
      "RFC 5961 §5.2 (mirage data_repeated_ack): SEG.ACK = SND.UNA − MAX.SND.WND is acceptable, its data is delivered")
  void oldButAcceptableAckDataAccepted() {
    TcbHarness h = TcbHarness.established();
    h.write("hello");
    h.send(at(5), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 5)); // SND.UNA = LOCAL_SEQ + 5
    h.clear();
    h.send(at(10), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 5 - WINDOW).payload("abc"));
    h.expectEvent(new TcbEvent.DataReceived(ByteString.fromString("abc")));
    h.expectNothing();
    h.tick(at(50));
    h.expectSegment(out().seq(LOCAL_SEQ + 5).ack(REMOTE_SEQ + 3).window(WINDOW - 3));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 5961 §5.2: SEG.ACK = SND.UNA − MAX.SND.WND − 1 → challenge ACK, segment dropped")
  void tooOldAckGetsChallengeAckAndDropped() {
    TcbHarness h = TcbHarness.established();
    h.write("hello");
    h.send(at(5), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 5));
    h.clear();
    h.send(at(10), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 5 - WINDOW - 1).payload("abc"));
    h.expectSegment(out().seq(LOCAL_SEQ + 5).ack(REMOTE_SEQ));
    h.expectNothing();
    h.expectNoEvent();
  }

  @Test
  @DisplayName(
      "RFC 5961 §5.2 (mirage data_repeated_ack, peer window 5120): ACK 5020 below SND.UNA with 512 bytes → delivered and ACKed")
  void mirageDataRepeatedAck() {
    TcbHarness h = establishedWithPeerWindow(5120);
    h.send(
        at(10),
        seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ - (5120 - 100)).window(5120).payloadOfLength(512));
    h.expectEvent(new TcbEvent.DataReceived(pattern(0, 512)));
    h.tick(at(50));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 512).window(WINDOW - 512));
    h.expectNothing();
  }

  @Test
  @DisplayName(
      "RFC 5961 §5.2 (mirage blind_data_injection, peer window 5120): ACK 5220 below SND.UNA with 512 bytes → challenge ACK, dropped")
  void mirageBlindDataInjection() {
    TcbHarness h = establishedWithPeerWindow(5120);
    h.send(
        at(10),
        seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ - (5120 + 100)).window(5120).payloadOfLength(512));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectNothing();
    h.expectNoEvent();
    h.expectState(TcpState.ESTABLISHED);
  }

  // ------------------------------------------------------------------ throttle (§7)

  @Test
  @DisplayName(
      "RFC 5961 §7: with a limit of 2 per second the third challenge ACK within 1 s is not sent; one second later they flow again")
  void challengeAckRateLimit() {
    TcbHarness h = TcbHarness.established(TcbHarness.config().withChallengeAckLimit(2));
    h.send(at(100), seg().flags(RST).seq(REMOTE_SEQ + 1));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.send(at(200), seg().flags(RST).seq(REMOTE_SEQ + 2));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.send(at(300), seg().flags(RST).seq(REMOTE_SEQ + 3));
    h.expectNothing();
    h.send(at(1_099), seg().flags(RST).seq(REMOTE_SEQ + 4));
    h.expectNothing();
    h.send(at(1_100), seg().flags(RST).seq(REMOTE_SEQ + 5));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.send(at(1_200), seg().flags(RST).seq(REMOTE_SEQ + 6));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.send(at(1_300), seg().flags(RST).seq(REMOTE_SEQ + 7));
    h.expectNothing();
    h.expectState(TcpState.ESTABLISHED);
    h.expectNoEvent();
  }

  @Test
  @DisplayName("RFC 5961 §7: RST, SYN and bad-ACK challenges share one budget")
  void challengeAckBudgetShared() {
    TcbHarness h = TcbHarness.established(TcbHarness.config().withChallengeAckLimit(2));
    h.send(at(100), seg().flags(SYN).seq(REMOTE_SEQ + 1));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.send(at(200), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 100));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.send(at(300), seg().flags(RST).seq(REMOTE_SEQ + 1));
    h.expectNothing();
    h.expectState(TcpState.ESTABLISHED);
  }

  @Test
  @DisplayName(
      "RFC 5961 §7: an exhausted challenge budget does not hold back ordinary ACKs of data")
  void challengeAckLimitDoesNotBlockDataAcks() {
    TcbHarness h = TcbHarness.established(TcbHarness.config().withChallengeAckLimit(1));
    h.send(at(100), seg().flags(RST).seq(REMOTE_SEQ + 1));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.send(at(110), seg().flags(RST).seq(REMOTE_SEQ + 1));
    h.expectNothing();
    h.send(at(120), seg().flags(FIN | ACK | PSH).seq(REMOTE_SEQ).ack(LOCAL_SEQ).payload("ok"));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 3).window(WINDOW - 3));
    h.expectState(TcpState.CLOSE_WAIT);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 (first): an unacceptable empty segment is answered with an ACK at most once per 500 ms")
  void outOfWindowEmptySegmentAnswersThrottled() {
    TcbHarness h = TcbHarness.established();
    h.send(at(100), seg().seq(REMOTE_SEQ + 2 * WINDOW).ack(LOCAL_SEQ));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.send(at(599), seg().seq(REMOTE_SEQ + 2 * WINDOW).ack(LOCAL_SEQ));
    h.expectNothing();
    h.send(at(600), seg().seq(REMOTE_SEQ + 2 * WINDOW).ack(LOCAL_SEQ));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    // Unacceptable data is answered every time.
    h.send(at(601), seg().seq(REMOTE_SEQ - 3).ack(LOCAL_SEQ).payload("old"));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.send(at(602), seg().seq(REMOTE_SEQ - 3).ack(LOCAL_SEQ).payload("old"));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectNothing();
    h.expectNoEvent();
  }

  // ------------------------------------------------------------------ helpers

  /** ESTABLISHED as the active side, the peer having offered {@code window} (MAX.SND.WND). */
  private static TcbHarness establishedWithPeerWindow(int window) {
    TcbHarness h = TcbHarness.synSent();
    h.send(seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS).window(window));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    h.expectState(TcpState.ESTABLISHED);
    h.clear();
    return h;
  }
}
