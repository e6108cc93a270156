package dev.vnetif.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.vnetif.tcp.TimeWait.Verdict;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import dev.vnetif.wire.Timestamps;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** RFC 9293 §3.10.7.4 in TIME-WAIT, for the compact entry a host keeps instead of a flow. */
class TimeWaitTest {
  private static final int PEER = 49_152;
  private static final int US = 80;

  // Our FIN was acknowledged at SND.NXT = 5,001; the peer's FIN took 10,000, so RCV.NXT = 10,001.
  private static final int SND_NXT = 5_001;
  private static final int RCV_NXT = 10_001;
  private static final int WINDOW = 65_535 << 2; // offered with window scale 2
  private static final long SECOND = 1_000_000_000L;

  private static TimeWait entry() {
    return new TimeWait(SND_NXT, RCV_NXT, WINDOW, 2, 65_535);
  }

  private static TcpSegment seg(int seq, int ack, int flags) {
    return seg(seq, ack, flags, 0);
  }

  private static TcpSegment seg(int seq, int ack, int flags, int payload) {
    return new TcpSegment(
        PEER,
        US,
        seq,
        ack,
        flags,
        1000,
        0,
        TcpOptions.NONE,
        ByteString.fromArray(new byte[payload]));
  }

  @Test
  @DisplayName(
      "RFC 6191 / RFC 9293 §3.10.7.4 note: a SYN beyond the old RCV.NXT reopens the 4-tuple")
  void synBeyondRcvNxtReopens() {
    assertEquals(Verdict.REOPEN, entry().arrive(seg(RCV_NXT + 1, 0, TcpSegment.SYN), 0));
    // far beyond the window too: it is a new incarnation, not a segment of this one
    assertEquals(Verdict.REOPEN, entry().arrive(seg(RCV_NXT + 0x4000_0000, 0, TcpSegment.SYN), 0));
  }

  @Test
  @DisplayName(
      "RFC 1122 §4.2.2.13: the reopened connection's ISS lies above the old SND.NXT (Linux: +65535+2), also across wrap-around")
  void reopenIssAboveOldSndNxt() {
    assertEquals(SND_NXT + 65_537, entry().reopenIss());
    TimeWait wrapped = new TimeWait(0xFFFF_FFF0, RCV_NXT, WINDOW, 2, 65_535);
    assertEquals(0xFFFF_FFF0 + 65_537, wrapped.reopenIss());
    assertEquals(
        65_537, dev.vnetif.wire.SeqNum.diff(wrapped.reopenIss(), 0xFFFF_FFF0), "beyond, mod 2^32");
  }

  @Test
  @DisplayName(
      "a SYN at or below RCV.NXT may be an old duplicate: not reopened; below the window an ACK answers it, at RCV.NXT a challenge ACK (RFC 5961 §4.2)")
  void oldSynIsAnsweredNotAccepted() {
    assertEquals(Verdict.ACK, entry().arrive(seg(RCV_NXT - 1, 0, TcpSegment.SYN), 0));
    assertEquals(Verdict.ACK, entry().arrive(seg(RCV_NXT - 100_000, 0, TcpSegment.SYN), 0));
    assertEquals(Verdict.CHALLENGE_ACK, entry().arrive(seg(RCV_NXT, 0, TcpSegment.SYN), 0));
  }

