package dev.vnetif.stack;

import dev.vnetif.wire.IcmpPacket;
import dev.vnetif.wire.Ipv4Packet;
import dev.vnetif.wire.MalformedPacketException;
import dev.vnetif.wire.UdpPacket;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.util.ByteString;

/**
 * A host's UDP (RFC 768): port → listener (a {@link UdpSocketActor} each, so a slow handler never
 * stalls the host), sending with an explicit or ephemeral source port (RFC 6056), and ICMP port
 * unreachable for a datagram nobody listens for (RFC 1122 §4.1.3.1). Part of the host actor: it
 * runs on the host's thread and sends through {@link HostOutput}.
 */
final class UdpEndpoints {
  private static final int EPHEMERAL_LOW = 49152;
  private static final int EPHEMERAL_COUNT = 65536 - EPHEMERAL_LOW;

  private final ActorContext<HostMessage> ctx;
  private final HostSettings settings;
  private final HostOutput output;
  private final RoutingTable routing;
  private final InputDrops drops;
  private final SplittableRandom random;
  private final Map<Integer, ActorRef<UdpReceived>> listeners = new HashMap<>();

  UdpEndpoints(
      ActorContext<HostMessage> ctx,
      HostSettings settings,
      HostOutput output,
      RoutingTable routing,
      InputDrops drops,
      SplittableRandom random) {
    this.ctx = ctx;
    this.settings = settings;
    this.output = output;
    this.routing = routing;
    this.drops = drops;
    this.random = random;
  }

  /** Replaces any listener on the port. */
  void listen(HostCommand.UdpListen msg) {
    unlisten(msg.port());
    listeners.put(msg.port(), ctx.spawnAnonymous(UdpSocketActor.create(msg.port(), msg.handler())));
  }

  void unlisten(int port) {
    ActorRef<UdpReceived> previous = listeners.remove(port);
    if (previous != null) {
      ctx.stop(previous);
    }
  }

  /** Sends one datagram; the outcome goes to {@code replyTo} once it is on the wire or failed. */
  void send(HostCommand.UdpSend msg) {
    int maxPayload = settings.mtu() - Ipv4Packet.MIN_HEADER_LENGTH - UdpPacket.HEADER_LENGTH;
    if (msg.payload().length() > maxPayload) {
      msg.replyTo().tell(new SendOutcome.TooBig(msg.payload().length(), maxPayload));
      return;
    }
    int sourcePort = msg.sourcePort() != 0 ? msg.sourcePort() : ephemeralPort();
    UdpPacket datagram = new UdpPacket(sourcePort, msg.destinationPort(), msg.payload());
    ActorRef<SendOutcome> replyTo = msg.replyTo();
    HostOutput.Route route =
        output.send(
            msg.destination(),
            datagram,
            new ArpCache.DeliveryListener() {
              @Override
              public void sent() {
                replyTo.tell(SendOutcome.SENT);
              }

              @Override
              public void unresolved() {
                replyTo.tell(new SendOutcome.Unresolved(routing.nextHop(msg.destination())));
              }
            });
    switch (route) {
      case SENT -> output.afterFlush(() -> replyTo.tell(SendOutcome.SENT));
      case NO_ROUTE -> replyTo.tell(new SendOutcome.NoRoute(msg.destination()));
      case TOO_BIG -> replyTo.tell(new SendOutcome.TooBig(msg.payload().length(), maxPayload));
      case PENDING_ARP -> {}
    }
  }

  /** A UDP datagram addressed to this host; {@code datagram} is the whole IPv4 datagram. */
  void receive(Ipv4Packet packet, ByteString datagram) {
    UdpPacket udp;
    try {
      udp =
          UdpPacket.parse(
              packet.payload(), packet.source(), packet.destination(), settings.verifyChecksums());
    } catch (MalformedPacketException e) {
      drops.drop(
          InputDrops.checksumOr(e, DropReason.UDP_BAD_CHECKSUM, DropReason.UDP_MALFORMED), e);
      return;
    }
    ActorRef<UdpReceived> listener = listeners.get(udp.destinationPort());
    if (listener != null) {
      listener.tell(
          new UdpReceived(
              packet.source(),
              udp.sourcePort(),
              packet.destination(),
              udp.destinationPort(),
              udp.payload()));
      return;
    }
    drops.drop(DropReason.UDP_PORT_CLOSED, null);
    if (routing.mayAnswerWithError(packet)) {
      // RFC 1122 §4.1.3.1: a datagram for a port with no listener gets port unreachable.
      output.send(
          packet.source(),
          IcmpPacket.destinationUnreachable(IcmpPacket.CODE_PORT_UNREACHABLE, datagram),
          null);
    }
  }

  /**
   * RFC 6056 Algorithm 1 (simple random selection) over the IANA dynamic range, skipping ports with
   * a listener; the search is bounded by the size of the range.
   */
  private int ephemeralPort() {
    int start = random.nextInt(EPHEMERAL_COUNT);
    for (int i = 0; i < EPHEMERAL_COUNT; i++) {
      int candidate = EPHEMERAL_LOW + (start + i) % EPHEMERAL_COUNT;
      if (!listeners.containsKey(candidate)) {
        return candidate;
      }
    }
    // Every dynamic port has a listener: sending from one of them is still valid UDP.
    return EPHEMERAL_LOW + start;
  }
}
