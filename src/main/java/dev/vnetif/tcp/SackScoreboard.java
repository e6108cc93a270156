package dev.vnetif.tcp;

import dev.vnetif.wire.SackBlock;
import dev.vnetif.wire.SeqNum;
import java.util.List;

/**
 * The sender's SACK scoreboard (RFC 6675 §2–4): every segment sent and not yet cumulatively
 * acknowledged, in sequence order, with what is known of it — SACKed, deemed lost, retransmitted
 * and still in flight — and when it was last sent (RFC 8985 needs the time). It answers RFC 6675's
 * questions: {@link #isLost}, {@link #pipe} (SetPipe), {@link #nextSeg} (NextSeg rules 1 and 3) and
 * {@link #rescueSegment} (rule 4), and gives {@link Rack} the delivered segments' send times.
 *
 * <p>A segment's record is split where an ACK, a SACK block or a retransmission of other boundaries
 * cuts it, so every record is wholly SACKed or not, wholly sent again or not. Sequence numbers
 * compare modulo 2^32 ({@link SeqNum}). Made lazily by the sender when SACK is negotiated: an idle
 * connection holds an empty list. Not thread-safe: one instance belongs to one sender.
 */
final class SackScoreboard {
  /** RFC 6675 §2 DupThresh: SACKed segments above a hole that make it lost (RFC 5681's 3). */
  static final int DUP_THRESH = 3;

  /** One segment (or a piece of one): {@code [start, end)} of the sequence space. */
  static final class Segment {
    int start;
    int end;

    /** When it was sent last, on the connection's clock (RFC 8985 "xmit_ts"). */
    long sentNanos;

    boolean sacked;

    /** Deemed lost (RFC 6675 IsLost, RACK, or an RTO) and not yet sent again since. */
    boolean lost;

    /** Sent again at least once: its delivery time is ambiguous (Karn, RFC 8985 §6.2 step 2). */
    boolean retransmitted;

    /** Its latest retransmission is still in flight: it counts towards the pipe (RFC 6675 (b)). */
    boolean retransmissionInFlight;

    Segment(int start, int end, long sentNanos) {
      this.start = start;
      this.end = end;
      this.sentNanos = sentNanos;
    }

    int length() {
      return SeqNum.diff(end, start);
    }

    /** A copy of the state for {@code [at, end)}; this keeps {@code [start, at)}. */
    Segment splitAt(int at) {
      Segment tail = new Segment(at, end, sentNanos);
      tail.sacked = sacked;
      tail.lost = lost;
      tail.retransmitted = retransmitted;
      tail.retransmissionInFlight = retransmissionInFlight;
      end = at;
      return tail;
    }

    @Override
    public String toString() {
      return Integer.toUnsignedString(start)
          + "-"
          + Integer.toUnsignedString(end)
          + (sacked ? " sacked" : "")
          + (lost ? " lost" : "")
          + (retransmissionInFlight ? " rexmit" : retransmitted ? " rexmitted" : "");
    }
  }

  /**
   * What one ACK changed, refilled by {@link #onAck} (one object per scoreboard: no allocation per
   * ACK).
   */
  static final class AckSummary {
    /** Bytes newly covered by the cumulative ACK. */
    int bytesCumulativelyAcked;

    /** Bytes newly SACKed (not counting D-SACK). */
    int bytesNewlySacked;

    /** The first block reported a duplicate (RFC 2883 §4). */
    boolean dsack;

    /**
     * The latest send time among the segments this ACK newly delivered (acked or SACKed), -1 when
     * none; with its end and whether it had been sent more than once. RACK's input (RFC 8985 §6.2).
     */
    long newestDeliveredSentNanos;

    int newestDeliveredEnd;
    boolean newestDeliveredRetransmitted;

    /**
     * A newly delivered segment lies below one delivered before it: the network reordered (RFC 8985
     * §6.2 step 3), unless it was a retransmission.
     */
    boolean reorderingSeen;

    void clear() {
      bytesCumulativelyAcked = 0;
      bytesNewlySacked = 0;
      dsack = false;
      newestDeliveredSentNanos = -1;
      newestDeliveredEnd = 0;
      newestDeliveredRetransmitted = false;
      reorderingSeen = false;
    }
  }

  private final ScoreboardRecords segments = new ScoreboardRecords();
  private final AckSummary summary = new AckSummary();

  /**
   * The highest sequence number delivered so far, by cumulative ACK or SACK (RFC 8985 "RACK.fack"),
   * valid once anything was delivered.
   */
  private int fack;

  private boolean fackValid;

