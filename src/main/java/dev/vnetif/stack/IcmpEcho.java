package dev.vnetif.stack;

import dev.vnetif.wire.IcmpPacket;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.Ipv4Packet;
import dev.vnetif.wire.MalformedPacketException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.util.ByteString;

/**
 * A host's ICMP (RFC 792): answers echo requests, sends pings and matches their replies (by this
 * host's identifier and the sequence number), times them out, and counts the errors it receives.
 * Part of the host actor: it runs on the host's thread and sends through {@link HostOutput}.
 */
final class IcmpEcho {

  private record PendingPing(
      ActorRef<PingOutcome> replyTo, Ipv4Address destination, int payloadSize, long sentAtNanos) {}

  private final HostSettings settings;
  private final HostOutput output;
  private final RoutingTable routing;
  private final HostCounters counters;
  private final InputDrops drops;
  private final TimerScheduler<HostMessage> timers;
  private final int identifier;
  private final Map<Integer, PendingPing> pings = new HashMap<>();

  /** ping(8) numbers its requests from 1. */
  private int nextSequence = 1;

  IcmpEcho(
      HostSettings settings,
      HostOutput output,
      RoutingTable routing,
      HostCounters counters,
      InputDrops drops,
      TimerScheduler<HostMessage> timers,
      int identifier) {
    this.settings = settings;
    this.output = output;
    this.routing = routing;
    this.counters = counters;
    this.drops = drops;
    this.timers = timers;
    this.identifier = identifier;
  }

  // ---------------------------------------------------------------- input

  /** An ICMP message addressed to this host. */
  void receive(Ipv4Packet packet) {
    IcmpPacket icmp;
    try {
      icmp = IcmpPacket.parse(packet.payload(), settings.verifyChecksums());
    } catch (MalformedPacketException e) {
      drops.drop(
          InputDrops.checksumOr(e, DropReason.ICMP_BAD_CHECKSUM, DropReason.ICMP_MALFORMED), e);
      return;
    }
    if (icmp.isEchoRequest() && !routing.isBroadcast(packet.destination())) {
      // RFC 1122 §3.2.2.6: the reply carries the request's identifier, sequence and data.
      output.send(packet.source(), IcmpPacket.replyTo(icmp), null);
    } else if (icmp.isEchoReply()
        && icmp.identifier() == identifier
        && pings.containsKey(icmp.sequence())) {
      completePing(icmp.sequence(), packet, icmp);
    } else if (icmp.type() == IcmpPacket.TYPE_DEST_UNREACHABLE
        || icmp.type() == IcmpPacket.TYPE_TIME_EXCEEDED) {
      counters.icmpErrorReceived();
    } else {
      drops.drop(DropReason.ICMP_IGNORED, null);
    }
  }

  // ---------------------------------------------------------------- ping

  /** Sends an echo request; the outcome goes to the ping's {@code replyTo} exactly once. */
  void ping(HostCommand.Ping msg) {
    int maxPayload = settings.mtu() - Ipv4Packet.MIN_HEADER_LENGTH - IcmpPacket.HEADER_LENGTH;
    if (msg.payloadSize() > maxPayload) {
      msg.replyTo().tell(new PingOutcome.TooBig(msg.payloadSize(), maxPayload));
      return;
    }
    int sequence = nextSequence++ & 0xFFFF;
    byte[] data = new byte[msg.payloadSize()];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (0x10 + i); // the pattern ping(8) uses after its timestamp
    }
    Ipv4Address destination = msg.destination();
    pings.put(
        sequence,
        new PendingPing(
            msg.replyTo(), destination, msg.payloadSize(), settings.clock().nanoTime()));
    timers.startSingleTimer(
        timerKey(sequence), new HostMessage.PingTimeout(sequence), msg.timeout());
    IcmpPacket request =
        IcmpPacket.echoRequest(identifier, sequence, ByteString.fromArrayUnsafe(data));
    HostOutput.Route route =
        output.send(
            destination,
            request,
            new ArpCache.DeliveryListener() {
              @Override
              public void sent() {}

              @Override
              public void unresolved() {
                fail(
                    sequence,
                    new PingOutcome.Unreachable(
                        destination, "no ARP reply from " + routing.nextHop(destination)));
              }
            });
    if (route == HostOutput.Route.NO_ROUTE) {
      fail(sequence, new PingOutcome.NoRoute(destination));
    }
  }

  /** The timer of ping {@code sequence} fired before its reply came. */
  void timedOut(int sequence) {
    PendingPing pending = pings.get(sequence);
    if (pending != null) {
      fail(sequence, new PingOutcome.TimedOut(pending.destination(), sequence));
    }
  }

  /** The host left the switch: every ping still waiting ends unreachable. */
  void hostDisconnected() {
    for (Integer sequence : List.copyOf(pings.keySet())) {
      PendingPing pending = pings.get(sequence);
      fail(sequence, new PingOutcome.Unreachable(pending.destination(), "host disconnected"));
    }
  }

  private void completePing(int sequence, Ipv4Packet packet, IcmpPacket reply) {
    PendingPing pending = pings.remove(sequence);
    timers.cancel(timerKey(sequence));
    long rtt = settings.clock().nanoTime() - pending.sentAtNanos();
    pending
        .replyTo()
        .tell(
            new PingOutcome.Reply(
                packet.source(), sequence, packet.ttl(), reply.payload().length(), rtt));
  }

  private void fail(int sequence, PingOutcome outcome) {
    PendingPing pending = pings.remove(sequence);
    if (pending != null) {
      timers.cancel(timerKey(sequence));
      pending.replyTo().tell(outcome);
    }
  }

  private static String timerKey(int sequence) {
    return "ping-" + sequence;
  }
}
