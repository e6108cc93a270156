package dev.vnetif.tcp;

import dev.vnetif.tcp.SackScoreboard.AckSummary;
import dev.vnetif.tcp.SackScoreboard.Segment;
import dev.vnetif.wire.SeqNum;

/**
 * RACK, time-based loss detection (RFC 8985 §6): a segment is lost when a segment sent after it was
 * delivered and more than one round trip plus a reordering window has passed since it was sent. The
 * reordering window starts at zero until the connection sees reordering, then is a quarter of the
 * minimum RTT, widened by each D-SACK round (RFC 8985 §6.2 step 4) and narrowed again after 16
 * recoveries without one. Works over the {@link SackScoreboard}; times come from the caller's
 * clock.
 *
 * <p>Not thread-safe: one instance belongs to one sender.
 */
final class Rack {
  /** RFC 8985 §6.2 step 4: recoveries a widened window persists for. */
  static final int REO_WND_PERSIST = 16;

  /** RFC 8985 "RACK.xmit_ts": send time of the most recently sent segment delivered; -1: none. */
  private long xmitNanos = -1;

  /** RFC 8985 "RACK.end_seq": that segment's end. */
  private int endSeq;

  /** RFC 8985 "RACK.rtt": the RTT of that segment. */
  private long rttNanos;

  /**
   * RFC 8985 "RACK.min_RTT": the least unambiguous RTT seen, the handshake's included (the RFC
   * allows a windowed minimum; the connection's lifetime minimum is the simplest, and what a
   * simulated path keeps anyway).
   */
  private long minRttNanos = Long.MAX_VALUE;

  private boolean reorderingSeen;
  private int reoWndMult = 1;
  private int reoWndPersist;

  /** RFC 8985 "RACK.dsack_round": the SND.NXT a D-SACK round ends at; valid when set. */
  private int dsackRoundEnd;

  private boolean dsackRoundValid;

  private int lastMarkedBytes;

  /**
   * RFC 8985 §6.2 steps 1–4 for one ACK: take the newest delivered segment's send time (ignoring an
   * ambiguous retransmission delivered sooner than min RTT, step 2), note reordering (step 3) and
   * widen the window on a D-SACK once per round (step 4).
   */
  void onAck(AckSummary ack, long now, int sndUna, int sndNxt) {
    if (ack.newestDeliveredSentNanos >= 0) {
      long rtt = now - ack.newestDeliveredSentNanos;
      boolean ambiguous = ack.newestDeliveredRetransmitted && rtt < minRttNanos;
      if (!ambiguous) {
        rttNanos = rtt;
        if (!ack.newestDeliveredRetransmitted) {
          minRttNanos = Math.min(minRttNanos, rtt);
        }
        if (sentAfter(ack.newestDeliveredSentNanos, ack.newestDeliveredEnd, xmitNanos, endSeq)) {
          xmitNanos = ack.newestDeliveredSentNanos;
          endSeq = ack.newestDeliveredEnd;
        }
      }
    }
    if (ack.reorderingSeen) {
      reorderingSeen = true;
    }
    if (ack.dsack && (!dsackRoundValid || SeqNum.geq(sndUna, dsackRoundEnd))) {
      dsackRoundEnd = sndNxt;
      dsackRoundValid = true;
      reoWndMult++;
      reoWndPersist = REO_WND_PERSIST;
    }
  }

  /**
   * The handshake's RTT sample (the SYN or SYN-ACK timed, never a retransmitted one unless its
   * timestamp echo names the copy): it counts toward min_RTT as any unambiguous sample does (RFC
   * 8985 §6.2 step 2 keeps the minimum of them), as Linux's min RTT filter takes the SYN's sample
   * too. Without it a retransmission delivered within the first data round trip could not be told
   * from its original, and the reorder window would stay zero until an original data segment's
   * delivery gave RACK a sample. Negative means no sample and is ignored.
   */
  void onHandshakeRtt(long rttNanos) {
    if (rttNanos >= 0) {
      minRttNanos = Math.min(minRttNanos, rttNanos);
    }
  }

  /** RFC 8985 §6.2 step 4: a loss recovery ended; a widened window lasts 16 of them. */
  void onRecoveryEnd() {
    if (reoWndPersist > 0 && --reoWndPersist == 0) {
      reoWndMult = 1;
    }
  }

  /**
   * RFC 8985 §6.2 step 4, RACK_update_reo_wnd: zero while no reordering was seen and the sender is
   * recovering or DupThresh segments are SACKed (then the 3-dupack rule would have fired anyway);
   * otherwise min RTT / 4 times the multiplier, at most SRTT.
   */
  long reorderWindowNanos(boolean inRecovery, int sackedSegments, long srttNanos) {
    if (!reorderingSeen && (inRecovery || sackedSegments >= SackScoreboard.DUP_THRESH)) {
      return 0;
    }
    if (minRttNanos == Long.MAX_VALUE) {
      return 0;
    }
    return Math.min(minRttNanos / 4 * reoWndMult, srttNanos);
  }

  /**
   * RFC 8985 §6.2 step 5, RACK_detect_loss: marks lost each un-SACKed segment sent before the
   * newest delivered one whose time is up, and returns when the next one's time will be up (the
   * reorder timer, nanos from now), or 0 when no segment waits.
   *
   * @return nanos until the next waiting segment's time is up (arm the reorder timer for then), 0
   *     when none waits; {@link #lastMarkedBytes()} says how much this call marked
   */
  long detectLoss(SackScoreboard board, long now, long reoWndNanos) {
    lastMarkedBytes = 0;
    if (xmitNanos < 0 || board.isEmpty()) {
      return 0;
    }
    if (board.allPlain()) {
      // Original transmissions only, in send-time order: if the newest delivered segment was not
      // sent after the lowest record, it was not sent after any other, and none can be judged
      // (the common case of an ACK without loss, answered without a scan). "Not after" rather
      // than "before": the lowest record may be the rest of the one this ACK covered in part,
      // sent with it at the same instant.
      Segment first = board.segments().get(0);
      if (!sentAfter(xmitNanos, endSeq, first.sentNanos, first.end)) {
        return 0;
      }
    }
    long timeout = 0;
    for (Segment s : board.segments()) {
      if (s.sacked || s.lost && !s.retransmissionInFlight) {
        continue; // delivered, or lost and waiting to be sent again
      }
      if (!sentAfter(xmitNanos, endSeq, s.sentNanos, s.end)) {
        continue; // sent after the newest delivered segment: no verdict yet
      }
      long remaining = s.sentNanos + rttNanos + reoWndNanos - now;
      if (remaining <= 0) {
        board.markLost(s);
        lastMarkedBytes += s.length();
      } else {
        timeout = Math.max(timeout, remaining);
      }
    }
    return timeout;
  }

  /** Bytes the last {@link #detectLoss} marked lost. */
  int lastMarkedBytes() {
    return lastMarkedBytes;
  }

  /** RFC 8985 RACK_sent_after: (t1, seq1) was sent after (t2, seq2). */
  static boolean sentAfter(long t1, int seq1, long t2, int seq2) {
    return t1 > t2 || t1 == t2 && SeqNum.gt(seq1, seq2);
  }

  long minRttNanos() {
    return minRttNanos;
  }

  long rttNanos() {
    return rttNanos;
  }

  boolean reorderingSeen() {
    return reorderingSeen;
  }

  int reoWndMult() {
    return reoWndMult;
  }

  int reoWndPersist() {
    return reoWndPersist;
  }

  long xmitNanos() {
    return xmitNanos;
  }

  int endSeq() {
    return endSeq;
  }
}
