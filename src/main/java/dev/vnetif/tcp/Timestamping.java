package dev.vnetif.tcp;

import dev.vnetif.wire.SeqNum;
import dev.vnetif.wire.Timestamps;

/**
 * The timestamps option of one connection (RFC 7323 §3–5): our TSval clock, TS.Recent and
 * Last.ACK.sent, the PAWS test, and round-trip samples from TSecr (RTTM).
 *
 * <p>TSval is the network clock in 1 ms ticks (as Linux) plus a per-connection offset, a keyed hash
 * of the 4-tuple from the seed plus the host's count of offsets drawn, so each incarnation of a
 * 4-tuple starts above the last ({@link IsnGenerator#timestampOffset}, RFC 7323 §5.4): no wall
 * clock and no unseeded randomness, so a run replays. Made for a connection whose configuration
 * offers timestamps; {@link #enabled()} once both SYNs carried the option (RFC 7323 §3.2).
 *
 * <p>Not thread-safe: one instance belongs to one {@link Tcb}.
 */
final class Timestamping {
  /** The TSval clock ticks once a millisecond (Linux; RFC 7323 §5.4 allows 1 ms to 1 s). */
  static final long TICK_NANOS = 1_000_000L;

  /** RFC 7323 §5.5: a TS.Recent idle this long is no longer valid for PAWS. */
  static final long PAWS_IDLE_NANOS = 24L * 24 * 60 * 60 * 1_000_000_000L;

  /** The timestamps option takes 10 bytes, 12 with its two NOPs (RFC 7323 §3.2, appendix A). */
  static final int OPTION_BYTES = 12;

  private int offset;
  private boolean enabled;

  /** TS.Recent, and when it was recorded (for RFC 7323 §5.5). */
  private int tsRecent;

  private long tsRecentAtNanos;

  /** Last.ACK.sent (RFC 7323 §4.3): the ACK field of the last segment we sent with ACK. */
  private int lastAckSent;

  Timestamping(int offset) {
    this.offset = offset;
  }

  /** A LISTEN block learned its peer: the offset of that 4-tuple. */
  void useOffset(int offset) {
    this.offset = offset;
  }

  int offset() {
    return offset;
  }

  boolean enabled() {
    return enabled;
  }

  int tsRecent() {
    return tsRecent;
  }

  /** Our TSval at {@code now}: 1 ms ticks of the network clock plus the offset (RFC 7323 §5.4). */
  int tsVal(long now) {
    return (int) Math.floorDiv(now, TICK_NANOS) + offset;
  }

  /** The option for a segment we send: TSecr is TS.Recent on an ACK, else 0 (RFC 7323 §3.2). */
  Timestamps option(long now, boolean ack) {
    return new Timestamps(tsVal(now), ack ? tsRecent : 0);
  }

  /**
   * The peer's SYN or SYN-ACK settles the option (RFC 7323 §3.2): on when it carried one (we
   * offered ours); TS.Recent starts from its TSval and Last.ACK.sent from RCV.NXT (RFC 7323
   * appendix D).
   */
  void negotiate(Timestamps peer, int rcvNxt, long now) {
    enabled = peer != null;
    if (enabled) {
      tsRecent = peer.value();
      tsRecentAtNanos = now;
      lastAckSent = rcvNxt;
    }
  }

  /** A segment with ACK went out acknowledging {@code ack}. */
  void ackSent(int ack) {
    lastAckSent = ack;
  }

  /**
   * PAWS, RFC 7323 §5.3 R1: a segment whose TSval is older than TS.Recent is an old duplicate —
   * unless TS.Recent is invalid, idle for more than 24 days (§5.5). The caller exempts RSTs (R1:
   * "and the RST bit is not set").
   */
  boolean rejects(Timestamps segment, long now) {
    return enabled
        && segment != null
        && SeqNum.lt(segment.value(), tsRecent)
        && now - tsRecentAtNanos <= PAWS_IDLE_NANOS;
  }

  /**
   * RFC 7323 §4.3 (2): an acceptable segment at {@code seq} with SEG.TSval >= TS.Recent and SEG.SEQ
   * <= Last.ACK.sent records its TSval, so our ACK echoes the earliest segment it acknowledges (the
   * delayed-ACK and hole examples of §4.3). A TS.Recent invalidated by §5.5 is replaced whatever
   * the order (as Linux).
   */
  void update(Timestamps segment, int seq, long now) {
    if (!enabled || segment == null || SeqNum.gt(seq, lastAckSent)) {
      return;
    }
    if (SeqNum.geq(segment.value(), tsRecent) || now - tsRecentAtNanos > PAWS_IDLE_NANOS) {
      tsRecent = segment.value();
      tsRecentAtNanos = now;
    }
  }

  /**
   * RTTM (RFC 7323 §4.1): the round trip the echoed TSecr tells, in nanoseconds at the 1 ms tick,
   * or -1 when there is none — no option, a zero TSecr (nothing echoed, as Linux skips it), or an
   * echo from the future. An echo names the copy it answers, so retransmissions need no Karn rule.
   */
  long rttNanos(Timestamps segment, long now) {
    if (!enabled || segment == null || segment.echoReply() == 0) {
      return -1;
    }
    int ticks = tsVal(now) - segment.echoReply();
    return ticks < 0 ? -1 : ticks * TICK_NANOS;
  }
}