  /** RFC 6675 "HighRxt": the end of the highest retransmission. Valid when {@link #rxtValid}. */
  private int highRxt;

  private boolean rxtValid;

  /** RFC 6675 "RescueRxt": the recovery point of the last rescue retransmission. */
  private int rescueRxt;

  private boolean rescueValid;

  /** Segments currently SACKed and bytes they hold. */
  private int sackedBytes;

  /** Records SACKed. */
  private int sackedCount;

  /**
   * Records SACKed, deemed lost or with a retransmission in flight: while there are none, as on
   * every ACK of a connection without loss, the pipe is every byte held and NextSeg has nothing,
   * answered without a scan.
   */
  private int specialCount;

  /** Bytes the records hold. */
  private long heldBytes;

  // ================================================================ sending

  /**
   * Data {@code [start, end)} went out at {@code now}, the sender's one call for every segment with
   * data: what lies beyond the highest record is new and appended; the records the rest covers are
   * marked as sent again (split at its edges when it covers them in part). SACKed records inside a
   * go-back-N resend stay SACKed: the receiver has them, so that copy is not a retransmission of
   * theirs.
   */
  void sent(int start, int end, long now) {
    if (!SeqNum.lt(start, end)) {
      return;
    }
    int highest = segments.isEmpty() ? start : segments.last().end;
    if (SeqNum.geq(start, highest)) {
      segments.add(new Segment(start, end, now));
      heldBytes += SeqNum.diff(end, start);
      return;
    }
    int resentEnd = SeqNum.min(end, highest);
    int i = splitAt(start);
    splitAt(resentEnd);
    for (; i < segments.size() && SeqNum.lt(segments.get(i).start, resentEnd); i++) {
      Segment s = segments.get(i);
      if (s.sacked) {
        continue;
      }
      boolean wasSpecial = special(s);
      s.sentNanos = now;
      s.retransmitted = true;
      s.retransmissionInFlight = true;
      s.lost = true; // sent again because deemed lost: the original no longer counts in the pipe
      if (!wasSpecial) {
        specialCount++;
      }
    }
    if (!rxtValid || SeqNum.gt(resentEnd, highRxt)) {
      highRxt = resentEnd;
      rxtValid = true;
    }
    if (SeqNum.gt(end, highest)) {
      segments.add(new Segment(highest, end, now));
      heldBytes += SeqNum.diff(end, highest);
    }
  }

  private static boolean special(Segment s) {
    return s.sacked || s.lost || s.retransmissionInFlight;
  }

  /** The index of the record that starts at {@code seq}, splitting the one that holds it. */
  private int splitAt(int seq) {
    for (int i = 0; i < segments.size(); i++) {
      Segment s = segments.get(i);
      if (s.start == seq) {
        return i;
      }
      if (SeqNum.gt(seq, s.start) && SeqNum.lt(seq, s.end)) {
        segments.add(i + 1, s.splitAt(seq));
        if (special(s)) {
          specialCount++;
        }
        if (s.sacked) {
          sackedCount++;
        }
        return i + 1;
      }
      if (SeqNum.lt(seq, s.start)) {
        return i;
      }
    }
    return segments.size();
  }

  // ================================================================ acknowledgments

  /**
   * Applies an ACK: drops what {@code cumAck} covers, marks what its SACK blocks cover (RFC 6675 §5
   * "update the scoreboard"), recognizes a D-SACK in the first block (RFC 2883 §4: below the
   * cumulative ACK, or inside the second block) and notes for RACK the newest send time delivered.
   *
   * @param blocks the ACK's SACK blocks in the order received, possibly empty
   * @return a summary, valid until the next call
   */
  AckSummary onAck(int cumAck, List<SackBlock> blocks, long now) {
    summary.clear();
    int first = 0;
    if (reportsDuplicate(blocks, cumAck)) {
      summary.dsack = true;
      first = 1;
    }
    // The cumulative ACK.
    while (!segments.isEmpty() && SeqNum.leq(segments.get(0).end, cumAck)) {
      Segment s = segments.removeFirst();
      heldBytes -= s.length();
      if (special(s)) {
        specialCount--;
      }
      if (s.sacked) {
        sackedCount--;
      }
      if (s.sacked) {
        sackedBytes -= s.length();
      } else {
        summary.bytesCumulativelyAcked += s.length();
        delivered(s);
      }
    }
    if (!segments.isEmpty() && SeqNum.gt(cumAck, segments.get(0).start)) {
      Segment s = segments.get(0);
      int acked = SeqNum.diff(cumAck, s.start);
      heldBytes -= acked;
      if (s.sacked) {
        sackedBytes -= acked;
      } else {
        summary.bytesCumulativelyAcked += acked;
        delivered(s);
      }
      s.start = cumAck;
    }
    advanceFack(cumAck);
    // The SACK blocks.
    for (int b = first; b < blocks.size(); b++) {
      SackBlock block = blocks.get(b);
      int left = SeqNum.max(block.left(), cumAck);
      int right = block.right();
      if (!SeqNum.lt(left, right) || segments.isEmpty()) {
        continue;
      }
      int highest = segments.last().end;
      if (SeqNum.gt(right, highest)) {
        right = highest; // beyond anything sent: a bad block, clipped
      }
      if (!SeqNum.lt(left, right)) {
        continue;
      }
      int i = splitAt(left);
      splitAt(right);
      for (; i < segments.size() && SeqNum.leq(segments.get(i).end, right); i++) {
        Segment s = segments.get(i);
        if (!s.sacked) {
          if (!special(s)) {
            specialCount++;
          }
          sackedCount++;
          s.sacked = true;
          s.lost = false;
          s.retransmissionInFlight = false;
          sackedBytes += s.length();
          summary.bytesNewlySacked += s.length();
          delivered(s);
          advanceFack(s.end);
        }
      }
    }
    return summary;
  }

