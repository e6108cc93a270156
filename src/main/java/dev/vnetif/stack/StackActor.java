package dev.vnetif.stack;

import dev.vnetif.link.PortDelivery;
import dev.vnetif.link.SwitchCommand;
import dev.vnetif.wire.ArpPacket;
import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.IcmpPacket;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.Ipv4Packet;
import dev.vnetif.wire.MacAddress;
import dev.vnetif.wire.MalformedPacketException;
import dev.vnetif.wire.TcpFrame;
import dev.vnetif.wire.TcpSegment;
import dev.vnetif.wire.UdpPacket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.util.ByteString;

/**
 * One virtual host: Ethernet, ARP, IPv4, ICMP and UDP, and (until the TCP layer exists) RST for
 * every TCP segment. Input is demultiplexed layer by layer; every discarded input is counted under
 * one {@link DropReason}. Frames produced while handling one message go to the switch as one batch.
 */
public final class StackActor extends AbstractBehavior<HostCommand> {

  /** Sent to whoever created the host once it is attached and has announced itself. */
  public record HostReady(ActorRef<HostCommand> host, MacAddress mac, int port) {}

  private static final int EPHEMERAL_LOW = 49152;
  private static final int EPHEMERAL_COUNT = 65536 - EPHEMERAL_LOW;

  private final HostSettings settings;
  private final Ipv4Address address;
  private final MacAddress mac;
  private final int port;
  private final ActorRef<SwitchCommand> switchRef;
  private final HostCounters counters;
  private final TimerScheduler<HostCommand> timers;
  private final RoutingTable routing;
  private final ArpCache arp;
  private final SplittableRandom random;
  private final int icmpIdentifier;
  private final Map<Integer, ActorRef<UdpReceived>> udpListeners = new HashMap<>();
  private final Map<Integer, PendingPing> pings = new HashMap<>();
  private final ArrayDeque<ByteString> loopback = new ArrayDeque<>();
  private final List<ActorRef<Done>> disconnecting = new ArrayList<>();
  private final TcpDemux tcp;
  private List<ByteString> outbox = new ArrayList<>();

  /**
   * Answers that promise "it is on the wire": told only after the outbox went to the switch, so a
   * caller that acts on the switch next (say, removes a tap) comes after the frame.
   */
  private final List<Runnable> afterFlush = new ArrayList<>();

  private int nextIpIdentification;

  /** ping(8) numbers its requests from 1. */
  private int nextPingSequence = 1;

  private record PendingPing(
      ActorRef<PingOutcome> replyTo, Ipv4Address destination, int payloadSize, long sentAtNanos) {}

  /**
   * A host that attaches itself to {@code switchRef}, sends a gratuitous ARP, tells {@code ready},
   * and then serves. Messages that arrive before it is attached wait.
   */
  public static Behavior<HostCommand> create(
      HostSettings settings,
      ActorRef<SwitchCommand> switchRef,
      HostCounters counters,
      ActorRef<HostReady> ready) {
    return Behaviors.withStash(
        1024,
        stash ->
            Behaviors.withTimers(
                timers ->
                    Behaviors.setup(
                        ctx -> {
                          ActorRef<PortDelivery> endpoint =
                              ctx.messageAdapter(
                                  PortDelivery.class, d -> new HostCommand.FramesIn(d.frames()));
                          ActorRef<SwitchCommand.Attached> attachedAdapter =
                              ctx.messageAdapter(
                                  SwitchCommand.Attached.class,
                                  a -> new HostCommand.AttachedToSwitch(a.port(), a.mac()));
                          switchRef.tell(
                              new SwitchCommand.Attach(
                                  settings.name(), endpoint, null, attachedAdapter));
                          return attaching(
                              ctx, stash, timers, settings, switchRef, counters, ready);
                        })));
  }

  private static Behavior<HostCommand> attaching(
      ActorContext<HostCommand> ctx,
      StashBuffer<HostCommand> stash,
      TimerScheduler<HostCommand> timers,
      HostSettings settings,
      ActorRef<SwitchCommand> switchRef,
      HostCounters counters,
      ActorRef<HostReady> ready) {
    return Behaviors.receive(HostCommand.class)
        .onMessage(
            HostCommand.AttachedToSwitch.class,
            attached -> {
              StackActor host =
                  new StackActor(
                      ctx, timers, settings, switchRef, counters, attached.port(), attached.mac());
              host.announce();
              ready.tell(new HostReady(ctx.getSelf(), attached.mac(), attached.port()));
              return stash.unstashAll(host);
            })
        .onAnyMessage(
            msg -> {
              stash.stash(msg);
              return Behaviors.same();
            })
        .build();
  }

