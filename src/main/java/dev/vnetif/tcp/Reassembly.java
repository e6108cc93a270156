package dev.vnetif.tcp;

import dev.vnetif.wire.SackBlock;
import dev.vnetif.wire.SeqNum;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * Out-of-order data held until the gap before it fills (RFC 9293 §3.10.7.4, "segment text"), and
 * the source of SACK blocks (RFC 2018).
 *
 * <p>Data is identified by absolute 32-bit sequence numbers compared with {@link SeqNum}, so the
 * held ranges may straddle 2^32. The caller guarantees that everything it inserts lies in {@code
 * (RCV.NXT, RCV.NXT + RCV.WND)}, so all held bytes are less than 2^31 apart.
 *
 * <p>Ranges are kept sorted, disjoint and never adjacent (touching ranges are merged), in small
 * parallel arrays; operations scan them linearly, which is cheap because they are few. Payload is
 * never copied: ranges are slices and concatenations of the inserted {@link ByteString}s.
 *
 * <p>Not thread-safe; owned by one connection.
 */
public final class Reassembly {

  private static final int INITIAL_RANGES = 8;

  /** How many recently received segments are remembered for the order of SACK blocks. */
  private static final int RECENT = 4;

  private final int maxBytes;
  private final int maxRanges;

  private int[] starts;
  private ByteString[] data;
  private int count;
  private int bytesHeld;

  // The layout insert() computed for its data; fields rather than a result object so the
  // per-segment path allocates nothing of its own.
  private int firstTouched; // first held range the new data overlaps or touches
  private int lastTouched; // last such range; firstTouched - 1 when none
  private int mergedStart; // merged range, relative to the inserted seq
  private int mergedEnd;
  private int heldInMerged; // bytes already held inside the merged range

  /**
   * RFC 2018 §4: the first sequence numbers of the most recently received segments, newest first,
   * one per held range — the order SACK blocks are reported in.
   */
  private final int[] recent = new int[RECENT];

  private int recentCount;

  /**
   * @param maxBytes the most bytes held at once, at least 1
   * @param maxRanges the most disjoint ranges held at once (e.g. 64), at least 1
   * @throws IllegalArgumentException if either bound is below 1
   */
  public Reassembly(int maxBytes, int maxRanges) {
    if (maxBytes < 1 || maxRanges < 1) {
      throw new IllegalArgumentException(
          "reassembly bounds must be at least 1, were maxBytes "
              + maxBytes
              + " maxRanges "
              + maxRanges);
    }
    this.maxBytes = maxBytes;
    this.maxRanges = maxRanges;
    int initial = Math.min(INITIAL_RANGES, maxRanges);
    this.starts = new int[initial];
    this.data = new ByteString[initial];
  }

  public int maxBytes() {
    return maxBytes;
  }

  public int maxRanges() {
    return maxRanges;
  }

  /**
   * Stores {@code bytes}, whose first byte has sequence number {@code seq} (after RCV.NXT). Bytes
   * already held are kept and the overlapping new ones ignored (RFC 9293 leaves the choice; the
   * first copy wins); ranges that overlap or touch are merged.
   *
   * <p>The bounds keep the lowest bytes, since the data nearest RCV.NXT is the most valuable: if
   * everything held plus the new bytes exceeds {@code maxBytes} or {@code maxRanges}, the bytes
   * with the highest sequence numbers are not kept. Usually those are new bytes, which are then not
   * stored; when the new bytes lie below held ones, the highest held bytes are discarded to make
   * room (reneging on them, which RFC 2018 §8 permits for a receiver out of buffer space).
   *
   * @return the number of new bytes stored, {@code 0..bytes.length()}
   */
  public int insert(int seq, ByteString bytes) {
    int added = store(seq, bytes);
    noteRecent(seq);
    return added;
  }

  private int store(int seq, ByteString bytes) {
    int length = bytes.length();
    if (length == 0) {
      return 0;
    }
    plan(seq, length);
    int added = (mergedEnd - mergedStart) - heldInMerged;
    if (added == 0) {
      return 0; // entirely inside one held range (held ranges never touch): a duplicate
    }
    int rangesAfter = count - (lastTouched - firstTouched);
    if (rangesAfter > maxRanges || bytesHeld + added > maxBytes) {
      int cut = cutPoint(seq);
      if (cut <= mergedStart) {
        return 0; // the bounds are filled by held bytes below the new ones
      }
      discardFrom(seq + cut);
      if (cut < length) {
        if (cut <= 0) {
          return 0;
        }
        bytes = bytes.take(cut);
        length = cut;
      }
      plan(seq, length);
      added = (mergedEnd - mergedStart) - heldInMerged;
    }
    merge(seq, bytes);
    bytesHeld += added;
    return added;
  }

