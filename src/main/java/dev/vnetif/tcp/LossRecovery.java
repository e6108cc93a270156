package dev.vnetif.tcp;

import dev.vnetif.wire.SeqNum;

/**
 * Loss detection by duplicate ACKs and the NewReno fast-recovery bookkeeping (RFC 5681 §3.2, RFC
 * 6582 §3.2): counts duplicate ACKs, decides when to fast-retransmit, tells full ACKs from partial
 * ones against {@code recover}, and drives the {@link CongestionControl}. The {@link Sender} owns
 * it and does the retransmitting.
 */
final class LossRecovery {
  /** What a new cumulative ACK meant. */
  enum AckKind {
    NORMAL,
    FIRST_PARTIAL,
    PARTIAL,
    RECOVERY_EXIT
  }

  /** RFC 5681 §3.2: the third duplicate ACK signals a loss. */
  static final int DUPACK_THRESHOLD = 3;

  final CongestionControl cc;
  int duplicateAcks;
  boolean inRecovery;

  /**
   * RFC 6582 §3.2: the highest sequence number sent when recovery (or an RTO) began — SND.MAX − 1,
   * the last octet, not the next one (RFC 6675's RecoveryPoint = HighData, the same octet). A full
   * ACK acknowledges "all of the data up to and including recover" (RFC 6582 step 3: ack >
   * recover); when a new recovery may begin is {@link #mayStartRecovery}'s question.
   */
  int recover;

  private boolean partialAckSeen;

  /** FlightSize at the first duplicate ACK: before any limited-transmit segment (RFC 3042). */
  private int flightAtFirstDuplicate;

  /**
   * The third duplicate ACK starts recovery; false when RACK (RFC 8985) decides instead, whose
   * reorder window is zero once DupThresh segments are SACKed (§6.2 step 4), so that it fires then
   * as well, but can wait when the path is seen to reorder.
   */
  private final boolean dupThreshEntry;

  /**
   * Recovery follows RFC 6675 (SACK): the sender sends by the pipe under ssthresh and never
   * inflates, so recovery ends with cwnd = ssthresh, as Linux ends it, rather than with RFC 6582's
   * deflation to FlightSize + SMSS, which would slow-start again from a drained pipe.
   */
  private final boolean sackRecovery;

  LossRecovery(CongestionControl cc, int iss) {
    this(cc, iss, true, false);
  }

  LossRecovery(CongestionControl cc, int iss, boolean dupThreshEntry, boolean sackRecovery) {
    this.cc = cc;
    // RFC 6582 §3.2 step 1 sets recover to the ISS; ISS − 1 here, because under step 2's
    // "ack_number - 1 > recover" an ISS would bar the first data segment (at ISS + 1, whose
    // duplicate ACKs acknowledge the SYN alone) from fast retransmit for good, though there is no
    // earlier window whose losses it could belong to. FreeBSD's snd_recover = ISS, compared as
    // ack > snd_recover, is this same bound; gVisor keeps the ISS and cannot fast-retransmit it.
    this.recover = iss - 1;
    this.dupThreshEntry = dupThreshEntry;
    this.sackRecovery = sackRecovery;
  }

  /** A cumulative ACK for new data. {@code flightAfter} is measured after the ACK. */
  AckKind onNewAck(int ack, int bytesAcked, int flightAfter, long nowNanos) {
    return onNewAck(ack, bytesAcked, flightAfter, true, nowNanos);
  }

  /**
   * As {@link #onNewAck(int, int, int, long)}; {@code cwndLimited} false when the sender did not
   * use its window lately, and the window then does not grow (RFC 7661 §4.2, RFC 9438 §5.8: growth
   * must be earned by sending, or an application-limited flow carries a window it never tested into
   * its next burst).
   */
  AckKind onNewAck(int ack, int bytesAcked, int flightAfter, boolean cwndLimited, long nowNanos) {
    cc.onAckAdvanced(ack, ack + flightAfter, nowNanos); // SND.MAX = ack + flightAfter
    if (inRecovery) {
      if (SeqNum.gt(ack, recover)) {
        // RFC 6582 §3.2 step 3: a full acknowledgment ends fast recovery.
        inRecovery = false;
        duplicateAcks = 0;
        cc.onRecoveryExit(sackRecovery ? Math.max(flightAfter, cc.ssthresh()) : flightAfter);
        return AckKind.RECOVERY_EXIT;
      }
      // RFC 6582 §3.2 step 3 (partial acknowledgment): the caller retransmits the next hole.
      if (!sackRecovery) {
        cc.onPartialAck(bytesAcked); // with SACK the window was never inflated: nothing to undo
      }
      AckKind kind = partialAckSeen ? AckKind.PARTIAL : AckKind.FIRST_PARTIAL;
      partialAckSeen = true;
      return kind;
    }
    duplicateAcks = 0;
    if (cwndLimited) {
      cc.onAck(bytesAcked, nowNanos);
    }
    return AckKind.NORMAL;
  }

