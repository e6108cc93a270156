package dev.vnetif.stack;

import dev.vnetif.wire.Ipv4Address;

/** How handing one datagram to the network ended. */
public sealed interface SendOutcome {

  /** Put on the wire (which promises nothing about delivery). */
  record Sent() implements SendOutcome {}

  record NoRoute(Ipv4Address destination) implements SendOutcome {}

  /** The next hop never answered ARP. */
  record Unresolved(Ipv4Address nextHop) implements SendOutcome {}

  /** Larger than the MTU allows; {@code maxPayload} is the largest that fits. */
  record TooBig(int payloadSize, int maxPayload) implements SendOutcome {}

  SendOutcome SENT = new Sent();
}