  private StackActor(
      ActorContext<HostCommand> ctx,
      TimerScheduler<HostCommand> timers,
      HostSettings settings,
      ActorRef<SwitchCommand> switchRef,
      HostCounters counters,
      int port,
      MacAddress mac) {
    super(ctx);
    this.settings = settings;
    this.address = settings.address();
    this.mac = mac;
    this.port = port;
    this.switchRef = switchRef;
    this.counters = counters;
    this.timers = timers;
    this.routing = new RoutingTable(settings.cidr(), settings.gateway());
    this.arp = new ArpCache(settings.arp());
    this.random = new SplittableRandom(settings.seed());
    this.icmpIdentifier = random.nextInt(0x10000);
    this.tcp =
        new TcpDemux(
            ctx,
            settings,
            counters,
            new TcpDemux.Transmitter() {
              @Override
              public void send(Ipv4Address destination, TcpSegment segment) {
                sendTcp(destination, segment);
              }

              @Override
              public boolean hasRoute(Ipv4Address destination) {
                return destination.equals(address) || routing.nextHop(destination) != null;
              }
            },
            random.split());
    this.nextIpIdentification = random.nextInt(0x10000);
  }

  @Override
  public Receive<HostCommand> createReceive() {
    return newReceiveBuilder()
        .onMessage(HostCommand.FramesIn.class, this::onFrames)
        .onMessage(HostCommand.UdpSend.class, this::onUdpSend)
        .onMessage(HostCommand.UdpListen.class, this::onUdpListen)
        .onMessage(HostCommand.UdpUnlisten.class, this::onUdpUnlisten)
        .onMessage(HostCommand.Ping.class, this::onPing)
        .onMessage(HostCommand.PingTimeout.class, this::onPingTimeout)
        .onMessage(HostCommand.ArpRetry.class, this::onArpRetry)
        .onMessage(
            HostCommand.TcpOut.class,
            m -> {
              tcp.send(m);
              drainLoopback();
              return flushed();
            })
        .onMessage(
            HostCommand.TcpConnect.class,
            m -> {
              tcp.connect(m);
              return this;
            })
        .onMessage(
            HostCommand.TcpListen.class,
            m -> {
              tcp.listen(m);
              return this;
            })
        .onMessage(
            HostCommand.TcpUnlisten.class,
            m -> {
              tcp.unlisten(m.port());
              return this;
            })
        .onMessage(
            HostCommand.TcpDisconnect.class,
            m -> {
              tcp.disconnect(m.replyTo());
              return this;
            })
        .onMessage(
            HostCommand.FlowRegistered.class,
            m -> {
              tcp.register(m.key(), m.flow());
              return this;
            })
        .onMessage(
            HostCommand.FlowClosed.class,
            m -> {
              tcp.remove(m.key(), m.flow());
              return this;
            })
        .onMessage(
            HostCommand.FlowStopped.class,
            m -> {
              tcp.remove(m.key(), m.flow());
              return this;
            })
        // TIME_WAIT as compact entries of the TcpDemux's table, and segments a closed flow
        // handed back (issue 8 item 9): all of it lives in TcpDemux.
        .onMessage(
            HostCommand.TimeWaitEntered.class,
            m -> {
              tcp.enterTimeWait(m);
              return this;
            })
        .onMessage(
            HostCommand.TimeWaitDue.class,
            m -> {
              tcp.timeWaitDue();
              return this;
            })
        .onMessage(
            HostCommand.SegmentsAfterClose.class,
            m -> {
              tcp.redeliver(m);
              drainLoopback();
              return flushed();
            })
        .onMessage(HostCommand.Disconnect.class, this::onDisconnect)
        .onMessage(HostCommand.Detached.class, this::onDetached)
        .build();
  }

  /** Gratuitous ARP (RFC 5227 §3): neighbours that know this address refresh their entry. */
  private void announce() {
    emit(
        MacAddress.BROADCAST,
        EthernetFrame.ETHERTYPE_ARP,
        ArpPacket.gratuitous(mac, address).encode());
    flush();
  }

  // ---------------------------------------------------------------- input