  /**
   * Called after RCV.NXT advanced to {@code rcvNxt}: removes and returns the held bytes that are
   * contiguous from {@code rcvNxt}, first discarding held bytes below it (another segment delivered
   * them).
   *
   * @return the bytes starting at {@code rcvNxt}, or an empty ByteString when the first held range
   *     starts after {@code rcvNxt} (a gap remains) or nothing is held
   */
  public ByteString takeContiguous(int rcvNxt) {
    int obsolete = 0;
    while (obsolete < count && SeqNum.leq(starts[obsolete] + data[obsolete].length(), rcvNxt)) {
      bytesHeld -= data[obsolete].length();
      obsolete++;
    }
    ByteString result = ByteString.emptyByteString();
    int removed = obsolete;
    if (removed < count && SeqNum.leq(starts[removed], rcvNxt)) {
      // Ranges never touch, so only this one can continue from rcvNxt.
      ByteString range = data[removed];
      result = range.drop(SeqNum.diff(rcvNxt, starts[removed]));
      bytesHeld -= range.length();
      removed++;
    }
    if (removed > 0) {
      removeRanges(0, removed);
    }
    return result;
  }

  public boolean isEmpty() {
    return count == 0;
  }

  public int bytesHeld() {
    return bytesHeld;
  }

  public int rangeCount() {
    return count;
  }

  /** The held ranges as SACK blocks {@code [left, right)}, lowest first. */
  public List<SackBlock> ranges() {
    if (count == 0) {
      return List.of();
    }
    SackBlock[] blocks = new SackBlock[count];
    for (int i = 0; i < count; i++) {
      blocks[i] = block(i);
    }
    return Collections.unmodifiableList(Arrays.asList(blocks));
  }

  /**
   * Up to {@code max} SACK blocks: first the range holding {@code mostRecentSeq} (RFC 2018 §4: the
   * first block reports the most recently received segment), then the others lowest first. When no
   * range holds {@code mostRecentSeq}, all are lowest first.
   */
  public List<SackBlock> sackBlocks(int mostRecentSeq, int max) {
    int n = Math.min(count, max);
    if (n <= 0) {
      return List.of();
    }
    int recent = -1;
    for (int i = 0; i < count; i++) {
      if (SeqNum.inWindow(mostRecentSeq, starts[i], data[i].length())) {
        recent = i;
        break;
      }
    }
    SackBlock[] blocks = new SackBlock[n];
    int filled = 0;
    if (recent >= 0) {
      blocks[filled++] = block(recent);
    }
    for (int i = 0; i < count && filled < n; i++) {
      if (i != recent) {
        blocks[filled++] = block(i);
      }
    }
    return Collections.unmodifiableList(Arrays.asList(blocks));
  }

  /**
   * Up to {@code max} SACK blocks in the order of RFC 2018 §4: first the range holding the most
   * recently received segment, then the ranges of the segments received before it, newest first (a
   * block is "reported again" for as long as it is among the four latest); any room left is filled
   * with the other held ranges, lowest first.
   */
  public List<SackBlock> sackBlocks(int max) {
    int n = Math.min(count, max);
    if (n <= 0) {
      return List.of();
    }
    SackBlock[] blocks = new SackBlock[n];
    int[] chosen = new int[n];
    int filled = 0;
    for (int r = 0; r < recentCount && filled < n; r++) {
      int i = rangeHolding(recent[r]);
      if (i >= 0 && !contains(chosen, filled, i)) {
        chosen[filled] = i;
        blocks[filled++] = block(i);
      }
    }
    for (int i = 0; i < count && filled < n; i++) {
      if (!contains(chosen, filled, i)) {
        chosen[filled] = i;
        blocks[filled++] = block(i);
      }
    }
    return Collections.unmodifiableList(Arrays.asList(blocks));
  }

  /**
   * The first part of {@code [seq, seq + length)} that is already held, as a block (RFC 2883's
   * duplicate to report), or null when none of it is.
   */
  public SackBlock firstHeldPart(int seq, int length) {
    if (length <= 0) {
      return null;
    }
    // Positions relative to seq, so the comparisons hold across 2^32; the caller's range lies in
    // the window with the held ones, all less than 2^31 apart, so the ranges stay sorted.
    for (int i = 0; i < count; i++) {
      int start = starts[i] - seq;
      if (start >= length) {
        return null; // this range and all after it begin past the end
      }
      int end = start + data[i].length();
      if (end > 0) {
        return new SackBlock(seq + Math.max(0, start), seq + Math.min(length, end));
      }
    }
    return null;
  }

  /** The index of the held range holding sequence number {@code seq}, or -1. */
  private int rangeHolding(int seq) {
    for (int i = 0; i < count; i++) {
      if (SeqNum.inWindow(seq, starts[i], data[i].length())) {
        return i;
      }
    }
    return -1;
  }

  private static boolean contains(int[] values, int n, int value) {
    for (int k = 0; k < n; k++) {
      if (values[k] == value) {
        return true;
      }
    }
    return false;
  }

