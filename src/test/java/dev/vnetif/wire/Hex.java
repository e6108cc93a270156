package dev.vnetif.wire;

import org.apache.pekko.util.ByteString;

/** Hex helpers for writing byte vectors in tests. */
final class Hex {

  private Hex() {}

  /** Parses hex digits, ignoring whitespace: {@code "4500 0073"}. */
  static ByteString bs(String hex) {
    return ByteString.fromArrayUnsafe(bytes(hex));
  }

  static byte[] bytes(String hex) {
    String digits = hex.replaceAll("\\s+", "");
    if (digits.length() % 2 != 0) {
      throw new IllegalArgumentException("odd number of hex digits: " + hex);
    }
    byte[] b = new byte[digits.length() / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
    }
    return b;
  }

  static String hex(ByteString bs) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < bs.length(); i++) {
      sb.append(String.format("%02x", bs.apply(i) & 0xFF));
    }
    return sb.toString();
  }

  /**
   * The same bytes as a rope of separately allocated pieces, cut at {@code cuts}, so that code
   * reading it cannot rely on one backing array.
   */
  static ByteString fragmented(ByteString bs, int... cuts) {
    ByteString result = ByteString.emptyByteString();
    int from = 0;
    for (int cut : cuts) {
      result = result.concat(ByteString.fromArray(bs.slice(from, cut).toArray()));
      from = cut;
    }
    return result.concat(ByteString.fromArray(bs.slice(from, bs.length()).toArray()));
  }

  /** A copy of {@code bs} with {@code mask} xor-ed into byte {@code index}. */
  static ByteString flip(ByteString bs, int index, int mask) {
    byte[] b = bs.toArray();
    b[index] ^= (byte) mask;
    return ByteString.fromArrayUnsafe(b);
  }

  /** A copy of {@code bs} with the 16-bit big-endian {@code value} at {@code index}. */
  static ByteString with16(ByteString bs, int index, int value) {
    byte[] b = bs.toArray();
    b[index] = (byte) (value >>> 8);
    b[index + 1] = (byte) value;
    return ByteString.fromArrayUnsafe(b);
  }
}