  private Behavior<HostCommand> onFrames(HostCommand.FramesIn msg) {
    List<ByteString> frames = msg.frames();
    for (int i = 0, n = frames.size(); i < n; i++) {
      ByteString frame = frames.get(i);
      counters.frameReceived(frame.length());
      receiveFrame(frame);
    }
    drainLoopback();
    tcp.flushInbound();
    return flushed();
  }

  private void receiveFrame(ByteString bytes) {
    EthernetFrame frame;
    try {
      frame = EthernetFrame.parse(bytes);
    } catch (MalformedPacketException e) {
      drop(DropReason.ETHERNET_MALFORMED, e);
      return;
    }
    MacAddress destination = frame.destination();
    if (!destination.equals(mac) && !destination.isBroadcast()) {
      drop(DropReason.ETHERNET_NOT_FOR_US, null);
      return;
    }
    switch (frame.etherType()) {
      case EthernetFrame.ETHERTYPE_IPV4 -> receiveIpv4(frame.payload());
      case EthernetFrame.ETHERTYPE_ARP -> receiveArp(frame.payload());
      default -> drop(DropReason.ETHERNET_UNKNOWN_TYPE, null);
    }
  }

  /** RFC 826 "Packet Reception": merge a known sender, add it if we are the target, answer. */
  private void receiveArp(ByteString bytes) {
    ArpPacket packet;
    try {
      packet = ArpPacket.parse(bytes);
    } catch (MalformedPacketException e) {
      drop(DropReason.ARP_MALFORMED, e);
      return;
    }
    Ipv4Address sender = packet.senderIp();
    if (sender.equals(address) || sender.isUnspecified()) {
      // A probe (RFC 5227) or another host claiming our address: nothing to learn.
      drop(DropReason.ARP_NOT_FOR_US, null);
      return;
    }
    boolean merged = false;
    if (arp.isKnown(sender)) {
      learn(sender, packet.senderMac());
      merged = true;
    }
    if (!packet.targetIp().equals(address)) {
      if (!merged) {
        drop(DropReason.ARP_NOT_FOR_US, null);
      }
      return;
    }
    if (!merged) {
      learn(sender, packet.senderMac());
    }
    if (packet.isRequest()) {
      emit(
          packet.senderMac(),
          EthernetFrame.ETHERTYPE_ARP,
          ArpPacket.reply(mac, address, packet.senderMac(), sender).encode());
    }
  }

  private void learn(Ipv4Address ip, MacAddress hardware) {
    ArpCache.Resolution done = arp.learn(ip, hardware, settings.clock().nanoTime());
    if (done == null) {
      return;
    }
    timers.cancel(arpTimerKey(ip));
    for (ArpCache.PendingPacket pending : done.waiting) {
      emit(hardware, EthernetFrame.ETHERTYPE_IPV4, pending.datagram());
      counters.packetSent();
      if (pending.listener() != null) {
        afterFlush.add(pending.listener()::sent);
      }
    }
  }

  private void receiveIpv4(ByteString bytes) {
    Ipv4Packet packet;
    try {
      packet = Ipv4Packet.parse(bytes, settings.verifyChecksums());
    } catch (MalformedPacketException e) {
      drop(checksumOr(e, DropReason.IPV4_BAD_CHECKSUM, DropReason.IPV4_MALFORMED), e);
      return;
    }
    if (!routing.isLocal(packet.destination())) {
      drop(DropReason.IPV4_NOT_FOR_US, null);
      return;
    }
    if (packet.isFragment()) {
      drop(DropReason.IPV4_FRAGMENT, null);
      return;
    }
    counters.packetReceived();
    switch (packet.protocol()) {
      case Ipv4Packet.PROTO_ICMP -> receiveIcmp(packet);
      case Ipv4Packet.PROTO_UDP -> receiveUdp(packet, bytes);
      case Ipv4Packet.PROTO_TCP -> receiveTcp(packet);
      default -> drop(DropReason.IPV4_UNKNOWN_PROTOCOL, null);
    }
  }

  private void receiveIcmp(Ipv4Packet packet) {
    IcmpPacket icmp;
    try {
      icmp = IcmpPacket.parse(packet.payload(), settings.verifyChecksums());
    } catch (MalformedPacketException e) {
      drop(checksumOr(e, DropReason.ICMP_BAD_CHECKSUM, DropReason.ICMP_MALFORMED), e);
      return;
    }
    if (icmp.isEchoRequest() && !routing.isBroadcast(packet.destination())) {
      // RFC 1122 §3.2.2.6: the reply carries the request's identifier, sequence and data.
      sendIp(packet.source(), Ipv4Packet.PROTO_ICMP, IcmpPacket.replyTo(icmp).encode(), null);
    } else if (icmp.isEchoReply()
        && icmp.identifier() == icmpIdentifier
        && pings.containsKey(icmp.sequence())) {
      completePing(icmp.sequence(), packet, icmp);
    } else if (icmp.type() == IcmpPacket.TYPE_DEST_UNREACHABLE
        || icmp.type() == IcmpPacket.TYPE_TIME_EXCEEDED) {
      counters.icmpErrorReceived();
    } else {
      drop(DropReason.ICMP_IGNORED, null);
    }
  }

