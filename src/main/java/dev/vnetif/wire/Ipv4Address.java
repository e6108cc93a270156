package dev.vnetif.wire;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.apache.pekko.util.ByteString;

/**
 * An IPv4 address (RFC 791 §3.2), held as an {@code int} in network order (first octet in the most
 * significant byte).
 *
 * <p>Immutable. Ordered as unsigned 32-bit numbers, so {@code 10.0.0.1 < 192.168.0.1}. {@link
 * #toString()} gives the dotted-quad form that {@link #of(String)} reads back.
 */
public final class Ipv4Address implements Comparable<Ipv4Address> {

  /** {@code 0.0.0.0}: "this host" / unspecified (RFC 1122 §3.2.1.3). */
  public static final Ipv4Address ANY = new Ipv4Address(0);

  /** {@code 255.255.255.255}: the limited broadcast address (RFC 919, RFC 1122 §3.2.1.3). */
  public static final Ipv4Address BROADCAST = new Ipv4Address(-1);

  private final int value;

  private Ipv4Address(int value) {
    this.value = value;
  }

  /**
   * Reads a dotted quad such as {@code 10.0.0.2}: four decimal octets 0..255, no leading zeros
   * (which some parsers would read as octal), no surrounding spaces.
   *
   * @throws IllegalArgumentException naming {@code text} when it is not in that form
   */
  public static Ipv4Address of(String text) {
    if (text == null) {
      throw invalid(null);
    }
    int n = text.length();
    int v = 0;
    int i = 0;
    for (int part = 0; part < 4; part++) {
      if (part > 0) {
        if (i >= n || text.charAt(i) != '.') {
          throw invalid(text);
        }
        i++;
      }
      int start = i;
      int octet = 0;
      while (i < n && i - start < 4) {
        char c = text.charAt(i);
        if (c < '0' || c > '9') {
          break;
        }
        octet = octet * 10 + (c - '0');
        i++;
      }
      int digits = i - start;
      if (digits == 0 || digits > 3 || octet > 255 || (digits > 1 && text.charAt(start) == '0')) {
        throw invalid(text);
      }
      v = v << 8 | octet;
    }
    if (i != n) {
      throw invalid(text);
    }
    return fromInt(v);
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "invalid IPv4 address '" + text + "': expected four decimal octets 0..255, e.g. 10.0.0.2");
  }

  /** The address whose octets are the bytes of {@code value}, most significant first. */
  public static Ipv4Address fromInt(int value) {
    if (value == 0) {
      return ANY;
    }
    if (value == -1) {
      return BROADCAST;
    }
    return new Ipv4Address(value);
  }

  /** The same address as a JDK value. */
  public static Ipv4Address fromInet(Inet4Address address) {
    byte[] b = address.getAddress();
    return fromInt((b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF));
  }

  /** The same address as a JDK value (no name lookup happens). */
  public Inet4Address toInet() {
    byte[] b = new byte[4];
    writeTo(b, 0);
    try {
      return (Inet4Address) InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new AssertionError("a 4-byte address is always valid", e);
    }
  }

  /** Reads four bytes at {@code offset}; the caller guarantees they exist. */
  public static Ipv4Address read(ByteString bs, int offset) {
    return fromInt(Bytes.i32(bs, offset));
  }

  /** Writes the four octets at {@code dst[offset..offset+3]}. */
  public void writeTo(byte[] dst, int offset) {
    Bytes.put32(dst, offset, value);
  }

  /** The address as an int, first octet in the most significant byte. */
  public int toInt() {
    return value;
  }

  /** True for the limited broadcast {@code 255.255.255.255} only (not directed broadcasts). */
  public boolean isBroadcast() {
    return value == -1;
  }

  /** True for class D, {@code 224.0.0.0/4} (RFC 1112 §4). */
  public boolean isMulticast() {
    return (value >>> 28) == 0xE;
  }

  /** True for {@code 0.0.0.0}. */
  public boolean isUnspecified() {
    return value == 0;
  }

  /** True for {@code 127.0.0.0/8} (RFC 1122 §3.2.1.3). */
  public boolean isLoopback() {
    return (value >>> 24) == 127;
  }

  @Override
  public int compareTo(Ipv4Address other) {
    return Integer.compareUnsigned(value, other.value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Ipv4Address other && other.value == value;
  }

  @Override
  public int hashCode() {
    return value;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(15);
    sb.append(value >>> 24)
        .append('.')
        .append((value >>> 16) & 0xFF)
        .append('.')
        .append((value >>> 8) & 0xFF)
        .append('.')
        .append(value & 0xFF);
    return sb.toString();
  }
}
