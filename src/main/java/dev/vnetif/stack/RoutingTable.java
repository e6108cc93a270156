package dev.vnetif.stack;

import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.Ipv4Cidr;
import dev.vnetif.wire.Ipv4Packet;

/**
 * Where a host sends a datagram (RFC 1122 §3.3.1): on-link destinations directly, anything else to
 * the default gateway, and nowhere when there is no gateway.
 */
final class RoutingTable {
  private final Ipv4Cidr cidr;
  private final Ipv4Address gateway;
  private final Ipv4Address directedBroadcast;

  RoutingTable(Ipv4Cidr cidr, Ipv4Address gateway) {
    this.cidr = cidr;
    this.gateway = gateway;
    // RFC 3021: a /31 is a point-to-point link with no broadcast address, and a /32 has only
    // the host itself; treating their "broadcast" as one would swallow a real address.
    this.directedBroadcast = cidr.prefixLength() <= 30 ? cidr.broadcast() : null;
  }

  /** True for the limited broadcast and this network's directed broadcast (RFC 919, 922). */
  boolean isBroadcast(Ipv4Address destination) {
    return destination.isBroadcast() || destination.equals(directedBroadcast); // null-safe
  }

  /** True when the host accepts a datagram sent to {@code destination}. */
  boolean isLocal(Ipv4Address destination) {
    return destination.equals(cidr.address()) || isBroadcast(destination);
  }

  /** The next hop for {@code destination}, or null when there is no route. */
  Ipv4Address nextHop(Ipv4Address destination) {
    if (cidr.contains(destination) || destination.isBroadcast()) {
      return destination;
    }
    return gateway;
  }

  /**
   * RFC 1122 §3.2.2: never answer a broadcast, or a packet from a broadcast, multicast or
   * unspecified source, with an error (a RST, an ICMP port unreachable).
   */
  boolean mayAnswerWithError(Ipv4Packet packet) {
    return mayAnswerWithError(packet.source(), packet.destination());
  }

  /** As {@link #mayAnswerWithError(Ipv4Packet)} for a datagram's two addresses. */
  boolean mayAnswerWithError(Ipv4Address source, Ipv4Address destination) {
    return !isBroadcast(destination)
        && !isBroadcast(source)
        && !source.isMulticast()
        && !source.isUnspecified();
  }
}
