package dev.vnetif.tcp;

import org.apache.pekko.util.ByteString;

/**
 * The bytes the application wrote that the peer has not acknowledged yet: the send sequence space
 * from SND.UNA onwards (RFC 9293 §3.3.1), both the sent-but-unacknowledged part and the part not
 * sent yet. Offsets count from the front, i.e. offset 0 is the byte at SND.UNA.
 *
 * <p>The buffer never copies payload: appended {@link ByteString}s are kept as they are and {@link
 * #slice} returns slices and concatenations of them. Chunks live in a ring together with the
 * absolute stream position of their first byte, so the chunk holding any offset is found by a
 * binary search (the front chunk, where retransmissions start, is checked first). The ring exists
 * only while the buffer holds bytes: an idle connection, everything acknowledged, keeps none.
 *
 * <p>Not thread-safe; owned by one connection.
 */
public final class SendBuffer {

  /** Ring slots when the first byte is appended: a few writes in flight need no growth. */
  private static final int INITIAL_CHUNKS = 4;

  private final int capacity;
  private int size;
  private long consumedTotal;
  private long appendedTotal;

  // Ring of chunks; chunkStart[k] is the stream position (counting every byte ever appended)
  // of chunks[k]'s first byte. The front chunk may be partly consumed: its live bytes begin
  // at consumedTotal. Both null while the buffer is empty.
  private ByteString[] chunks;
  private long[] chunkStart;
  private int head;
  private int chunkCount;

  /**
   * @param capacity the most bytes the buffer holds at once (the send buffer size)
   * @throws IllegalArgumentException if {@code capacity < 1}
   */
  public SendBuffer(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException(
          "send buffer capacity must be at least 1, was " + capacity);
    }
    this.capacity = capacity;
  }

  /** The most bytes the buffer holds at once. */
  public int capacity() {
    return capacity;
  }

  /** Bytes held: unacknowledged plus not yet sent. */
  public int size() {
    return size;
  }

  /** Room left: {@code capacity() - size()}. */
  public int free() {
    return capacity - size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  /** Total bytes ever dropped from the front by {@link #consume}; never wraps. */
  public long consumedTotal() {
    return consumedTotal;
  }

  /** Total bytes ever taken by {@link #append}; never wraps. */
  public long appendedTotal() {
    return appendedTotal;
  }

  /**
   * Appends as much of {@code data} as fits. The part taken is stored as it is (a slice of {@code
   * data} when only a prefix fits), never copied.
   *
   * @return the number of bytes taken, {@code 0..data.length()}; 0 for empty data or a full buffer
   */
  public int append(ByteString data) {
    int length = data.length();
    int taken = Math.min(length, capacity - size);
    if (taken == 0) {
      return 0;
    }
    if (chunks == null) {
      chunks = new ByteString[INITIAL_CHUNKS];
      chunkStart = new long[INITIAL_CHUNKS];
    } else if (chunkCount == chunks.length) {
      grow();
    }
    int slot = (head + chunkCount) & (chunks.length - 1);
    chunks[slot] = taken == length ? data : data.take(taken);
    chunkStart[slot] = appendedTotal;
    chunkCount++;
    appendedTotal += taken;
    size += taken;
    return taken;
  }

  /**
   * The bytes {@code [offset, offset + length)} counted from the front (SND.UNA). Never copies:
   * slices and concatenates the stored chunks.
   *
   * @throws IndexOutOfBoundsException if {@code offset < 0}, {@code length < 0} or {@code offset +
   *     length > size()}
   */
  public ByteString slice(int offset, int length) {
    if (offset < 0 || length < 0 || (long) offset + length > size) {
      throw new IndexOutOfBoundsException(
          "slice offset " + offset + " length " + length + " outside [0, " + size + "]");
    }
    if (length == 0) {
      return ByteString.emptyByteString();
    }
    int mask = chunks.length - 1;
    long position = consumedTotal + offset;
    int index = chunkHolding(position);
    int slot = (head + index) & mask;
    ByteString chunk = chunks[slot];
    int from = (int) (position - chunkStart[slot]);
    int chunkLength = chunk.length();
    if (chunkLength - from >= length) {
      return chunk.slice(from, from + length);
    }
    ByteString result = chunk.slice(from, chunkLength);
    int remaining = length - (chunkLength - from);
    while (remaining > 0) {
      slot = (slot + 1) & mask;
      chunk = chunks[slot];
      chunkLength = chunk.length();
      if (chunkLength >= remaining) {
        return result.concat(chunk.take(remaining));
      }
      result = result.concat(chunk);
      remaining -= chunkLength;
    }
    return result;
  }

  /**
   * Drops {@code n} bytes from the front because the peer acknowledged them.
   *
   * @throws IllegalArgumentException if {@code n < 0} or {@code n > size()}
   */
  public void consume(int n) {
    if (n < 0 || n > size) {
      throw new IllegalArgumentException(
          "cannot consume " + n + " bytes from a send buffer holding " + size);
    }
    if (n == 0) {
      return; // nothing to drop (and, when empty, no ring to walk)
    }
    consumedTotal += n;
    size -= n;
    int mask = chunks.length - 1;
    while (chunkCount > 0 && chunkStart[head] + chunks[head].length() <= consumedTotal) {
      chunks[head] = null;
      head = (head + 1) & mask;
      chunkCount--;
    }
    if (chunkCount == 0) {
      // Drained: let the ring go, so a connection at rest holds no arrays.
      chunks = null;
      chunkStart = null;
      head = 0;
    }
  }

  /**
   * The index (from the front of the ring) of the chunk holding stream position {@code position}.
   */
  private int chunkHolding(long position) {
    int mask = chunks.length - 1;
    // Retransmissions and most sends of small buffers start in the front chunk.
    if (chunkCount == 1 || position < chunkStart[(head + 1) & mask]) {
      return 0;
    }
    int lo = 1;
    int hi = chunkCount - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (chunkStart[(head + mid) & mask] <= position) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  private void grow() {
    int oldLength = chunks.length;
    ByteString[] newChunks = new ByteString[oldLength * 2];
    long[] newStart = new long[oldLength * 2];
    for (int i = 0; i < chunkCount; i++) {
      int slot = (head + i) & (oldLength - 1);
      newChunks[i] = chunks[slot];
      newStart[i] = chunkStart[slot];
    }
    chunks = newChunks;
    chunkStart = newStart;
    head = 0;
  }
}
