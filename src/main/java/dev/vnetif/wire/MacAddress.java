package dev.vnetif.wire;

import org.apache.pekko.util.ByteString;

/**
 * An IEEE 802 48-bit MAC address, held as the low 48 bits of a {@code long} so that it can be
 * compared, hashed and used as a map key without touching an array.
 *
 * <p>Immutable. {@link #toString()} gives the lower-case colon form {@code 02:00:00:00:00:01},
 * which {@link #of(String)} reads back.
 */
public final class MacAddress {

  private static final long MASK = 0xFFFF_FFFF_FFFFL;

  /** {@code ff:ff:ff:ff:ff:ff}. */
  public static final MacAddress BROADCAST = new MacAddress(MASK);

  /** {@code 00:00:00:00:00:00}, the "unknown" target hardware address of an ARP request. */
  public static final MacAddress ZERO = new MacAddress(0L);

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final long value;

  private MacAddress(long value) {
    this.value = value;
  }

  /**
   * Reads the colon form, six two-digit hex groups ({@code 02:00:00:00:00:01}), either case.
   *
   * @throws IllegalArgumentException naming {@code text} when it is not in that form
   */
  public static MacAddress of(String text) {
    if (text == null || text.length() != 17) {
      throw invalid(text);
    }
    long v = 0;
    for (int group = 0; group < 6; group++) {
      int p = group * 3;
      if (group > 0 && text.charAt(p - 1) != ':') {
        throw invalid(text);
      }
      int hi = Character.digit(text.charAt(p), 16);
      int lo = Character.digit(text.charAt(p + 1), 16);
      if (hi < 0 || lo < 0) {
        throw invalid(text);
      }
      v = v << 8 | hi << 4 | lo;
    }
    return fromLong(v);
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "invalid MAC address '"
            + text
            + "': expected six hex pairs separated by ':', e.g. 02:00:00:00:00:01");
  }

  /**
   * @param value the address in the low 48 bits, first octet most significant
   * @throws IllegalArgumentException if any of the upper 16 bits is set
   */
  public static MacAddress fromLong(long value) {
    if ((value & ~MASK) != 0) {
      throw new IllegalArgumentException(
          "MAC address value does not fit in 48 bits: 0x" + Long.toHexString(value));
    }
    if (value == MASK) {
      return BROADCAST;
    }
    if (value == 0) {
      return ZERO;
    }
    return new MacAddress(value);
  }

  /** Reads six bytes at {@code offset}; the caller guarantees they exist. */
  public static MacAddress read(ByteString bs, int offset) {
    return fromLong(readLong(bs, offset));
  }

  /** The six bytes at {@code offset} as a 48-bit value, without allocating. */
  static long readLong(ByteString bs, int offset) {
    long hi = (long) Bytes.u16(bs, offset) << 32;
    return hi | (Bytes.i32(bs, offset + 2) & 0xFFFF_FFFFL);
  }

  /** The address in the low 48 bits of a long, first octet most significant. */
  public long toLong() {
    return value;
  }

  /** Writes the six octets at {@code dst[offset..offset+5]}. */
  public void writeTo(byte[] dst, int offset) {
    for (int i = 0; i < 6; i++) {
      dst[offset + i] = (byte) (value >>> (40 - 8 * i));
    }
  }

  /** A fresh six-byte array. */
  public byte[] toBytes() {
    byte[] b = new byte[6];
    writeTo(b, 0);
    return b;
  }

  /** True for {@code ff:ff:ff:ff:ff:ff}. */
  public boolean isBroadcast() {
    return value == MASK;
  }

  /**
   * True when the I/G bit (least significant bit of the first octet) is set; includes broadcast.
   */
  public boolean isMulticast() {
    return (value & (1L << 40)) != 0;
  }

  /** True when the U/L bit (second least significant bit of the first octet) is set. */
  public boolean isLocallyAdministered() {
    return (value & (1L << 41)) != 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MacAddress other && other.value == value;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(value);
  }

  @Override
  public String toString() {
    char[] c = new char[17];
    for (int i = 0; i < 6; i++) {
      int octet = (int) (value >>> (40 - 8 * i)) & 0xFF;
      int p = i * 3;
      c[p] = HEX[octet >>> 4];
      c[p + 1] = HEX[octet & 0xF];
      if (i < 5) {
        c[p + 2] = ':';
      }
    }
    return new String(c);
  }
}
