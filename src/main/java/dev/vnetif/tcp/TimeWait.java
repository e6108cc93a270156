package dev.vnetif.tcp;

import dev.vnetif.wire.SeqNum;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import dev.vnetif.wire.Timestamps;

/**
 * One connection in TIME_WAIT, reduced to what the state still needs (as Linux's {@code
 * inet_timewait_sock}): the sequence numbers, the window we last offered, its deadline. The host
 * keeps these in a table instead of a live flow actor; this class decides, without I/O, what a
 * segment arriving for the 4-tuple gets (RFC 9293 §3.10.7.4, TIME-WAIT). It is sized to be cheap: a
 * few ints and two longs, no references.
 *
 * <p>Not thread-safe: owned by one host actor.
 */
public final class TimeWait {
  /**
   * An empty segment outside the window is answered at most this often, as the {@link Tcb} does
   * (Linux's tcp_invalid_ratelimit): two confused ends must not trade ACKs without end.
   */
  static final long OUT_OF_WINDOW_ANSWER_GAP = 500_000_000L;

  /**
   * RFC 1122 §4.2.2.13 (1): a reopened connection's ISS lies above every sequence number the old
   * one used. Linux uses {@code tw_snd_nxt + 65535 + 2}: beyond the largest window the old peer
   * could still accept, so no old duplicate of ours can land in the new connection's window.
   */
  static final int REOPEN_ISS_GAP = 65535 + 2;

  /** What a segment for a connection in TIME_WAIT gets. */
  public enum Verdict {
    /** Nothing is sent and the entry stays. */
    IGNORE,
    /** Answer with {@link #ack}; the entry stays. */
    ACK,
    /** Answer with {@link #ack} if the host's challenge-ACK budget allows (RFC 5961 §7). */
    CHALLENGE_ACK,
    /** A FIN again: answer with {@link #ack} and restart the 2·MSL wait (§3.10.7.4 eighth). */
    ACK_AND_RESTART,
    /**
     * An acceptable new SYN: the entry ends and the SYN opens a new connection with ISS {@link
     * #reopenIss} (RFC 9293 §3.10.7.4 note on RFC 6191, RFC 1122 §4.2.2.13).
     */
    REOPEN,
    /** A RST at RCV.NXT: the entry ends (kept as the {@link Tcb} does; see {@link #arrive}). */
    END
  }

  private final int sndNxt;
  private final int rcvNxt;
  private final int rcvWnd;
  private final byte rcvScale;
  private final int maxSndWnd;

  /** Whether the connection used timestamps (RFC 7323), its TSval offset and last TS.Recent. */
  private final boolean timestamps;

  private final int tsOffset;
  private final int tsRecent;
  private long deadline;
  private long lastOutOfWindowAnswer;
  private boolean answeredOutOfWindow;

  /**
   * The entry of a connection in TIME_WAIT: the flow actor hands it to its host and stops instead
   * of waiting 2·MSL itself. Meaningful in TIME_WAIT, where our FIN is acknowledged (SND.UNA =
   * SND.MAX); SND.MAX, not SND.NXT, as the Tcb's own ACKs use.
   */
  static TimeWait of(SendSequence snd, ReceiveSequence rcv, Timestamping ts) {
    boolean on = ts != null && ts.enabled();
    return new TimeWait(
        snd.sndMax(),
        rcv.rcvNxt(),
        rcv.window(),
        rcv.rcvScale(),
        snd.maxSndWnd(),
        on,
        on ? ts.offset() : 0,
        on ? ts.tsRecent() : 0);
  }

  /**
   * @param sndNxt the next sequence number we would send (our FIN is acknowledged: SND.UNA =
   *     SND.NXT = SND.MAX)
   * @param rcvNxt RCV.NXT, just past the peer's FIN
   * @param rcvWnd RCV.WND in bytes: the window we last offered
   * @param rcvScale our receive window scale (RFC 7323 §2.3), for the window field of our ACKs
   * @param maxSndWnd the largest window the peer offered, for RFC 5961 §5.2's ACK range
   */
  public TimeWait(int sndNxt, int rcvNxt, int rcvWnd, int rcvScale, int maxSndWnd) {
    this(sndNxt, rcvNxt, rcvWnd, rcvScale, maxSndWnd, false, 0, 0);
  }

