package dev.vnetif.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import org.apache.pekko.util.ByteString;

/**
 * The internet checksum of RFC 1071: the 16-bit one's complement of the one's-complement sum of the
 * data taken as big-endian 16-bit words.
 *
 * <p>Checksums are computed in two steps so that the parts of a packet that live in different
 * places (pseudo-header, a freshly built header array, a payload {@link ByteString}) are each read
 * once: {@code sum} returns a partial sum that the next call takes as {@code initial}, and {@link
 * #fold(int)} turns the final partial sum into the checksum field value. A received packet verifies
 * when {@code fold(sum over every byte including its checksum field) == 0}.
 *
 * <p>Partial sums are returned reduced to 0..0xFFFF, so any number of them may be chained. A part
 * of odd length is padded with a zero byte (RFC 1071 §1), so every part but the last must have even
 * length for the chain to equal the sum over the concatenation.
 */
public final class Checksum {

  /**
   * Reads eight bytes big-endian at once: RFC 1071 §2(C), the one's-complement sum can be taken
   * over wider words and folded afterwards.
   */
  private static final VarHandle LONG_BE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  /** Below this length, reading byte by byte beats setting up buffer views. */
  private static final int SMALL = 64;

  private Checksum() {}

  /**
   * Adds {@code bs[offset, offset+length)} to the partial sum {@code initial}.
   *
   * @return the new partial sum, in 0..0xFFFF
   * @throws IndexOutOfBoundsException if the range is outside {@code bs}
   */
  public static int sum(ByteString bs, int offset, int length, int initial) {
    Objects.checkFromIndexSize(offset, length, bs.length());
    long acc = initial & 0xFFFF_FFFFL;
    if (length <= SMALL) {
      int end = offset + length;
      int i = offset;
      for (; i + 1 < end; i += 2) {
        acc += (bs.apply(i) & 0xFF) << 8 | (bs.apply(i + 1) & 0xFF);
      }
      if (i < end) {
        acc += (bs.apply(i) & 0xFF) << 8;
      }
      return reduce(acc);
    }
    ByteString part = offset == 0 && length == bs.length() ? bs : bs.slice(offset, offset + length);
    // A ByteString may be a rope of arrays; each fragment is summed in place. A fragment that
    // starts at an odd position has its bytes in the other halves of the 16-bit words, which
    // the byte-swap of its sum accounts for (RFC 1071 §2(B), byte-order independence).
    boolean oddStart = false;
    scala.collection.Iterator<ByteBuffer> fragments = part.asByteBuffers().iterator();
    while (fragments.hasNext()) {
      ByteBuffer fragment = fragments.next();
      int s = sumFragment(fragment);
      acc += oddStart ? swap(s) : s;
      if ((fragment.remaining() & 1) != 0) {
        oddStart = !oddStart;
      }
    }
    return reduce(acc);
  }

  /**
   * Adds {@code b[off, off+len)} to the partial sum {@code initial}.
   *
   * @return the new partial sum, in 0..0xFFFF
   * @throws IndexOutOfBoundsException if the range is outside {@code b}
   */
  public static int sum(byte[] b, int off, int len, int initial) {
    Objects.checkFromIndexSize(off, len, b.length);
    int end = off + len;
    int i = off;
    // Two independent accumulators over 16-byte strides let the CPU overlap the additions.
    long high = 0;
    long low = 0;
    for (; i + 16 <= end; i += 16) {
      long w = (long) LONG_BE.get(b, i);
      long v = (long) LONG_BE.get(b, i + 8);
      high += (w >>> 32) + (v >>> 32);
      low += (w & 0xFFFF_FFFFL) + (v & 0xFFFF_FFFFL);
    }
    long acc = (initial & 0xFFFF_FFFFL) + high + low;
    for (; i + 1 < end; i += 2) {
      acc += (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
    }
    if (i < end) {
      acc += (b[i] & 0xFF) << 8;
    }
    return reduce(acc);
  }

  /** The checksum field value for a final partial sum: its one's complement, 16 bits. */
  public static int fold(int sum) {
    return ~reduce(sum & 0xFFFF_FFFFL) & 0xFFFF;
  }

  /**
   * The partial sum of the TCP/UDP pseudo-header (RFC 9293 §3.1, RFC 768): source and destination
   * address, zero, protocol, and the TCP/UDP length.
   */
  public static int pseudoHeader(Ipv4Address src, Ipv4Address dst, int protocol, int length) {
    int s = src.toInt();
    int d = dst.toInt();
    long acc =
        (s >>> 16)
            + (s & 0xFFFF)
            + (d >>> 16)
            + (d & 0xFFFF)
            + (protocol & 0xFF)
            + (length & 0xFFFF);
    return reduce(acc);
  }

  /** Sums position..limit of a big-endian view as if it started on a word boundary. */
  private static int sumFragment(ByteBuffer buf) {
    if (buf.order() != ByteOrder.BIG_ENDIAN) {
      buf = buf.duplicate(); // a duplicate is always big-endian
    }
    int i = buf.position();
    int end = buf.limit();
    long high = 0;
    long low = 0;
    for (; i + 16 <= end; i += 16) {
      long w = buf.getLong(i);
      long v = buf.getLong(i + 8);
      high += (w >>> 32) + (v >>> 32);
      low += (w & 0xFFFF_FFFFL) + (v & 0xFFFF_FFFFL);
    }
    long acc = high + low;
    for (; i + 1 < end; i += 2) {
      acc += buf.getShort(i) & 0xFFFF;
    }
    if (i < end) {
      acc += (buf.get(i) & 0xFF) << 8;
    }
    return reduce(acc);
  }

  /** End-around carry (RFC 1071 §2(A) "deferred carries") down to 16 bits. */
  private static int reduce(long acc) {
    while ((acc >>> 16) != 0) {
      acc = (acc >>> 16) + (acc & 0xFFFF);
    }
    return (int) acc;
  }

  private static int swap(int s) {
    return (s & 0xFF) << 8 | s >>> 8;
  }
}
