package dev.vnetif.wire;

import java.util.Objects;

/**
 * An interface address with its prefix length (RFC 4632 §3.1 notation), such as {@code
 * 10.0.0.2/24}: the host's own address is kept, and the network, netmask and directed broadcast are
 * derived from it.
 *
 * @param address the address as given (host bits are kept, not zeroed)
 * @param prefixLength 0..32
 */
public record Ipv4Cidr(Ipv4Address address, int prefixLength) {

  /**
   * @throws IllegalArgumentException if the prefix length is outside 0..32
   */
  public Ipv4Cidr {
    Objects.requireNonNull(address, "address");
    if (prefixLength < 0 || prefixLength > 32) {
      throw new IllegalArgumentException(
          "invalid prefix length " + prefixLength + " for " + address + ": expected 0..32");
    }
  }

  /**
   * Reads {@code a.b.c.d/n}.
   *
   * @throws IllegalArgumentException naming {@code text} when the slash is missing, the prefix is
   *     not a number in 0..32 or the address is invalid
   */
  public static Ipv4Cidr parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException(
          "invalid CIDR 'null': expected address/prefix, e.g. 10.0.0.2/24");
    }
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException(
          "invalid CIDR '" + text + "': missing '/prefix', e.g. 10.0.0.2/24");
    }
    int prefix = parsePrefix(text, slash + 1);
    if (prefix < 0) {
      throw new IllegalArgumentException(
          "invalid CIDR '" + text + "': prefix length must be a number in 0..32");
    }
    Ipv4Address address;
    try {
      address = Ipv4Address.of(text.substring(0, slash));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid CIDR '" + text + "': " + e.getMessage(), e);
    }
    return new Ipv4Cidr(address, prefix);
  }

  /** The decimal number in {@code text[from..]} if it is 0..32, else -1. */
  private static int parsePrefix(String text, int from) {
    int n = text.length();
    if (from == n || n - from > 2) {
      return -1;
    }
    int v = 0;
    for (int i = from; i < n; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v <= 32 ? v : -1;
  }

  private int mask() {
    // A shift by 32 is a shift by 0 in Java, hence the special case for /0.
    return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
  }

  /** The address with its host bits cleared, e.g. {@code 10.0.0.0} for {@code 10.0.0.2/24}. */
  public Ipv4Address network() {
    return Ipv4Address.fromInt(address.toInt() & mask());
  }

  /** The mask, e.g. {@code 255.255.255.0} for a /24. */
  public Ipv4Address netmask() {
    return Ipv4Address.fromInt(mask());
  }

  /** The directed broadcast (RFC 919 §7), host bits all ones, e.g. {@code 10.0.0.255}. */
  public Ipv4Address broadcast() {
    return Ipv4Address.fromInt(address.toInt() | ~mask());
  }

  /** True when {@code other} is on this network (same bits under the mask). */
  public boolean contains(Ipv4Address other) {
    return ((other.toInt() ^ address.toInt()) & mask()) == 0;
  }

  @Override
  public String toString() {
    return address + "/" + prefixLength;
  }
}
