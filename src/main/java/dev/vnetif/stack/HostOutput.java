package dev.vnetif.stack;

import dev.vnetif.wire.ArpPacket;
import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.IpPayload;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.Ipv4Frame;
import dev.vnetif.wire.Ipv4Packet;
import dev.vnetif.wire.MacAddress;
import dev.vnetif.wire.TcpSegment;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.pekko.util.ByteString;

/**
 * A host's one output path: every IPv4 datagram the host sends — a flow's TCP segments, a RST for a
 * closed port, UDP, ICMP — is routed here (RFC 1122 §3.3.1), built as one flat frame by {@link
 * Ipv4Frame}, and either queued for the switch, held for ARP (RFC 826; RFC 1122 §2.3.2.2), or
 * looped back to the host itself. A frame held for ARP is complete but for its destination MAC,
 * which is filled in when the answer comes: nothing is encoded twice.
 *
 * <p>Frames produced while the host handles one message go out as one batch at {@link #flush()}.
 * Pure state apart from the two seams it is given (where batches go, the ARP retry timer), so it is
 * tested without actors.
 */
final class HostOutput implements TcpDemux.Transmitter {

  /** What {@link #send} did with a datagram. */
  enum Route {
    SENT,
    PENDING_ARP,
    NO_ROUTE,
    TOO_BIG
  }

  /** The ARP retry timer, one per address being resolved. */
  interface ArpTimer {
    void start(Ipv4Address target, Duration after);

    void cancel(Ipv4Address target);
  }

  private final HostSettings settings;
  private final Ipv4Address address;
  private final MacAddress mac;
  private final RoutingTable routing;
  private final ArpCache arp;
  private final HostCounters counters;
  private final Consumer<List<ByteString>> toSwitch;
  private final ArpTimer arpTimer;
  private final ArrayDeque<ByteString> loopback = new ArrayDeque<>();
  private List<ByteString> outbox = new ArrayList<>();

  /**
   * Answers that promise "it is on the wire": run only after the outbox went to the switch, so a
   * caller that acts on the switch next (say, removes a tap) comes after the frame.
   */
  private final List<Runnable> afterFlush = new ArrayList<>();

  private int nextIpIdentification;

  HostOutput(
      HostSettings settings,
      MacAddress mac,
      RoutingTable routing,
      ArpCache arp,
      HostCounters counters,
      int firstIpIdentification,
      Consumer<List<ByteString>> toSwitch,
      ArpTimer arpTimer) {
    this.settings = settings;
    this.address = settings.address();
    this.mac = mac;
    this.routing = routing;
    this.arp = arp;
    this.counters = counters;
    this.nextIpIdentification = firstIpIdentification;
    this.toSwitch = toSwitch;
    this.arpTimer = arpTimer;
  }

  // ---------------------------------------------------------------- IPv4

  /**
   * Routes and sends one datagram carrying {@code payload}. The listener, if any, hears whether a
   * datagram held for ARP went out in the end; for the other routes the caller answers itself.
   */
  Route send(Ipv4Address destination, IpPayload payload, ArpCache.DeliveryListener listener) {
    if (Ipv4Packet.MIN_HEADER_LENGTH + payload.encodedLength() > settings.mtu()) {
      counters.drop(DropReason.TOO_BIG);
      return Route.TOO_BIG;
    }
    boolean toSelf = destination.equals(address);
    Ipv4Address nextHop = toSelf ? address : routing.nextHop(destination);
    if (nextHop == null) {
      counters.drop(DropReason.NO_ROUTE);
      return Route.NO_ROUTE;
    }
    byte[] frame =
        Ipv4Frame.build(
            mac, address, destination, settings.ttl(), nextIpIdentification++ & 0xFFFF, payload);
    if (toSelf) {
      // The host talking to itself never touches the switch (a loopback interface).
      loopback.addLast(
          ByteString.fromArrayUnsafe(
              frame, Ipv4Frame.IP_OFFSET, Ipv4Frame.datagramLength(frame.length)));
      return Route.SENT;
    }
    MacAddress hardware =
        routing.isBroadcast(destination)
            ? MacAddress.BROADCAST
            : arp.lookup(nextHop, settings.clock().nanoTime());
    if (hardware == null) {
      holdForArp(nextHop, new ArpCache.PendingPacket(frame, listener));
      return Route.PENDING_ARP;
    }
    Ipv4Frame.setDestination(frame, hardware);
    transmit(frame);
    counters.packetSent();
    return Route.SENT;
  }

