package dev.vnetif.cli;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * The bytes iperf sends: an endless pseudo-random stream from a seed, the same for the same seed
 * whatever the write size (the stream is the seed's longs, little-endian, back to back). Not
 * periodic, so data delivered at a wrong offset, even one a power of two away as after a
 * sequence-number wrap, changes the digest.
 */
final class PseudoRandomPayload {
  private final SplittableRandom random;

  /** Bytes of the last long not yet handed out, lowest first. */
  private long carry;

  private int carryBytes;

  PseudoRandomPayload(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** Fills {@code chunk} with the next {@code chunk.length} bytes of the stream. */
  void fill(byte[] chunk) {
    int i = 0;
    while (carryBytes > 0 && i < chunk.length) {
      chunk[i++] = nextCarried();
    }
    ByteBuffer buffer = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
    for (; chunk.length - i >= Long.BYTES; i += Long.BYTES) {
      buffer.putLong(i, random.nextLong());
    }
    if (i < chunk.length) {
      carry = random.nextLong();
      carryBytes = Long.BYTES;
      while (i < chunk.length) {
        chunk[i++] = nextCarried();
      }
    }
  }

  private byte nextCarried() {
    byte b = (byte) carry;
    carry >>>= 8;
    carryBytes--;
    return b;
  }
}