  /**
   * A segment at {@code seq} was just received: its range moves to the front of the recency order;
   * remembered segments now in the same range (merged with it) or no longer held are forgotten.
   */
  private void noteRecent(int seq) {
    int range = rangeHolding(seq);
    int kept = 0;
    for (int r = 0; r < recentCount; r++) {
      int i = rangeHolding(recent[r]);
      if (i >= 0 && i != range) {
        recent[kept++] = recent[r];
      }
    }
    recentCount = kept;
    if (range < 0) {
      return;
    }
    int shifted = Math.min(recentCount, RECENT - 1);
    System.arraycopy(recent, 0, recent, 1, shifted);
    recent[0] = seq;
    recentCount = shifted + 1;
  }

  /** Drops everything held. */
  public void clear() {
    Arrays.fill(data, 0, count, null);
    count = 0;
    bytesHeld = 0;
    recentCount = 0;
  }

  private SackBlock block(int i) {
    return new SackBlock(starts[i], starts[i] + data[i].length());
  }

  /**
   * Finds the held ranges that {@code [seq, seq + length)} overlaps or touches and the range they
   * merge into; all positions relative to {@code seq}, so the comparisons hold across the 2^32
   * wrap.
   */
  private void plan(int seq, int length) {
    int i = 0;
    while (i < count && starts[i] + data[i].length() - seq < 0) {
      i++;
    }
    int j = i - 1;
    int held = 0;
    while (j + 1 < count && starts[j + 1] - seq <= length) {
      j++;
      held += data[j].length();
    }
    firstTouched = i;
    lastTouched = j;
    heldInMerged = held;
    if (j < i) {
      mergedStart = 0;
      mergedEnd = length;
    } else {
      mergedStart = Math.min(0, starts[i] - seq);
      mergedEnd = Math.max(length, starts[j] + data[j].length() - seq);
    }
  }

  /**
   * Where, relative to {@code seq}, the bounds cut the planned layout: the held ranges with the
   * planned merged range in place of those it absorbs, walked lowest first until {@code maxRanges}
   * or {@code maxBytes} is reached. Everything from the cut on is not kept.
   */
  private int cutPoint(int seq) {
    int virtualCount = count - (lastTouched - firstTouched);
    int bytesBefore = 0;
    for (int v = 0; v < virtualCount; v++) {
      int start;
      int length;
      if (v < firstTouched) {
        start = starts[v] - seq;
        length = data[v].length();
      } else if (v == firstTouched) {
        start = mergedStart;
        length = mergedEnd - mergedStart;
      } else {
        int actual = v + lastTouched - firstTouched;
        start = starts[actual] - seq;
        length = data[actual].length();
      }
      if (v == maxRanges) {
        return start;
      }
      if (bytesBefore + length > maxBytes) {
        return start + (maxBytes - bytesBefore);
      }
      bytesBefore += length;
    }
    return Integer.MAX_VALUE; // unreachable: called only when a bound is exceeded
  }

  /** Discards every held byte at or after sequence number {@code cut}. */
  private void discardFrom(int cut) {
    while (count > 0 && SeqNum.geq(starts[count - 1], cut)) {
      count--;
      bytesHeld -= data[count].length();
      data[count] = null;
    }
    if (count > 0) {
      int last = count - 1;
      int keep = SeqNum.diff(cut, starts[last]);
      if (keep < data[last].length()) {
        bytesHeld -= data[last].length() - keep;
        data[last] = data[last].take(keep);
      }
    }
  }

  /** Replaces the ranges {@link #plan} found with the merged range (or inserts a new one). */
  private void merge(int seq, ByteString bytes) {
    int i = firstTouched;
    int j = lastTouched;
    if (j < i) {
      insertRange(i, seq, bytes);
      return;
    }
    int length = bytes.length();
    int firstStart = starts[i] - seq;
    ByteString merged = firstStart > 0 ? bytes.take(firstStart).concat(data[i]) : data[i];
    int end = firstStart + data[i].length();
    for (int k = i + 1; k <= j; k++) {
      int nextStart = starts[k] - seq;
      merged = merged.concat(bytes.slice(end, nextStart)).concat(data[k]);
      end = nextStart + data[k].length();
    }
    if (end < length) {
      merged = merged.concat(bytes.drop(end));
    }
    starts[i] = seq + mergedStart;
    data[i] = merged;
    if (j > i) {
      removeRanges(i + 1, j - i);
    }
  }

  private void insertRange(int at, int seq, ByteString bytes) {
    if (count == starts.length) {
      int newLength = (int) Math.min((long) maxRanges, 2L * starts.length);
      starts = Arrays.copyOf(starts, newLength);
      data = Arrays.copyOf(data, newLength);
    }
    System.arraycopy(starts, at, starts, at + 1, count - at);
    System.arraycopy(data, at, data, at + 1, count - at);
    starts[at] = seq;
    data[at] = bytes;
    count++;
  }

  private void removeRanges(int from, int n) {
    System.arraycopy(starts, from + n, starts, from, count - from - n);
    System.arraycopy(data, from + n, data, from, count - from - n);
    Arrays.fill(data, count - n, count, null);
    count -= n;
  }
}
