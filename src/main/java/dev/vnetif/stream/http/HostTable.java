package dev.vnetif.stream.http;

import dev.vnetif.wire.Ipv4Address;
import java.net.Inet4Address;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How a host in a request's URI becomes an address on the virtual network, which has no DNS: an
 * IPv4 literal is itself, and a name is looked up in a table the user gives, as in {@code
 * /etc/hosts}. Names compare without regard to case (RFC 4343).
 */
final class HostTable {
  private final Map<String, Inet4Address> byName;

  private HostTable(Map<String, Inet4Address> byName) {
    this.byName = byName;
  }

  /**
   * A table of {@code hosts}; an empty one resolves IPv4 literals only.
   *
   * @throws IllegalArgumentException naming a blank name or a name given twice in different case
   */
  static HostTable of(Map<String, Inet4Address> hosts) {
    Objects.requireNonNull(hosts, "hosts");
    Map<String, Inet4Address> byName = new TreeMap<>();
    hosts.forEach(
        (name, address) -> {
          Objects.requireNonNull(name, "host name");
          Objects.requireNonNull(address, () -> "the address of host '" + name + "'");
          if (name.isBlank()) {
            throw new IllegalArgumentException("a host name must not be blank, got '" + name + "'");
          }
          if (byName.put(name.toLowerCase(Locale.ROOT), address) != null) {
            throw new IllegalArgumentException(
                "host name '" + name + "' is given twice (names do not depend on case)");
          }
        });
    return new HostTable(Collections.unmodifiableMap(byName));
  }

  /**
   * The address of {@code host}.
   *
   * @throws IllegalArgumentException naming {@code host} when it is an ill-formed IPv4 literal or a
   *     name not in the table
   */
  Inet4Address resolve(String host) {
    Objects.requireNonNull(host, "host");
    if (looksLikeIpv4Literal(host)) {
      return Ipv4Address.of(host).toInet();
    }
    Inet4Address address = byName.get(host.toLowerCase(Locale.ROOT));
    if (address == null) {
      throw new IllegalArgumentException(
          "unknown host '"
              + host
              + "': the virtual network has no DNS; give an IPv4 address or one of the host"
              + " names given to the transport "
              + byName.keySet());
    }
    return address;
  }

  /** Digits and dots only: meant as an address, so an ill-formed one is reported as such. */
  private static boolean looksLikeIpv4Literal(String host) {
    return !host.isEmpty() && host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
  }

  /** The names (in lower case, sorted) and their addresses. */
  Map<String, Inet4Address> names() {
    return byName;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof HostTable table && table.byName.equals(byName);
  }

  @Override
  public int hashCode() {
    return byName.hashCode();
  }

  @Override
  public String toString() {
    return byName.toString();
  }
}