  /**
   * A flow's segments, in order, all to {@code destination}: the route and the next hop's MAC are
   * looked up once for the batch, not per segment. Anything but a resolved unicast next hop takes
   * {@link #send} segment by segment.
   */
  void sendAll(Ipv4Address destination, List<TcpSegment> segments) {
    Ipv4Address nextHop =
        destination.equals(address) || routing.isBroadcast(destination)
            ? null
            : routing.nextHop(destination);
    MacAddress hardware = nextHop == null ? null : arp.lookup(nextHop, settings.clock().nanoTime());
    for (int i = 0, n = segments.size(); i < n; i++) {
      TcpSegment segment = segments.get(i);
      if (hardware == null
          || Ipv4Packet.MIN_HEADER_LENGTH + segment.encodedLength() > settings.mtu()) {
        send(destination, segment, null);
        continue;
      }
      byte[] frame =
          Ipv4Frame.build(
              mac, address, destination, settings.ttl(), nextIpIdentification++ & 0xFFFF, segment);
      Ipv4Frame.setDestination(frame, hardware);
      transmit(frame);
      counters.packetSent();
    }
  }

  /** A TCP segment (a flow's output or a RST for a closed port); nobody waits on it. */
  @Override
  public void send(Ipv4Address destination, TcpSegment segment) {
    send(destination, segment, null);
  }

  /** Whether {@link #send} would find a next hop for {@code destination}. */
  @Override
  public boolean hasRoute(Ipv4Address destination) {
    return destination.equals(address) || routing.nextHop(destination) != null;
  }

  /** The next datagram the host sent itself, or null. */
  ByteString pollLoopback() {
    return loopback.pollFirst();
  }

  // ---------------------------------------------------------------- ARP (RFC 826)

  /** Gratuitous ARP (RFC 5227 §3): neighbours that know this address refresh their entry. */
  void announce() {
    sendArp(MacAddress.BROADCAST, ArpPacket.gratuitous(mac, address));
  }

  /** Answers an ARP request from {@code requesterMac} for our address. */
  void answerArp(MacAddress requesterMac, Ipv4Address requesterIp) {
    sendArp(requesterMac, ArpPacket.reply(mac, address, requesterMac, requesterIp));
  }

  /** Records a mapping and releases the frames that waited for it, in the order they were sent. */
  void learn(Ipv4Address ip, MacAddress hardware) {
    ArpCache.Resolution done = arp.learn(ip, hardware, settings.clock().nanoTime());
    if (done == null) {
      return;
    }
    arpTimer.cancel(ip);
    for (ArpCache.PendingPacket pending : done.waiting) {
      Ipv4Frame.setDestination(pending.frame(), hardware);
      transmit(pending.frame());
      counters.packetSent();
      if (pending.listener() != null) {
        afterFlush.add(pending.listener()::sent);
      }
    }
  }

  /** The retry timer for {@code target} fired: ask again, or give up on what waits for it. */
  void arpRetry(Ipv4Address target) {
    if (arp.mayRetry(target)) {
      sendArpRequest(target);
    } else if (arp.isResolving(target)) {
      for (ArpCache.PendingPacket pending : arp.abandon(target)) {
        counters.drop(DropReason.ARP_UNRESOLVED);
        if (pending.listener() != null) {
          pending.listener().unresolved();
        }
      }
    }
  }

  private void holdForArp(Ipv4Address nextHop, ArpCache.PendingPacket packet) {
    switch (arp.enqueue(nextHop, packet)) {
      case STARTED_RESOLUTION -> sendArpRequest(nextHop);
      case QUEUED -> {}
      case QUEUED_DROPPED_OLDEST -> {
        ArpCache.PendingPacket dropped = arp.takeDropped();
        counters.drop(DropReason.ARP_QUEUE_OVERFLOW);
        if (dropped.listener() != null) {
          dropped.listener().unresolved();
        }
      }
    }
  }

  private void sendArpRequest(Ipv4Address target) {
    if (!arp.requestSent(target)) {
      return;
    }
    sendArp(MacAddress.BROADCAST, ArpPacket.request(mac, address, target));
    arpTimer.start(target, settings.arp().retryInterval());
  }

  private void sendArp(MacAddress destination, ArpPacket packet) {
    byte[] frame = new byte[EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH];
    EthernetFrame.writeHeader(frame, 0, destination, mac, EthernetFrame.ETHERTYPE_ARP);
    packet.writeTo(frame, EthernetFrame.HEADER_LENGTH);
    transmit(frame);
  }

  // ---------------------------------------------------------------- the batch

  private void transmit(byte[] frame) {
    counters.frameSent(frame.length);
    outbox.add(ByteString.fromArrayUnsafe(frame));
  }

  /** Runs {@code answer} once the current batch went to the switch. */
  void afterFlush(Runnable answer) {
    afterFlush.add(answer);
  }

  /** Sends the frames produced by the current message as one batch, then the waiting answers. */
  void flush() {
    if (!outbox.isEmpty()) {
      toSwitch.accept(outbox);
      outbox = new ArrayList<>();
    }
    if (!afterFlush.isEmpty()) {
      afterFlush.forEach(Runnable::run);
      afterFlush.clear();
    }
  }
}