  private void receiveUdp(Ipv4Packet packet, ByteString datagram) {
    UdpPacket udp;
    try {
      udp =
          UdpPacket.parse(
              packet.payload(), packet.source(), packet.destination(), settings.verifyChecksums());
    } catch (MalformedPacketException e) {
      drop(checksumOr(e, DropReason.UDP_BAD_CHECKSUM, DropReason.UDP_MALFORMED), e);
      return;
    }
    ActorRef<UdpReceived> listener = udpListeners.get(udp.destinationPort());
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
    drop(DropReason.UDP_PORT_CLOSED, null);
    if (mayAnswerWithError(packet)) {
      // RFC 1122 §4.1.3.1: a datagram for a port with no listener gets port unreachable.
      sendIp(
          packet.source(),
          Ipv4Packet.PROTO_ICMP,
          IcmpPacket.destinationUnreachable(IcmpPacket.CODE_PORT_UNREACHABLE, datagram).encode(),
          null);
    }
  }

  private void receiveTcp(Ipv4Packet packet) {
    TcpSegment segment;
    try {
      segment =
          TcpSegment.parse(
              packet.payload(), packet.source(), packet.destination(), settings.verifyChecksums());
    } catch (MalformedPacketException e) {
      drop(checksumOr(e, DropReason.TCP_BAD_CHECKSUM, DropReason.TCP_MALFORMED), e);
      return;
    }
    if (!mayAnswerWithError(packet)) {
      drop(DropReason.TCP_NOT_UNICAST, null); // TCP is unicast: no RST to a broadcast either
      return;
    }
    tcp.receive(packet.source(), segment);
  }

  /**
   * RFC 1122 §3.2.2: never answer a broadcast, or a packet from a broadcast source, with an error.
   */
  private boolean mayAnswerWithError(Ipv4Packet packet) {
    return !routing.isBroadcast(packet.destination())
        && !routing.isBroadcast(packet.source())
        && !packet.source().isMulticast()
        && !packet.source().isUnspecified();
  }

  // ---------------------------------------------------------------- output

  /** What {@link #sendIp} did with a datagram. */
  private enum Route {
    SENT,
    PENDING_ARP,
    NO_ROUTE,
    TOO_BIG
  }

  /**
   * Routes and sends one datagram carrying {@code transport} (RFC 1122 §3.3.1). The listener, if
   * any, hears whether a datagram held for ARP went out in the end.
   */
  private Route sendIp(
      Ipv4Address destination,
      int protocol,
      ByteString transport,
      ArpCache.DeliveryListener listener) {
    if (Ipv4Packet.MIN_HEADER_LENGTH + transport.length() > settings.mtu()) {
      counters.drop(DropReason.TOO_BIG);
      return Route.TOO_BIG;
    }
    Ipv4Address nextHop = destination.equals(address) ? address : routing.nextHop(destination);
    if (nextHop == null) {
      counters.drop(DropReason.NO_ROUTE);
      return Route.NO_ROUTE;
    }
    ByteString datagram =
        Ipv4Packet.of(
                address,
                destination,
                protocol,
                settings.ttl(),
                nextIpIdentification++ & 0xFFFF,
                true,
                transport)
            .encode();
    if (destination.equals(address)) {
      // The host talking to itself never touches the switch (a loopback interface).
      loopback.addLast(datagram);
      return Route.SENT;
    }
    MacAddress hardware =
        routing.isBroadcast(destination)
            ? MacAddress.BROADCAST
            : arp.lookup(nextHop, settings.clock().nanoTime());
    if (hardware != null) {
      emit(hardware, EthernetFrame.ETHERTYPE_IPV4, datagram);
      counters.packetSent();
      return Route.SENT;
    }
    holdForArp(nextHop, new ArpCache.PendingPacket(datagram, listener));
    return Route.PENDING_ARP;
  }