  /**
   * RFC 2883 §4: the first block of an ACK reports a duplicate (a D-SACK) when it lies below the
   * cumulative ACK or inside the second block.
   */
  static boolean reportsDuplicate(List<SackBlock> blocks, int cumAck) {
    if (blocks.isEmpty()) {
      return false;
    }
    SackBlock first = blocks.get(0);
    return SeqNum.leq(first.right(), cumAck)
        || blocks.size() > 1
            && SeqNum.geq(first.left(), blocks.get(1).left())
            && SeqNum.leq(first.right(), blocks.get(1).right());
  }

  private void delivered(Segment s) {
    if (fackValid && SeqNum.lt(s.end, fack) && !s.retransmitted) {
      summary.reorderingSeen = true; // RFC 8985 §6.2 step 3
    }
    if (summary.newestDeliveredSentNanos < 0
        || s.sentNanos > summary.newestDeliveredSentNanos
        || s.sentNanos == summary.newestDeliveredSentNanos
            && SeqNum.gt(s.end, summary.newestDeliveredEnd)) {
      summary.newestDeliveredSentNanos = s.sentNanos;
      summary.newestDeliveredEnd = s.end;
      summary.newestDeliveredRetransmitted = s.retransmitted;
    }
  }

  private void advanceFack(int seq) {
    if (!fackValid || SeqNum.gt(seq, fack)) {
      fack = seq;
      fackValid = true;
    }
  }

  // ================================================================ RFC 6675 §4

