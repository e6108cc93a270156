package dev.vnetif.stack;

import dev.vnetif.wire.Ipv4Address;

/** How one ICMP echo ended. */
public sealed interface PingOutcome {

  /** The echo reply arrived {@code rttNanos} after the request left. */
  record Reply(Ipv4Address from, int sequence, int ttl, int payloadSize, long rttNanos)
      implements PingOutcome {}

  record TimedOut(Ipv4Address destination, int sequence) implements PingOutcome {}

  /** ARP for the next hop failed, an ICMP destination unreachable came back, or the host left. */
  record Unreachable(Ipv4Address destination, String reason) implements PingOutcome {}

  record NoRoute(Ipv4Address destination) implements PingOutcome {}

  /** The request would exceed the MTU; {@code maxPayload} is the largest that fits. */
  record TooBig(int payloadSize, int maxPayload) implements PingOutcome {}
}
