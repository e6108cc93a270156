package dev.vnetif.wire;

import org.apache.pekko.util.ByteString;

/**
 * Big-endian (network byte order, RFC 791 Appendix B) reads from a {@link ByteString} and writes
 * into a byte array. Callers check lengths first; these methods do not.
 */
final class Bytes {

  private Bytes() {}

  static int u8(ByteString bs, int i) {
    return bs.apply(i) & 0xFF;
  }

  static int u16(ByteString bs, int i) {
    return (bs.apply(i) & 0xFF) << 8 | (bs.apply(i + 1) & 0xFF);
  }

  static int i32(ByteString bs, int i) {
    return (bs.apply(i) & 0xFF) << 24
        | (bs.apply(i + 1) & 0xFF) << 16
        | (bs.apply(i + 2) & 0xFF) << 8
        | (bs.apply(i + 3) & 0xFF);
  }

  static void put16(byte[] b, int i, int v) {
    b[i] = (byte) (v >>> 8);
    b[i + 1] = (byte) v;
  }

  static void put32(byte[] b, int i, int v) {
    b[i] = (byte) (v >>> 24);
    b[i + 1] = (byte) (v >>> 16);
    b[i + 2] = (byte) (v >>> 8);
    b[i + 3] = (byte) v;
  }
}