  /**
   * An entry of a connection that used timestamps (when {@code timestamps}): its ACKs carry them
   * (RFC 7323 §3.2), TSval from the network clock plus {@code tsOffset} at the 1 ms tick and TSecr
   * {@code tsRecent}, and a SYN newer than {@code tsRecent} may reopen it (RFC 6191).
   */
  public TimeWait(
      int sndNxt,
      int rcvNxt,
      int rcvWnd,
      int rcvScale,
      int maxSndWnd,
      boolean timestamps,
      int tsOffset,
      int tsRecent) {
    this.timestamps = timestamps;
    this.tsOffset = tsOffset;
    this.tsRecent = tsRecent;
    this.sndNxt = sndNxt;
    this.rcvNxt = rcvNxt;
    this.rcvWnd = Math.max(0, rcvWnd);
    this.rcvScale = (byte) rcvScale;
    this.maxSndWnd = maxSndWnd;
  }

  public int sndNxt() {
    return sndNxt;
  }

  public int rcvNxt() {
    return rcvNxt;
  }

  /** When the 2·MSL wait ends, in the clock's nanoseconds. */
  public long deadline() {
    return deadline;
  }

  /** Starts (or restarts) the 2·MSL wait: it ends at {@code deadline}. */
  public void expireAt(long deadline) {
    this.deadline = deadline;
  }

  /** The ISS for a connection reopened by an acceptable SYN: above our old SND.NXT. */
  public int reopenIss() {
    return sndNxt + REOPEN_ISS_GAP;
  }

  /**
   * RFC 9293 §3.10.7.4 in TIME-WAIT for one segment arriving at {@code now}.
   *
   * <ul>
   *   <li>A SYN without ACK whose sequence number lies beyond RCV.NXT reopens the connection: it
   *       cannot belong to the old incarnation (RFC 9293 §3.10.7.4 note, RFC 6191, RFC 1122
   *       §4.2.2.13; Linux tcp_timewait_state_process).
   *   <li>First check, sequence number: an unacceptable segment is answered with an ACK, unless it
   *       is a RST; a FIN (the peer's, retransmitted: our ACK was lost) also restarts the 2·MSL
   *       wait.
   *   <li>Second check, RST: at RCV.NXT it ends the TIME_WAIT, as {@link Tcb} does today in
   *       TIME_WAIT ({@code onResetInWindow}: {@code close(NORMAL)}), and as Linux does by default
   *       ({@code tcp_rfc1337 = 0}); elsewhere in the window it earns a challenge ACK (RFC 5961
   *       §3.2).
   *   <li>Fourth check, SYN (any other SYN in the window): a challenge ACK (RFC 5961 §4.2).
   *   <li>Fifth check, ACK: none, dropped; outside [SND.UNA − MAX.SND.WND, SND.NXT] a challenge ACK
   *       (RFC 5961 §5.2).
   *   <li>Seventh, text: ignored, the peer already sent its FIN. Eighth, FIN: stay, restart the
   *       2·MSL wait, acknowledge.
   * </ul>
   */
  public Verdict arrive(TcpSegment seg, long now) {
    if (acceptsNewSyn(seg)) {
      return Verdict.REOPEN;
    }
    int length = seg.segmentLength();
    if (!acceptable(seg.seq(), length)) {
      if (seg.isRst()) {
        return Verdict.IGNORE;
      }
      if (seg.isFin()) {
        return Verdict.ACK_AND_RESTART;
      }
      if (length == 0 && seg.seq() != rcvNxt - 1) {
        // A keepalive probe (SEQ = RCV.NXT − 1, RFC 1122 §4.2.3.6) is always answered.
        if (answeredOutOfWindow && now - lastOutOfWindowAnswer < OUT_OF_WINDOW_ANSWER_GAP) {
          return Verdict.IGNORE;
        }
        answeredOutOfWindow = true;
        lastOutOfWindowAnswer = now;
      }
      return Verdict.ACK;
    }
    if (seg.isRst()) {
      return seg.seq() == rcvNxt ? Verdict.END : Verdict.CHALLENGE_ACK;
    }
    if (seg.isSyn()) {
      return Verdict.CHALLENGE_ACK;
    }
    if (!seg.isAck()) {
      return Verdict.IGNORE;
    }
    if (SeqNum.gt(seg.ack(), sndNxt) || SeqNum.lt(seg.ack(), sndNxt - maxSndWnd)) {
      return Verdict.CHALLENGE_ACK;
    }
    return seg.isFin() ? Verdict.ACK_AND_RESTART : Verdict.IGNORE;
  }