  /**
   * TCP's fast path: with the next hop's MAC known, the whole frame is built in one array ({@link
   * TcpFrame}); anything else (ARP pending, loopback, broadcast) takes the general path.
   */
  private void sendTcp(Ipv4Address destination, TcpSegment segment) {
    if (!destination.equals(address) && !routing.isBroadcast(destination)) {
      Ipv4Address nextHop = routing.nextHop(destination);
      MacAddress hardware =
          nextHop == null ? null : arp.lookup(nextHop, settings.clock().nanoTime());
      int length = TcpFrame.length(segment);
      if (hardware != null && length - EthernetFrame.HEADER_LENGTH <= settings.mtu()) {
        ByteString frame =
            TcpFrame.encode(
                hardware,
                mac,
                address,
                destination,
                settings.ttl(),
                nextIpIdentification++ & 0xFFFF,
                segment);
        counters.frameSent(length);
        counters.packetSent();
        outbox.add(frame);
        return;
      }
    }
    sendIp(destination, Ipv4Packet.PROTO_TCP, segment.encode(address, destination), null);
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
    emit(
        MacAddress.BROADCAST,
        EthernetFrame.ETHERTYPE_ARP,
        ArpPacket.request(mac, address, target).encode());
    timers.startSingleTimer(
        arpTimerKey(target), new HostCommand.ArpRetry(target), settings.arp().retryInterval());
  }

  private Behavior<HostCommand> onArpRetry(HostCommand.ArpRetry msg) {
    Ipv4Address target = msg.address();
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
    return flushed();
  }

  private static String arpTimerKey(Ipv4Address target) {
    return "arp-" + target;
  }

  private void emit(MacAddress destination, int etherType, ByteString payload) {
    ByteString frame = EthernetFrame.encode(destination, mac, etherType, payload);
    counters.frameSent(frame.length());
    outbox.add(frame);
  }

  /** Sends the frames produced by the current message as one batch. */
  private Behavior<HostCommand> flushed() {
    flush();
    return this;
  }

  private void flush() {
    if (!outbox.isEmpty()) {
      switchRef.tell(new SwitchCommand.Transmit(port, outbox));
      outbox = new ArrayList<>();
    }
    if (!afterFlush.isEmpty()) {
      afterFlush.forEach(Runnable::run);
      afterFlush.clear();
    }
  }

  private void drainLoopback() {
    ByteString datagram;
    while ((datagram = loopback.pollFirst()) != null) {
      receiveIpv4(datagram);
    }
    tcp.flushInbound();
  }

  // ---------------------------------------------------------------- UDP

  private Behavior<HostCommand> onUdpListen(HostCommand.UdpListen msg) {
    ActorRef<UdpReceived> previous = udpListeners.remove(msg.port());
    if (previous != null) {
      getContext().stop(previous);
    }
    udpListeners.put(
        msg.port(), getContext().spawnAnonymous(UdpSocketActor.create(msg.port(), msg.handler())));
    return this;
  }

  private Behavior<HostCommand> onUdpUnlisten(HostCommand.UdpUnlisten msg) {
    ActorRef<UdpReceived> previous = udpListeners.remove(msg.port());
    if (previous != null) {
      getContext().stop(previous);
    }
    return this;
  }

  private Behavior<HostCommand> onUdpSend(HostCommand.UdpSend msg) {
    int maxPayload = settings.mtu() - Ipv4Packet.MIN_HEADER_LENGTH - UdpPacket.HEADER_LENGTH;
    if (msg.payload().length() > maxPayload) {
      msg.replyTo().tell(new SendOutcome.TooBig(msg.payload().length(), maxPayload));
      return this;
    }
    int sourcePort = msg.sourcePort() != 0 ? msg.sourcePort() : ephemeralUdpPort();
    ByteString transport =
        new UdpPacket(sourcePort, msg.destinationPort(), msg.payload())
            .encode(address, msg.destination());
    ActorRef<SendOutcome> replyTo = msg.replyTo();
    Route route =
        sendIp(
            msg.destination(),
            Ipv4Packet.PROTO_UDP,
            transport,
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
      case SENT -> afterFlush.add(() -> replyTo.tell(SendOutcome.SENT));
      case NO_ROUTE -> replyTo.tell(new SendOutcome.NoRoute(msg.destination()));
      case TOO_BIG -> replyTo.tell(new SendOutcome.TooBig(msg.payload().length(), maxPayload));
      case PENDING_ARP -> {}
    }
    drainLoopback();
    return flushed();
  }

