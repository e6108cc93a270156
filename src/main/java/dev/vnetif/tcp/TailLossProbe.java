package dev.vnetif.tcp;

import dev.vnetif.wire.SeqNum;

/**
 * The tail loss probe of RFC 8985 §7: when the last segments of a flight are lost no ACK comes to
 * tell, and only the RTO would. Two smoothed round trips after the last transmission the sender
 * instead sends one probe — new data if it has any, else the last segment again — whose ACK (or
 * SACK) lets RACK find the loss. This class computes the probe timeout, remembers the probe in
 * flight and judges, from the ACKs that follow, whether it repaired a loss (§7.4), which congestion
 * control must then hear of. The sender arms the timer and sends.
 *
 * <p>Not thread-safe: one instance belongs to one sender.
 */
final class TailLossProbe {
  /** RFC 8985 §7.2 "WCDelAckT": the worst-case delayed ACK timer a lone segment may wait for. */
  static final long WORST_CASE_DELAYED_ACK_NANOS = 200_000_000L;

  /** RFC 8985 §7.2: the PTO before any RTT sample. */
  static final long PTO_WITHOUT_RTT_NANOS = 1_000_000_000L;

  /** What the ACK after a probe showed (RFC 8985 §7.4.2). */
  enum Outcome {
    /** No probe in flight, or its fate is not known yet. */
    NONE,
    /** The probe was new data or a needless copy (a D-SACK for it): nothing was lost. */
    NO_LOSS,
    /** The probe retransmitted a segment that was lost: congestion control must react. */
    LOSS_REPAIRED
  }

  /** RFC 8985 "TLP.end_seq": SND.NXT when the probe went out; valid when {@link #inFlight}. */
  private int endSeq;

  private boolean inFlight;

  /** RFC 8985 "TLP.is_retrans". */
  private boolean isRetransmission;

  /** Probes sent, for the connection's counters. */
  private long probes;

  /**
   * RFC 8985 §7.2 TLP_calc_PTO: two SRTTs (plus the worst-case delayed ACK when one segment is in
   * flight: its ACK may be delayed), 1 s without an RTT sample, and never later than the RTO would
   * fire.
   *
   * @param srttNanos the smoothed RTT, or a negative value when there is no sample yet
   * @param rtoRemainingNanos the time until the retransmission timer fires
   */
  static long timeoutNanos(long srttNanos, boolean oneSegmentInFlight, long rtoRemainingNanos) {
    long pto;
    if (srttNanos >= 0) {
      pto = 2 * srttNanos;
      if (oneSegmentInFlight) {
        pto += WORST_CASE_DELAYED_ACK_NANOS;
      }
    } else {
      pto = PTO_WITHOUT_RTT_NANOS;
    }
    return Math.max(0, Math.min(pto, rtoRemainingNanos));
  }

  /**
   * RFC 8985 §7.2: a probe timer may be armed (instead of the RTO) after new data went out or an
   * ACK advanced SND.UNA, unless the sender is recovering, has SACKed segments (RACK will act on
   * those), or a probe is still in flight (§7.3: one probe per tail).
   */
  boolean mayArm(boolean recovering, int sackedSegments) {
    return !recovering && sackedSegments == 0 && !inFlight;
  }

  /** RFC 8985 §7.3: a probe went out; {@code sndNxt} after it. */
  void probeSent(int sndNxt, boolean retransmission) {
    endSeq = sndNxt;
    inFlight = true;
    isRetransmission = retransmission;
    probes++;
  }

  /**
   * RFC 8985 §7.4.2 TLP_process_ACK: once the ACK reaches the probe's end, a probe of new data or
   * one the receiver reports as a duplicate (a D-SACK ending at its end) repaired nothing; an ACK
   * beyond it, or a duplicate ACK with no SACK at all (too little evidence), counts the probe as
   * having repaired a loss.
   *
   * <p>The ACK that reaches the probe's end exactly is not a verdict: if the original arrived too,
   * a D-SACK follows; if it was lost, a later ACK goes beyond.
   *
   * @param advanced the ACK moved SND.UNA (otherwise it is a duplicate)
   * @param dsackRight the right edge of the ACK's D-SACK block, when {@code dsack}
   * @param hasSack the ACK carried any SACK block
   */
  Outcome onAck(int cumAck, boolean advanced, boolean dsack, int dsackRight, boolean hasSack) {
    if (!inFlight || SeqNum.lt(cumAck, endSeq)) {
      return Outcome.NONE;
    }
    if (!isRetransmission || dsack && dsackRight == endSeq) {
      inFlight = false;
      return Outcome.NO_LOSS;
    }
    if (SeqNum.gt(cumAck, endSeq) || !advanced && !hasSack) {
      inFlight = false;
      return Outcome.LOSS_REPAIRED;
    }
    return Outcome.NONE; // the ACK of the probe itself; a D-SACK may follow
  }

  /** An RTO or a recovery took over: the probe's fate no longer matters. */
  void reset() {
    inFlight = false;
  }

  boolean inFlight() {
    return inFlight;
  }

  long probes() {
    return probes;
  }
}