  /**
   * RFC 6191 §2 / RFC 9293 §3.10.7.4 note: a SYN may reopen a connection in TIME_WAIT when it
   * cannot be an old duplicate of the old incarnation. Without timestamps that means its sequence
   * number lies beyond the old RCV.NXT (RFC 1122 §4.2.2.13).
   */
  private boolean acceptsNewSyn(TcpSegment seg) {
    if (!seg.isSyn() || seg.isAck() || seg.isRst()) {
      return false;
    }
    Timestamps synTs = seg.options().timestamps();
    if (timestamps && synTs != null) {
      if (SeqNum.lt(synTs.value(), tsRecent)) {
        return false; // PAWS (RFC 7323 §5.3): an old duplicate
      }
      if (SeqNum.gt(synTs.value(), tsRecent)) {
        return true; // RFC 6191 §2: newer than the old connection, whatever its sequence number
      }
    }
    return SeqNum.gt(seg.seq(), rcvNxt);
  }

  /** RFC 9293 §3.10.7.4 first check, with the window we last offered. */
  private boolean acceptable(int seq, int length) {
    if (length == 0) {
      return rcvWnd == 0 ? seq == rcvNxt : SeqNum.inWindow(seq, rcvNxt, rcvWnd);
    }
    if (rcvWnd == 0) {
      return false;
    }
    return SeqNum.inWindow(seq, rcvNxt, rcvWnd)
        || SeqNum.inWindow(seq + length - 1, rcvNxt, rcvWnd);
  }

  /**
   * Our ACK in answer to {@code to}: {@code <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>}, without
   * timestamps (see {@link #ack(TcpSegment, long)}).
   */
  public TcpSegment ack(TcpSegment to) {
    int window = Math.min(rcvWnd >>> rcvScale, 0xFFFF);
    return TcpSegment.of(
        to.destinationPort(), to.sourcePort(), sndNxt, rcvNxt, TcpSegment.ACK, window);
  }

  /**
   * Our ACK in answer to {@code to} at {@code now}: with the timestamps option if the connection
   * used it (RFC 7323 §3.2: every non-RST segment), TSecr the last TS.Recent.
   */
  public TcpSegment ack(TcpSegment to, long now) {
    TcpSegment ack = ack(to);
    if (!timestamps) {
      return ack;
    }
    int tsVal = (int) Math.floorDiv(now, Timestamping.TICK_NANOS) + tsOffset;
    TcpOptions options = TcpOptions.NONE.withTimestamps(new Timestamps(tsVal, tsRecent));
    return new TcpSegment(
        ack.sourcePort(),
        ack.destinationPort(),
        ack.seq(),
        ack.ack(),
        ack.flags(),
        ack.window(),
        0,
        options,
        ack.payload());
  }

  @Override
  public String toString() {
    return "TimeWait[sndNxt="
        + Integer.toUnsignedString(sndNxt)
        + " rcvNxt="
        + Integer.toUnsignedString(rcvNxt)
        + " rcvWnd="
        + rcvWnd
        + "]";
  }
}