  /**
   * RFC 6675 IsLost(SeqNum): at least DupThresh SACKed segments lie above {@code seq}, or more than
   * (DupThresh − 1) · SMSS SACKed bytes do.
   */
  boolean isLost(int seq, int smss) {
    int count = 0;
    long bytes = 0;
    for (int i = segments.size() - 1; i >= 0; i--) {
      Segment s = segments.get(i);
      if (SeqNum.leq(s.end, seq)) {
        break;
      }
      if (s.sacked && SeqNum.gt(s.start, seq)) {
        count++;
        bytes += s.length();
        if (count >= DUP_THRESH || bytes > (long) (DUP_THRESH - 1) * smss) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Marks as lost every un-SACKed segment that {@link #isLost} says is, unless it was sent again
   * after RFC 6675's rules (1.b: only above HighRxt). One pass from the top, counting what lies
   * above. Returns the bytes newly marked.
   */
  int markLostByDupThresh(int smss) {
    int count = 0;
    long bytes = 0;
    int marked = 0;
    for (int i = segments.size() - 1; i >= 0; i--) {
      Segment s = segments.get(i);
      if (s.sacked) {
        count++;
        bytes += s.length();
        continue;
      }
      boolean lostNow = count >= DUP_THRESH || bytes > (long) (DUP_THRESH - 1) * smss;
      if (lostNow && !s.lost && !s.retransmitted) {
        if (!special(s)) {
          specialCount++;
        }
        s.lost = true;
        marked += s.length();
      }
    }
    return marked;
  }

  /**
   * RFC 6675 SetPipe: the bytes thought to be in the network — every un-SACKed segment not deemed
   * lost, plus every retransmission still in flight.
   */
  int pipe() {
    if (specialCount == 0) {
      return (int) Math.min(Integer.MAX_VALUE, heldBytes);
    }
    long pipe = 0;
    for (Segment s : segments) {
      if (s.sacked) {
        continue;
      }
      if (!s.lost) {
        pipe += s.length();
      }
      if (s.retransmissionInFlight) {
        pipe += s.length();
      }
    }
    return (int) Math.min(Integer.MAX_VALUE, pipe);
  }

  /**
   * RFC 6675 NextSeg rules 1 and 3 (rule 2, new data, is the caller's): the first un-SACKed segment
   * deemed lost and not yet sent again (1); else, when {@code allowRule3}, the first un-SACKed
   * segment above HighRxt with SACKed data above it (3). Null when neither exists.
   */
  Segment nextSeg(boolean allowRule3) {
    if (specialCount == 0) {
      return null; // nothing lost, nothing SACKed
    }
    for (Segment s : segments) {
      if (!s.sacked && s.lost && !s.retransmissionInFlight) {
        return s;
      }
    }
    if (!allowRule3) {
      return null;
    }
    boolean sackedAbove = false;
    Segment candidate = null;
    for (int i = segments.size() - 1; i >= 0; i--) {
      Segment s = segments.get(i);
      if (s.sacked) {
        sackedAbove = true;
      } else if (sackedAbove
          && !s.retransmissionInFlight
          && (!rxtValid || SeqNum.geq(s.start, highRxt))) {
        candidate = s;
      }
    }
    return candidate;
  }

  /**
   * RFC 6675 NextSeg rule 4, the rescue retransmission: once per recovery episode ({@code
   * recoveryPoint}), the highest un-SACKed segment, when nothing else may be sent. Null when a
   * rescue was already made for this episode or nothing is un-SACKed. Does not move HighRxt.
   */
  Segment rescueSegment(int recoveryPoint) {
    if (rescueValid && SeqNum.geq(rescueRxt, recoveryPoint)) {
      return null;
    }
    for (int i = segments.size() - 1; i >= 0; i--) {
      Segment s = segments.get(i);
      if (!s.sacked && SeqNum.leq(s.end, recoveryPoint)) {
        rescueRxt = recoveryPoint;
        rescueValid = true;
        return s;
      }
    }
    return null;
  }

  /**
   * The retransmission timer expired (RFC 6675 §5.1): every un-SACKed segment is deemed lost and no
   * retransmission is in flight any more; SACKed ones stay SACKed (as Linux keeps them).
   */
  void onTimeout() {
    for (Segment s : segments) {
      if (!s.sacked) {
        if (!special(s)) {
          specialCount++;
        }
        s.lost = true;
        s.retransmissionInFlight = false;
      }
    }
    rxtValid = false;
  }

  /** Marks one segment lost (RACK's verdict): its retransmission, if any, is no longer counted. */
  void markLost(Segment s) {
    if (!s.sacked) {
      if (!special(s)) {
        specialCount++;
      }
      s.lost = true;
      s.retransmissionInFlight = false;
    }
  }

  // ================================================================ views

  /** The records, lowest first; for RACK's scan and for tests. Not to be modified by callers. */
  List<Segment> segments() {
    return segments;
  }

  int sackedBytes() {
    return sackedBytes;
  }

  /** SACKed records (RFC 8985 §6.2 step 4 compares this count with DupThresh). */
  int sackedSegments() {
    return sackedCount;
  }

  /**
   * No record is SACKed, lost or sent again: every one is an original transmission, in sequence and
   * so in send-time order.
   */
  boolean allPlain() {
    return specialCount == 0;
  }

  /**
   * Checks the counts kept for the fast paths against a scan of the records; for tests.
   *
   * @throws IllegalStateException naming the count that disagrees
   */
  void checkCounts() {
    int sacked = 0;
    int special = 0;
    long held = 0;
    for (Segment s : segments) {
      sacked += s.sacked ? 1 : 0;
      special += special(s) ? 1 : 0;
      held += s.length();
    }
    if (sacked != sackedCount || special != specialCount || held != heldBytes) {
      throw new IllegalStateException(
          "counts "
              + sackedCount
              + "/"
              + specialCount
              + "/"
              + heldBytes
              + " but records say "
              + sacked
              + "/"
              + special
              + "/"
              + held
              + ": "
              + segments);
    }
  }

  /** The highest sequence number delivered; {@code fallback} before anything was. */
  int fack(int fallback) {
    return fackValid ? fack : fallback;
  }

  boolean isEmpty() {
    return segments.isEmpty();
  }

  @Override
  public String toString() {
    return segments.toString();
  }
}