  /**
   * A duplicate ACK (RFC 5681 §2 definition, checked by the caller). Returns true when the caller
   * must fast-retransmit the first unacknowledged segment now.
   */
  boolean onDuplicateAck(int ack, int sndMax, int flightSize, long nowNanos) {
    duplicateAcks++;
    if (duplicateAcks == 1) {
      flightAtFirstDuplicate = flightSize;
    }
    if (inRecovery) {
      if (!sackRecovery) {
        // RFC 5681 §3.2 step 4: inflate. With SACK the pipe counts what left the network.
        cc.onDuplicateAckInRecovery();
      }
      return false;
    }
    // RFC 6582 §3.2 step 2 (RFC 6675 §5.1 with SACK): no second fast retransmit for losses of
    // the window already being recovered.
    if (dupThreshEntry && duplicateAcks == DUPACK_THRESHOLD && mayStartRecovery(ack)) {
      // RFC 3042 §2: segments sent by limited transmit do not count towards ssthresh.
      begin(sndMax, Math.min(flightSize, flightAtFirstDuplicate), nowNanos);
      return true;
    }
    return false;
  }

  /**
   * RACK (RFC 8985 §6.2 step 5) deemed a segment lost: recovery starts as on a third duplicate ACK
   * (RFC 6675 §5 step 4), unless it runs already or the losses belong to a window an RTO is
   * repairing (RFC 6675 §5.1: HighACK = SND.UNA − 1 has not reached {@code recover}). Only a SACK
   * sender gets here. Returns true when recovery started.
   */
  boolean enterOnLoss(int sndUna, int sndMax, int flightSize, long nowNanos) {
    if (inRecovery || !mayStartRecovery(sndUna)) {
      return false;
    }
    int flight = duplicateAcks > 0 ? Math.min(flightSize, flightAtFirstDuplicate) : flightSize;
    begin(sndMax, flight, nowNanos);
    return true;
  }

  /**
   * Whether loss evidence may start a new recovery, given the cumulative ACK ({@code ack}: the next
   * octet the peer expects).
   *
   * <p>Without SACK, RFC 6582 §3.2 step 2: only if the ACK "covers more than recover", which §3.2
   * (after step 4) spells out as {@code ack_number - 1 > recover} — at least one octet acknowledged
   * beyond the highest one outstanding when recovery or the RTO began. An ACK equal to that old
   * SND.MAX does not: duplicates of it are what §4 means, go-back-N after an RTO resending segments
   * the peer already held. FreeBSD (ack > snd_recover = old SND.MAX) and gVisor agree.
   *
   * <p>With SACK, RFC 6675 §5.1 bounds entry instead: after an RTO a new recovery "MUST NOT be
   * initiated until HighACK is greater than or equal to the new value of RecoveryPoint", HighACK
   * being {@code ack - 1} and RecoveryPoint {@code recover} — so there an ACK equal to the old
   * SND.MAX may start one. After a fast recovery RFC 6675 sets no bound, and none is needed: that
   * recovery ended only once ack > recover. FreeBSD, too, checks snd_recover only without SACK.
   */
  private boolean mayStartRecovery(int ack) {
    return sackRecovery ? SeqNum.geq(ack - 1, recover) : SeqNum.gt(ack - 1, recover);
  }

  private void begin(int sndMax, int flightSize, long nowNanos) {
    inRecovery = true;
    partialAckSeen = false;
    recover = sndMax - 1;
    cc.onFastRetransmit(flightSize, nowNanos);
  }

  /**
   * Limited transmit (RFC 3042, RFC 5681 §3.2 step 1): on each of the first two duplicate ACKs one
   * more segment of new data may go out beyond cwnd, keeping the ACK clock running when the window
   * is too small for three duplicates to arrive otherwise.
   */
  int limitedTransmitAllowance(int smss) {
    return !inRecovery && duplicateAcks > 0 && duplicateAcks < DUPACK_THRESHOLD
        ? duplicateAcks * smss
        : 0;
  }

  /**
   * Retransmission timeout: leave recovery, remember the highest sequence sent (RFC 6582 §3.2 step
   * 4), and collapse the window on the first expiry for this data only (RFC 5681 §3.1: ssthresh
   * must not shrink again when the same segment times out again).
   */
  void onTimeout(int flightSize, boolean firstExpiry, int sndMax, long nowNanos) {
    inRecovery = false;
    duplicateAcks = 0;
    recover = sndMax - 1;
    if (firstExpiry) {
      cc.onRetransmissionTimeout(flightSize, nowNanos);
    }
  }
}