  /**
   * RFC 6056 Algorithm 1 (simple random selection) over the IANA dynamic range, skipping ports with
   * a listener; the search is bounded by the size of the range.
   */
  private int ephemeralUdpPort() {
    int start = random.nextInt(EPHEMERAL_COUNT);
    for (int i = 0; i < EPHEMERAL_COUNT; i++) {
      int candidate = EPHEMERAL_LOW + (start + i) % EPHEMERAL_COUNT;
      if (!udpListeners.containsKey(candidate)) {
        return candidate;
      }
    }
    // Every dynamic port has a listener: sending from one of them is still valid UDP.
    return EPHEMERAL_LOW + start;
  }

  // ---------------------------------------------------------------- ping

  private Behavior<HostCommand> onPing(HostCommand.Ping msg) {
    int maxPayload = settings.mtu() - Ipv4Packet.MIN_HEADER_LENGTH - 8;
    if (msg.payloadSize() > maxPayload) {
      msg.replyTo().tell(new PingOutcome.TooBig(msg.payloadSize(), maxPayload));
      return this;
    }
    int sequence = nextPingSequence++ & 0xFFFF;
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
        pingTimerKey(sequence), new HostCommand.PingTimeout(sequence), msg.timeout());
    ByteString request =
        IcmpPacket.echoRequest(icmpIdentifier, sequence, ByteString.fromArrayUnsafe(data)).encode();
    Route route =
        sendIp(
            destination,
            Ipv4Packet.PROTO_ICMP,
            request,
            new ArpCache.DeliveryListener() {
              @Override
              public void sent() {}

              @Override
              public void unresolved() {
                failPing(
                    sequence,
                    new PingOutcome.Unreachable(
                        destination, "no ARP reply from " + routing.nextHop(destination)));
              }
            });
    if (route == Route.NO_ROUTE) {
      failPing(sequence, new PingOutcome.NoRoute(destination));
    }
    drainLoopback();
    return flushed();
  }

  private void completePing(int sequence, Ipv4Packet packet, IcmpPacket reply) {
    PendingPing pending = pings.remove(sequence);
    timers.cancel(pingTimerKey(sequence));
    long rtt = settings.clock().nanoTime() - pending.sentAtNanos();
    pending
        .replyTo()
        .tell(
            new PingOutcome.Reply(
                packet.source(), sequence, packet.ttl(), reply.payload().length(), rtt));
  }

  private void failPing(int sequence, PingOutcome outcome) {
    PendingPing pending = pings.remove(sequence);
    if (pending != null) {
      timers.cancel(pingTimerKey(sequence));
      pending.replyTo().tell(outcome);
    }
  }

  private Behavior<HostCommand> onPingTimeout(HostCommand.PingTimeout msg) {
    PendingPing pending = pings.get(msg.sequence());
    if (pending != null) {
      failPing(msg.sequence(), new PingOutcome.TimedOut(pending.destination(), msg.sequence()));
    }
    return this;
  }

  private static String pingTimerKey(int sequence) {
    return "ping-" + sequence;
  }

  // ---------------------------------------------------------------- lifecycle

  private Behavior<HostCommand> onDisconnect(HostCommand.Disconnect msg) {
    if (disconnecting.isEmpty()) {
      switchRef.tell(
          new SwitchCommand.Detach(
              port, getContext().messageAdapter(Done.class, d -> new HostCommand.Detached())));
    }
    disconnecting.add(msg.replyTo());
    return this;
  }

  private Behavior<HostCommand> onDetached(HostCommand.Detached msg) {
    for (Integer sequence : List.copyOf(pings.keySet())) {
      PendingPing pending = pings.get(sequence);
      failPing(sequence, new PingOutcome.Unreachable(pending.destination(), "host disconnected"));
    }
    disconnecting.forEach(ref -> ref.tell(Done.getInstance()));
    return Behaviors.stopped();
  }

  // ---------------------------------------------------------------- helpers

  private void drop(DropReason reason, MalformedPacketException cause) {
    counters.drop(reason);
    if (getContext().getLog().isDebugEnabled()) {
      getContext()
          .getLog()
          .debug(
              "{} dropped input: {}{}",
              settings.name(),
              reason,
              cause == null ? "" : " (" + cause.getMessage() + ")");
    }
  }

  private static DropReason checksumOr(
      MalformedPacketException e, DropReason badChecksum, DropReason malformed) {
    return e.reason() == MalformedPacketException.Reason.BAD_CHECKSUM ? badChecksum : malformed;
  }
}
