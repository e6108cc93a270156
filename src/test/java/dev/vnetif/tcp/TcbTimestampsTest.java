package dev.vnetif.tcp;

import static dev.vnetif.tcp.TcbHarness.LOCAL_ISS;
import static dev.vnetif.tcp.TcbHarness.LOCAL_PORT;
import static dev.vnetif.tcp.TcbHarness.LOCAL_SEQ;
import static dev.vnetif.tcp.TcbHarness.MS;
import static dev.vnetif.tcp.TcbHarness.MSS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_ISS;
import static dev.vnetif.tcp.TcbHarness.REMOTE_PORT;
import static dev.vnetif.tcp.TcbHarness.REMOTE_SEQ;
import static dev.vnetif.tcp.TcbHarness.T0;
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

import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import dev.vnetif.wire.Timestamps;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The timestamps option (RFC 7323 §3–5): negotiation on SYN and SYN-ACK, TSval from the network
 * clock at 1 ms plus the connection's offset, TS.Recent and its echo (§4.3), RTT samples from TSecr
 * (§4.1), PAWS and its exceptions (§5), and RFC 6191's reopening of TIME_WAIT.
 */
class TcbTimestampsTest {
  /** The connection's TSval offset, as {@link IsnGenerator#timestampOffset} would give it. */
  private static final int OFFSET = 5_000;

  /** The TSval of the peer's SYN-ACK: TS.Recent once established. */
  private static final int PEER_TS = 777;

  /** Our TSval at {@code at(ms)}: the clock in milliseconds plus the offset. */
  private static int ourTs(long ms) {
    return (int) (T0 / MS + ms) + OFFSET;
  }

  private static TcpOptions ts(int value, int echo) {
    return TcpOptions.NONE.withTimestamps(new Timestamps(value, echo));
  }

  /** Our SYN went out at T0 (offering timestamps and SACK) and was taken off the record. */
  private static TcbHarness synSent(TcpConfig config) {
    TcbHarness h = new TcbHarness();
    h.tcb = Tcb.connect(config, LOCAL_PORT, REMOTE_PORT, LOCAL_ISS, OFFSET, h, T0);
    return h;
  }

