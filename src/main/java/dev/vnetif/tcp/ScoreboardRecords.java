package dev.vnetif.tcp;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * The records of a {@link SackScoreboard}, lowest sequence first, in a ring buffer: every
 * cumulative ACK drops records from the front, which an {@code ArrayList} pays for by shifting
 * every record behind them — a whole window's worth per ACK. Appending (every segment sent) and
 * dropping the first are O(1); inserting in the middle (a record split at a SACK block's or a
 * resend's edge, only under loss) shifts the records behind it.
 *
 * <p>A read-only {@link java.util.List} for RACK's scan and the tests; the scoreboard changes it
 * only through {@link #add(SackScoreboard.Segment)}, {@link #add(int, SackScoreboard.Segment)} and
 * {@link #removeFirst()}.
 */
final class ScoreboardRecords extends AbstractList<SackScoreboard.Segment> implements RandomAccess {

  private SackScoreboard.Segment[] ring = new SackScoreboard.Segment[16];

  /** Index of the first record in {@link #ring}. */
  private int head;

  private int size;

  @Override
  public SackScoreboard.Segment get(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("record " + index + " of " + size);
    }
    return ring[(head + index) & (ring.length - 1)];
  }

  @Override
  public int size() {
    return size;
  }

  /** The last record; the list must not be empty. */
  SackScoreboard.Segment last() {
    return get(size - 1);
  }

  @Override
  public boolean add(SackScoreboard.Segment segment) {
    if (size == ring.length) {
      grow();
    }
    ring[(head + size) & (ring.length - 1)] = segment;
    size++;
    return true;
  }

  @Override
  public void add(int index, SackScoreboard.Segment segment) {
    if (index < 0 || index > size) {
      throw new IndexOutOfBoundsException("insert at " + index + " of " + size);
    }
    if (size == ring.length) {
      grow();
    }
    int mask = ring.length - 1;
    for (int i = size; i > index; i--) {
      ring[(head + i) & mask] = ring[(head + i - 1) & mask];
    }
    ring[(head + index) & mask] = segment;
    size++;
  }

  /** Drops and returns the first record; the list must not be empty. */
  SackScoreboard.Segment removeFirst() {
    if (size == 0) {
      throw new IndexOutOfBoundsException("no record to remove");
    }
    SackScoreboard.Segment first = ring[head];
    ring[head] = null;
    head = (head + 1) & (ring.length - 1);
    size--;
    return first;
  }

  /** Doubles the ring, the records moved to its start in order (the length stays a power of 2). */
  private void grow() {
    SackScoreboard.Segment[] bigger = new SackScoreboard.Segment[ring.length * 2];
    for (int i = 0; i < size; i++) {
      bigger[i] = ring[(head + i) & (ring.length - 1)];
    }
    ring = bigger;
    head = 0;
  }
}