  @Test
  @DisplayName("a SYN with ACK or RST never reopens the 4-tuple")
  void synWithAckOrRstDoesNotReopen() {
    assertEquals(
        Verdict.CHALLENGE_ACK,
        entry().arrive(seg(RCV_NXT + 1, SND_NXT, TcpSegment.SYN | TcpSegment.ACK), 0));
    assertEquals(
        Verdict.CHALLENGE_ACK,
        entry().arrive(seg(RCV_NXT + 1, 0, TcpSegment.SYN | TcpSegment.RST), 0));
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 eighth: the peer's FIN again (our ACK was lost) is re-ACKed and restarts 2·MSL")
  void retransmittedFinIsReAckedAndRestarts() {
    TimeWait tw = entry();
    TcpSegment fin = seg(RCV_NXT - 1, SND_NXT, TcpSegment.FIN | TcpSegment.ACK);
    assertEquals(Verdict.ACK_AND_RESTART, tw.arrive(fin, 0));
    // every time: a retransmitted FIN is never rate-limited away
    assertEquals(Verdict.ACK_AND_RESTART, tw.arrive(fin, 1));
    TcpSegment ack = tw.ack(fin);
    assertEquals(
        TcpSegment.of(US, PEER, SND_NXT, RCV_NXT, TcpSegment.ACK, 65_535),
        ack,
        "<SEQ=SND.NXT>" + "<ACK=RCV.NXT><CTL=ACK>, window scaled down by our scale");
  }

  @Test
  @DisplayName(
      "RST at RCV.NXT ends TIME_WAIT (as the Tcb does in TIME_WAIT); elsewhere in the window a challenge ACK; outside ignored")
  void resets() {
    assertEquals(Verdict.END, entry().arrive(seg(RCV_NXT, 0, TcpSegment.RST), 0));
    assertEquals(
        Verdict.END, entry().arrive(seg(RCV_NXT, SND_NXT, TcpSegment.RST | TcpSegment.ACK), 0));
    assertEquals(Verdict.CHALLENGE_ACK, entry().arrive(seg(RCV_NXT + 10, 0, TcpSegment.RST), 0));
    assertEquals(Verdict.IGNORE, entry().arrive(seg(RCV_NXT - 1, 0, TcpSegment.RST), 0));
    assertEquals(Verdict.IGNORE, entry().arrive(seg(RCV_NXT + WINDOW, 0, TcpSegment.RST), 0));
  }

  @Test
  @DisplayName(
      "an empty segment outside the window gets an ACK at most every 500 ms; a keepalive probe (RCV.NXT − 1) always")
  void outOfWindowAcksAreRateLimited() {
    TimeWait tw = entry();
    TcpSegment stale = seg(RCV_NXT - 50, SND_NXT, TcpSegment.ACK);
    assertEquals(Verdict.ACK, tw.arrive(stale, 0));
    assertEquals(Verdict.IGNORE, tw.arrive(stale, SECOND / 4));
    assertEquals(Verdict.ACK, tw.arrive(stale, SECOND / 2));
    TcpSegment probe = seg(RCV_NXT - 1, SND_NXT, TcpSegment.ACK);
    assertEquals(Verdict.ACK, tw.arrive(probe, SECOND / 2 + 1));
    assertEquals(Verdict.ACK, tw.arrive(probe, SECOND / 2 + 2));
  }

  @Test
  @DisplayName(
      "in the window: a bare ACK needs nothing, text is ignored (seventh), an ACK beyond SND.NXT gets a challenge ACK (RFC 5961 §5.2), no ACK bit is dropped")
  void inWindowSegments() {
    assertEquals(Verdict.IGNORE, entry().arrive(seg(RCV_NXT, SND_NXT, TcpSegment.ACK), 0));
    assertEquals(Verdict.IGNORE, entry().arrive(seg(RCV_NXT, SND_NXT, TcpSegment.ACK, 100), 0));
    assertEquals(
        Verdict.CHALLENGE_ACK, entry().arrive(seg(RCV_NXT, SND_NXT + 1, TcpSegment.ACK), 0));
    assertEquals(
        Verdict.CHALLENGE_ACK, entry().arrive(seg(RCV_NXT, SND_NXT - 65_536, TcpSegment.ACK), 0));
    assertEquals(Verdict.IGNORE, entry().arrive(seg(RCV_NXT, 0, 0, 10), 0));
    assertEquals(
        Verdict.ACK_AND_RESTART,
        entry().arrive(seg(RCV_NXT, SND_NXT, TcpSegment.FIN | TcpSegment.ACK), 0));
  }

  @Test
  @DisplayName("a zero window: only an empty segment exactly at RCV.NXT is acceptable")
  void zeroWindow() {
    TimeWait closed = new TimeWait(SND_NXT, RCV_NXT, 0, 0, 65_535);
    assertEquals(Verdict.IGNORE, closed.arrive(seg(RCV_NXT, SND_NXT, TcpSegment.ACK), 0));
    assertEquals(Verdict.ACK, closed.arrive(seg(RCV_NXT, SND_NXT, TcpSegment.ACK, 1), 0));
    assertEquals(Verdict.END, closed.arrive(seg(RCV_NXT, 0, TcpSegment.RST), 0));
    assertEquals(0, closed.ack(seg(RCV_NXT, 0, TcpSegment.ACK)).window());
  }

  @Test
  @DisplayName(
      "Tcb.timeWait(): the entry a Tcb in TIME_WAIT leaves answers the peer's retransmitted FIN with the very ACK the Tcb sends")
  void entryFromTcbAnswersAsTheTcbDoes() {
    TcbHarness h = TcbHarness.timeWait();
    TimeWait tw = h.tcb.timeWait();
    assertEquals(TcbHarness.LOCAL_SEQ + 1, tw.sndNxt());
    assertEquals(TcbHarness.REMOTE_SEQ + 1, tw.rcvNxt());
    TcpSegment fin =
        TcbHarness.seg()
            .flags(TcpSegment.FIN | TcpSegment.ACK)
            .seq(TcbHarness.REMOTE_SEQ)
            .ack(TcbHarness.LOCAL_SEQ + 1)
            .build();
    assertEquals(Verdict.ACK_AND_RESTART, tw.arrive(fin, h.now));
    h.send(
        h.now,
        TcbHarness.seg()
            .flags(TcpSegment.FIN | TcpSegment.ACK)
            .seq(TcbHarness.REMOTE_SEQ)
            .ack(TcbHarness.LOCAL_SEQ + 1));
    assertEquals(h.nextSegment(), tw.ack(fin));
    // and a new SYN: the Tcb could only challenge it; the entry lets it reopen the 4-tuple
    TcpSegment syn =
        TcbHarness.seg().flags(TcpSegment.SYN).seq(TcbHarness.REMOTE_SEQ + 100).build();
    assertEquals(Verdict.REOPEN, tw.arrive(syn, h.now));
  }

  // ------------------------------------------------------------ reuse at the same instant

  private static final Ipv4Address CLIENT = Ipv4Address.of("10.0.0.10");
  private static final Ipv4Address SERVER = Ipv4Address.of("10.0.0.100");

  /** An instant of virtual time; the whole old connection and the new SYN happen at it. */
  private static final long AT = 7 * SECOND + 123_456_789L;

  /**
   * The server's TIME_WAIT entry after a connection from the client's {@code clientIss} that
   * carried {@code bytes} from the client, then its FIN; with timestamps, TS.Recent is the client's
   * TSval at {@link #AT} under {@code clientOffset}.
   */
  private static TimeWait serverEntry(
      int clientIss, long bytes, boolean timestamps, int clientOffset) {
    int rcvNxt = clientIss + 1 + (int) bytes + 1;
    int tsRecent = (int) (AT / Timestamping.TICK_NANOS) + clientOffset;
    return new TimeWait(SND_NXT, rcvNxt, WINDOW, 2, 65_535, timestamps, 77, tsRecent);
  }

  /** The client's SYN of the new connection at {@link #AT}, with its TSval when {@code ts}. */
  private static TcpSegment clientSyn(int iss, boolean timestamps, int offset) {
    TcpOptions options = TcpOptions.NONE.withMss(1460);
    if (timestamps) {
      options =
          options.withTimestamps(new Timestamps((int) (AT / Timestamping.TICK_NANOS) + offset, 0));
    }
    return seg(iss, 0, TcpSegment.SYN).withOptions(options);
  }

  @Test
  @DisplayName(
      "same-instant reuse with timestamps: the client's next SYN on the 4-tuple, at the instant the old connection ended, reopens the server's TIME_WAIT whatever the old one carried (its TSval is above TS.Recent, RFC 6191)")
  void sameInstantReuseWithTimestamps() {
    for (long bytes : new long[] {0, 1024, 100L << 20}) {
      IsnGenerator client = new IsnGenerator(3);
      int oldIss = client.isn(CLIENT, PEER, SERVER, US, AT);
      int oldOffset = client.timestampOffset(CLIENT, PEER, SERVER, US);
      TimeWait entry = serverEntry(oldIss, bytes, true, oldOffset);
      TcpSegment syn =
          clientSyn(
              client.isn(CLIENT, PEER, SERVER, US, AT),
              true,
              client.timestampOffset(CLIENT, PEER, SERVER, US));
      assertEquals(Verdict.REOPEN, entry.arrive(syn, AT), bytes + " bytes");
    }
  }

  @Test
  @DisplayName(
      "same-instant reuse without timestamps: the client's next ISS lies ISS_STEP above the old one, beyond the old RCV.NXT for an old connection of fewer bytes than that (RFC 1122 §4.2.2.13); of more, the SYN looks old and is answered with an ACK, as on a real stack whose clock ticked too little")
  void sameInstantReuseWithoutTimestamps() {
    for (long bytes : new long[] {0, 1024, IsnGenerator.ISS_STEP - 3}) {
      IsnGenerator client = new IsnGenerator(3);
      TimeWait entry = serverEntry(client.isn(CLIENT, PEER, SERVER, US, AT), bytes, false, 0);
      TcpSegment syn = clientSyn(client.isn(CLIENT, PEER, SERVER, US, AT), false, 0);
      assertEquals(Verdict.REOPEN, entry.arrive(syn, AT), bytes + " bytes");
    }
    IsnGenerator client = new IsnGenerator(3);
    TimeWait entry =
        serverEntry(client.isn(CLIENT, PEER, SERVER, US, AT), IsnGenerator.ISS_STEP - 2, false, 0);
    TcpSegment syn = clientSyn(client.isn(CLIENT, PEER, SERVER, US, AT), false, 0);
    assertEquals(Verdict.CHALLENGE_ACK, entry.arrive(syn, AT), "SEG.SEQ = RCV.NXT: not beyond it");
  }

  @Test
  @DisplayName(
      "RFC 6191 with timestamps: a SYN with a TSval above TS.Recent reopens whatever its sequence number; an equal TSval counts as none, so only a sequence number beyond RCV.NXT reopens; an older TSval never (PAWS)")
  void timestampsDecideFirst() {
    int tsRecent = 1_000;
    TimeWait entry = new TimeWait(SND_NXT, RCV_NXT, WINDOW, 2, 65_535, true, 0, tsRecent);
    TcpOptions newer = TcpOptions.NONE.withTimestamps(new Timestamps(tsRecent + 1, 0));
    TcpOptions equal = TcpOptions.NONE.withTimestamps(new Timestamps(tsRecent, 0));
    TcpOptions older = TcpOptions.NONE.withTimestamps(new Timestamps(tsRecent - 1, 0));
    assertEquals(
        Verdict.REOPEN,
        entry.arrive(seg(RCV_NXT - 100_000, 0, TcpSegment.SYN).withOptions(newer), 0));
    assertEquals(
        Verdict.ACK, entry.arrive(seg(RCV_NXT - 100_000, 0, TcpSegment.SYN).withOptions(equal), 0));
    assertEquals(
        Verdict.REOPEN, entry.arrive(seg(RCV_NXT + 1, 0, TcpSegment.SYN).withOptions(equal), 0));
    assertNotEquals(
        Verdict.REOPEN, entry.arrive(seg(RCV_NXT + 1, 0, TcpSegment.SYN).withOptions(older), 0));
  }
}