  /** Established at T0: the peer's SYN-ACK (MSS 1460, TSval 777) echoed our SYN's TSval. */
  private static TcbHarness established() {
    TcbHarness h = synSent(TcbHarness.withTimestampsAndSack());
    h.send(
        T0, seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS).ts(PEER_TS, ourTs(0)));
    h.clear();
    return h;
  }

  // ------------------------------------------------------------------ negotiation

  @Test
  @DisplayName(
      "RFC 7323 §3.2, §5.4: the SYN offers timestamps, TSval = the network clock in 1 ms ticks + the connection's offset, TSecr 0")
  void synOffersTimestamps() {
    TcbHarness h = synSent(TcbHarness.withTimestampsAndSack());
    h.expectSegment(
        out()
            .flags(SYN)
            .seq(LOCAL_ISS)
            .ack(0)
            .options(
                TcpOptions.NONE
                    .withMss(MSS)
                    .withSackPermitted()
                    .withTimestamps(new Timestamps(ourTs(0), 0))
                    .withWindowScale(0)));
    h.tick(at(1000)); // the SYN retransmitted 1 s later carries the later clock
    assertEquals(new Timestamps(ourTs(1000), 0), h.nextSegment().options().timestamps());
  }

  @Test
  @DisplayName(
      "RFC 7323 §3.2: once negotiated, every segment carries TSopt with TSecr = TS.Recent; ABORT's RST too (SHOULD), its TSecr 0 without the ACK bit")
  void everySegmentCarriesTimestampsTheRstToo() {
    TcbHarness h = synSent(TcbHarness.withTimestampsAndSack());
    h.clear();
    h.send(
        at(3),
        seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS).ts(PEER_TS, ourTs(0)));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ).options(ts(ourTs(3), PEER_TS)));
    h.now = at(5);
    h.write("hello");
    h.expectSegment(
        out()
            .flags(ACK | PSH)
            .seq(LOCAL_SEQ)
            .ack(REMOTE_SEQ)
            .payload("hello")
            .options(ts(ourTs(5), PEER_TS)));
    h.tcb.abort(at(6));
    h.expectSegment(out().flags(RST).seq(LOCAL_SEQ + 5).ack(0).window(0).options(ts(ourTs(6), 0)));
  }

  @Test
  @DisplayName(
      "RFC 7323 §4.3 with RFC 5961 §5.2 (packetdrill ts_recent/invalid_ack.pkt): a segment dropped for an ACK of data never sent leaves TS.Recent alone")
  void segmentWithUnacceptableAckDoesNotMoveTsRecent() {
    TcbHarness h = synSent(TcbHarness.withTimestampsAndSack());
    h.send(
        at(3),
        seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS).ts(PEER_TS, ourTs(0)));
    h.clear();
    // A forged FIN whose ACK covers data we never sent, with a far-future TSval: dropped.
    h.send(
        at(4),
        seg()
            .flags(FIN | ACK)
            .seq(REMOTE_SEQ)
            .ack(LOCAL_SEQ + 9998)
            .ts(PEER_TS + 1_000_000, ourTs(3)));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ).options(ts(ourTs(4), PEER_TS)));
    h.send(at(5), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).payload("data").ts(PEER_TS + 1, ourTs(4)));
    assertEquals(0, h.tcb.stats().pawsRejected(), "the real segment passes PAWS");
    assertEquals(4, h.tcb.stats().bytesReceived());
  }

  @Test
  @DisplayName(
      "RFC 7323 §3.2, RFC 6691: with timestamps a full segment carries MSS − 12 bytes of data")
  void timestampsTakeTwelveBytesOfEverySegment() {
    TcbHarness h = established();
    h.write(pattern(0, 3000), false);
    TcpSegment first = h.nextSegment();
    TcpSegment second = h.nextSegment();
    assertEquals(MSS - 12, first.payload().length());
    assertEquals(MSS - 12, second.payload().length());
    assertEquals(12, first.options().encodedLength());
    assertEquals(MSS - 12, h.tcb.stats().sendMss());
  }

  @Test
  @DisplayName(
      "RFC 7323 §3.2: a SYN with timestamps gets a SYN-ACK echoing its TSval; a SYN without gets none")
  void synAckAnswersTimestampsOnlyIfOffered() {
    TcbHarness with = TcbHarness.listen(TcbHarness.withTimestampsAndSack());
    with.send(at(0), seg().flags(SYN).seq(REMOTE_ISS).ack(0).mss(MSS).ts(4242, 0));
    with.expectSegment(
        out()
            .flags(SYN | ACK)
            .seq(LOCAL_ISS)
            .ack(REMOTE_SEQ)
            .options(
                TcpOptions.NONE
                    .withMss(MSS)
                    .withTimestamps(new Timestamps(ourTs(0) - OFFSET, 4242))));

    TcbHarness without = TcbHarness.listen(TcbHarness.withTimestampsAndSack());
    without.send(at(0), seg().flags(SYN).seq(REMOTE_ISS).ack(0).mss(MSS));
    without.expectSegment(
        out()
            .flags(SYN | ACK)
            .seq(LOCAL_ISS)
            .ack(REMOTE_SEQ)
            .options(TcpOptions.NONE.withMss(MSS)));
    without.send(at(1), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).payload("x"));
    without.tick(at(100));
    // Not negotiated: our ACK has no option at all.
    assertEquals(TcpOptions.NONE, without.nextSegment().options());
  }

  @Test
  @DisplayName(
      "RFC 7323 §3.2, TcpConfig.timestamps off: no TSopt on our SYN, and a peer's on its SYN-ACK is ignored")
  void configOffNeitherOffersNorAccepts() {
    TcpConfig off = TcbHarness.withTimestampsAndSack().withTimestamps(false);
    TcbHarness h = synSent(off);
    h.expectSegment(
        out()
            .flags(SYN)
            .seq(LOCAL_ISS)
            .ack(0)
            .options(TcpOptions.NONE.withMss(MSS).withSackPermitted().withWindowScale(0)));
    h.send(at(1), seg().flags(SYN | ACK).seq(REMOTE_ISS).ack(LOCAL_SEQ).mss(MSS).ts(PEER_TS, 1));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ));
    assertEquals(MSS, h.tcb.stats().sendMss());

    TcbHarness listener = TcbHarness.listen(off);
    listener.send(at(0), seg().flags(SYN).seq(REMOTE_ISS).ack(0).mss(MSS).ts(4242, 0));
    listener.expectSegment(
        out()
            .flags(SYN | ACK)
            .seq(LOCAL_ISS)
            .ack(REMOTE_SEQ)
            .options(TcpOptions.NONE.withMss(MSS)));
  }

  // ------------------------------------------------------------------ TS.Recent (§4.3)

  @Test
  @DisplayName(
      "RFC 7323 §4.3 (A), delayed ACK: the ACK of two segments echoes the TSval of the earlier one")
  void delayedAckEchoesTheEarliestSegment() {
    TcbHarness h = established();
    h.send(at(10), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).payload("aaaa").ts(1001, ourTs(0)));
    h.send(at(20), seg().seq(REMOTE_SEQ + 4).ack(LOCAL_SEQ).payload("bbbb").ts(1002, ourTs(0)));
    h.expectNothing();
    h.tick(at(50)); // the delayed-ACK timer armed at 10 ms
    h.expectSegment(
        out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 8).window(WINDOW - 8).options(ts(ourTs(50), 1001)));
  }

  @Test
  @DisplayName(
      "RFC 7323 §4.3 (B), a hole: the ACK of an out-of-order segment echoes the last in-order one; the segment that fills the hole is echoed")
  void outOfOrderSegmentIsNotEchoedButTheFillingOneIs() {
    TcbHarness h = established();
    h.send(at(10), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).payload("aaaa").ts(1001, ourTs(0)));
    h.tick(at(50));
    h.expectSegment(
        out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 4).window(WINDOW - 4).options(ts(ourTs(50), 1001)));
    // Segment 3 arrives before segment 2.
    h.send(at(60), seg().seq(REMOTE_SEQ + 8).ack(LOCAL_SEQ).payload("cccc").ts(1003, ourTs(50)));
    h.expectSegment(
        out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 4).window(WINDOW - 4).options(ts(ourTs(60), 1001)));
    h.send(at(70), seg().seq(REMOTE_SEQ + 4).ack(LOCAL_SEQ).payload("bbbb").ts(1002, ourTs(50)));
    h.expectSegment(
        out().seq(LOCAL_SEQ).ack(REMOTE_SEQ + 12).window(WINDOW - 12).options(ts(ourTs(70), 1002)));
  }

  // ------------------------------------------------------------------ RTTM (§4.1)

  @Test
  @DisplayName(
      "RFC 7323 §4.1, RFC 6298: every ACK that advances SND.UNA is a sample — the timed segment's, else TSecr's; a duplicate ACK is none")
  void everyAdvancingAckIsASample() {
    TcbHarness h = established(); // the SYN's round trip: a sample of 0
    h.write(pattern(0, 2 * (MSS - 12)), false);
    h.clear();
    h.send(at(30), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + MSS - 12).ts(900, ourTs(0)));
    assertEquals(3_750_000, h.tcb.stats().srttNanos()); // 30 ms: the timed first segment
    h.send(at(40), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 2 * (MSS - 12)).ts(901, ourTs(0)));
    // 40 ms from TSecr: RTTVAR = (3·7.5 + |3.75 − 40|)/4, SRTT = (7·3.75 + 40)/8.
    assertEquals(8_281_250, h.tcb.stats().srttNanos());
    assertEquals(14_687_500, h.tcb.stats().rttvarNanos());
    h.send(at(90), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 2 * (MSS - 12)).ts(902, ourTs(0)));
    assertEquals(8_281_250, h.tcb.stats().srttNanos());
  }

  @Test
  @DisplayName(
      "RFC 7323 §4.1: after a retransmission the echo tells which copy was answered, so the ACK is a sample (no Karn)")
  void retransmissionIsMeasuredFromTheEcho() {
    TcbHarness h = established();
    h.write("hello");
    h.tick(at(200)); // the RTO (200 ms floor) resends it
    h.clear();
    h.send(at(250), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 5).ts(900, ourTs(200)));
    // The answer to the retransmission: 50 ms, not 250.
    assertEquals(6_250_000, h.tcb.stats().srttNanos());
    assertEquals(12_500_000, h.tcb.stats().rttvarNanos());
  }

  @Test
  @DisplayName("RFC 7323 §4.1: without timestamps the same ACK is no sample (Karn, RFC 6298 §3)")
  void withoutTimestampsKarnHolds() {
    TcbHarness h = TcbHarness.established();
    h.write("hello");
    h.tick(at(200));
    h.clear();
    h.send(at(250), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ + 5));
    assertEquals(0, h.tcb.stats().srttNanos());
  }

  // ------------------------------------------------------------------ PAWS (§5)

  @Test
  @DisplayName(
      "RFC 7323 §5.3 R1: a segment with TSval older than TS.Recent is answered with an ACK and dropped, and counted")
  void pawsRejectsAnOldDuplicate() {
    TcbHarness h = established();
    h.send(at(10), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).payload("old").ts(PEER_TS - 1, ourTs(0)));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ).options(ts(ourTs(10), PEER_TS)));
    h.expectNothing();
    h.expectNoEvent();
    assertEquals(1, h.tcb.stats().pawsRejected());
    // The same bytes with a current TSval are taken.
    h.send(at(20), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).payload("new").ts(PEER_TS + 1, ourTs(0)));
    h.expectEvent(new TcbEvent.DataReceived(ByteString.fromString("new")));
  }

  @Test
  @DisplayName("RFC 7323 §5.3 R1: a RST is not PAWS-checked (\"and the RST bit is not set\")")
  void resetIsNotPawsChecked() {
    TcbHarness h = established();
    h.send(at(10), seg().flags(RST).seq(REMOTE_SEQ).ack(0).ts(PEER_TS - 100, 0));
    h.expectEvent(new TcbEvent.Closed(CloseReason.RESET));
    assertEquals(0, h.tcb.stats().pawsRejected());
  }

  @Test
  @DisplayName(
      "RFC 7323 §5.3, RFC 5961 §4.2: a SYN failing PAWS on a synchronized connection gets a challenge ACK")
  void synFailingPawsGetsAChallengeAck() {
    TcbHarness h = established();
    h.send(at(10), seg().flags(SYN).seq(REMOTE_SEQ + 100).ack(0).ts(PEER_TS - 1, 0));
    h.expectSegment(out().seq(LOCAL_SEQ).ack(REMOTE_SEQ).options(ts(ourTs(10), PEER_TS)));
    h.expectState(TcpState.ESTABLISHED);
    assertEquals(1, h.tcb.stats().pawsRejected());
  }

  @Test
  @DisplayName(
      "RFC 7323 §5.5: a TS.Recent idle for more than 24 days is invalid — the old TSval passes and becomes TS.Recent")
  void tsRecentOlderThan24DaysIsInvalid() {
    TcbHarness h = established();
    long later = 25L * 24 * 60 * 60 * 1000; // ms
    h.send(at(later), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).payload("hi").ts(PEER_TS - 1, 0));
    h.expectEvent(new TcbEvent.DataReceived(ByteString.fromString("hi")));
    h.tick(at(later + 40));
    h.expectSegment(
        out()
            .seq(LOCAL_SEQ)
            .ack(REMOTE_SEQ + 2)
            .window(WINDOW - 2)
            .options(ts(ourTs(later + 40), PEER_TS - 1)));
    assertEquals(0, h.tcb.stats().pawsRejected());
  }

  @Test
  @DisplayName(
      "RFC 7323 §5.5: within 24 days TS.Recent stays valid — the same segment 23 days later is rejected")
  void tsRecentWithin24DaysIsValid() {
    TcbHarness h = established();
    long later = 23L * 24 * 60 * 60 * 1000;
    h.send(at(later), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).payload("hi").ts(PEER_TS - 1, 0));
    h.expectNoEvent();
    assertEquals(1, h.tcb.stats().pawsRejected());
  }

  @Test
  @DisplayName(
      "RFC 7323 §3.2 (as Linux): a segment without TSopt on a connection that negotiated it is processed, never aborts it")
  void segmentWithoutTimestampsIsProcessed() {
    TcbHarness h = established();
    h.send(at(10), seg().seq(REMOTE_SEQ).ack(LOCAL_SEQ).payload("x"));
    h.expectEvent(new TcbEvent.DataReceived(ByteString.fromString("x")));
    h.expectState(TcpState.ESTABLISHED);
  }

  // ------------------------------------------------------------------ TIME_WAIT (RFC 6191)

  /** A TIME_WAIT entry of a connection that used timestamps; TS.Recent 500. */
  private static TimeWait timeWaitWithTimestamps() {
    return new TimeWait(50_000, 80_000, 65_535, 0, 65_535, true, OFFSET, 500);
  }

  private static TcpSegment syn(int seq, int tsVal) {
    return seg().flags(SYN).seq(seq).ack(0).ts(tsVal, 0).build();
  }

  @Test
  @DisplayName(
      "RFC 6191 §2: a SYN whose TSval is newer than TS.Recent reopens TIME_WAIT even with its ISN below RCV.NXT")
  void newerTimestampReopensTimeWait() {
    TimeWait tw = timeWaitWithTimestamps();
    assertEquals(TimeWait.Verdict.REOPEN, tw.arrive(syn(70_000, 501), T0));
  }

  @Test
  @DisplayName(
      "RFC 6191 §2, RFC 7323 §5.3: a SYN with an older TSval does not reopen TIME_WAIT, even beyond RCV.NXT")
  void olderTimestampDoesNotReopenTimeWait() {
    TimeWait tw = timeWaitWithTimestamps();
    assertEquals(TimeWait.Verdict.CHALLENGE_ACK, tw.arrive(syn(90_000, 499), T0));
    // An equal TSval falls back to the sequence-number rule (RFC 1122 §4.2.2.13).
    assertEquals(TimeWait.Verdict.REOPEN, tw.arrive(syn(90_000, 500), T0));
    assertEquals(TimeWait.Verdict.ACK, tw.arrive(syn(70_000, 500), T0));
  }

  @Test
  @DisplayName("RFC 7323 §3.2: the ACK of a TIME_WAIT entry carries timestamps, TSecr TS.Recent")
  void timeWaitAckCarriesTimestamps() {
    TimeWait tw = timeWaitWithTimestamps();
    TcpSegment fin = seg().flags(FIN | ACK).seq(79_999).ack(50_000).ts(600, 0).build();
    TcpSegment ack = tw.ack(fin, at(7));
    assertEquals(new Timestamps(ourTs(7), 500), ack.options().timestamps());
  }

  @Test
  @DisplayName(
      "RFC 7323 §3.2: a connection that entered TIME_WAIT hands its offset and TS.Recent to the entry")
  void tcbHandsTimestampsToTimeWait() {
    TcbHarness h = established();
    h.tcb.shutdownWrite(h.now);
    h.send(at(1), seg().flags(FIN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ + 1).ts(PEER_TS + 5, 0));
    h.expectState(TcpState.TIME_WAIT);
    TcpSegment again = seg().flags(FIN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ + 1).build();
    assertEquals(
        new Timestamps(ourTs(9), PEER_TS + 5),
        h.tcb.timeWait().ack(again, at(9)).options().timestamps());
  }
}
