package dev.vnetif.stack;

import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.MacAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;

/** The messages a {@link StackActor} (one virtual host) understands. */
public sealed interface HostCommand {

  /** Send an ICMP echo request with {@code payloadSize} data bytes and wait for the reply. */
  record Ping(Ipv4Address destination, int payloadSize, Duration timeout,
      ActorRef<PingOutcome> replyTo) implements HostCommand {}

  /** Deliver UDP datagrams for {@code port} to {@code handler}; replaces an earlier handler. */
  record UdpListen(int port, Consumer<UdpReceived> handler) implements HostCommand {}

  record UdpUnlisten(int port) implements HostCommand {}

  /** Send one datagram; {@code sourcePort} 0 picks an ephemeral port (RFC 6056). */
  record UdpSend(int sourcePort, Ipv4Address destination, int destinationPort,
      ByteString payload, ActorRef<SendOutcome> replyTo) implements HostCommand {}

  /** Leave the switch and stop; answered once the port is detached. */
  record Disconnect(ActorRef<Done> replyTo) implements HostCommand {}

  // ---- internal: sent by the host's own adapters and timers ----

  /** Frames the switch delivered to this host's port. */
  record FramesIn(List<ByteString> frames) implements HostCommand {}

  /** An ARP request went unanswered for one retry interval. */
  record ArpRetry(Ipv4Address address) implements HostCommand {}

  /** A ping's reply did not arrive in time. */
  record PingTimeout(int sequence) implements HostCommand {}

  /** The switch attached this host to {@code port} with {@code mac}. */
  record AttachedToSwitch(int port, MacAddress mac) implements HostCommand {}

  /** The switch confirmed the detach of this host's port. */
  record Detached() implements HostCommand {}
}
