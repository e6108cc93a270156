package dev.vnetif.stack;

import dev.vnetif.link.PortDelivery;
import dev.vnetif.link.SwitchCommand;
import dev.vnetif.wire.ArpPacket;
import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.Ipv4Packet;
import dev.vnetif.wire.MacAddress;
import dev.vnetif.wire.MalformedPacketException;
import dev.vnetif.wire.TcpSegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * One virtual host: the actor that owns Ethernet, ARP and IPv4, and hands each transport to its
 * part — {@link TcpDemux} (flows, listeners, RST for closed ports), {@link UdpEndpoints} (sockets,
 * port unreachable), {@link IcmpEcho} (ping and echo replies). Everything the host sends leaves
 * through one path, {@link HostOutput}: a flow's segments ({@link HostCommand.TcpOut}) go straight
 * there. Input is demultiplexed layer by layer and every discarded input is counted under one
 * {@link DropReason}; the frames produced while handling one message go to the switch as one batch.
 *
 * <p>The behavior takes the package-private {@link HostMessage}; users only ever hold it as an
 * {@code ActorRef<HostCommand>} (see {@link #create}).
 */
public final class StackActor extends AbstractBehavior<HostMessage> {

  /** Sent to whoever created the host once it is attached and has announced itself. */
  public record HostReady(ActorRef<HostCommand> host, MacAddress mac, int port) {}

  private final HostSettings settings;
  private final Ipv4Address address;
  private final MacAddress mac;
  private final int port;
  private final ActorRef<SwitchCommand> switchRef;
  private final HostCounters counters;
  private final RoutingTable routing;
  private final ArpCache arp;
  private final InputDrops drops;
  private final HostOutput output;
  private final IcmpEcho icmp;
  private final UdpEndpoints udp;
  private final TcpDemux tcp;
  private final List<ActorRef<Done>> disconnecting = new ArrayList<>();

  /**
   * A host that attaches itself to {@code switchRef}, sends a gratuitous ARP, tells {@code ready},
   * and then serves. Messages that arrive before it is attached wait. The behavior users get is
   * narrowed to {@link HostCommand}: the internal messages cannot be sent to it from outside.
   */
  public static Behavior<HostCommand> create(
      HostSettings settings,
      ActorRef<SwitchCommand> switchRef,
      HostCounters counters,
      ActorRef<HostReady> ready) {
    return behavior(settings, switchRef, counters, ready).narrow();
  }

  static Behavior<HostMessage> behavior(
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
                                  PortDelivery.class, d -> new HostMessage.FramesIn(d.frames()));
                          ActorRef<SwitchCommand.Attached> attachedAdapter =
                              ctx.messageAdapter(
                                  SwitchCommand.Attached.class,
                                  a -> new HostMessage.AttachedToSwitch(a.port(), a.mac()));
                          switchRef.tell(
                              new SwitchCommand.Attach(
                                  settings.name(), endpoint, settings.mac(), attachedAdapter));
                          return attaching(
                              ctx, stash, timers, settings, switchRef, counters, ready);
                        })));
  }

  private static Behavior<HostMessage> attaching(
      ActorContext<HostMessage> ctx,
      StashBuffer<HostMessage> stash,
      TimerScheduler<HostMessage> timers,
      HostSettings settings,
      ActorRef<SwitchCommand> switchRef,
      HostCounters counters,
      ActorRef<HostReady> ready) {
    return Behaviors.receive(HostMessage.class)
        .onMessage(
            HostMessage.AttachedToSwitch.class,
            attached -> {
              StackActor host =
                  new StackActor(
                      ctx, timers, settings, switchRef, counters, attached.port(), attached.mac());
              host.output.announce();
              host.output.flush();
              ready.tell(
                  new HostReady(
                      ctx.getSelf().<HostCommand>narrow(), attached.mac(), attached.port()));
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
      ActorContext<HostMessage> ctx,
      TimerScheduler<HostMessage> timers,
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
    this.routing = new RoutingTable(settings.cidr(), settings.gateway());
    this.arp = new ArpCache(settings.arp());
    this.drops = new InputDrops(settings.name(), counters, ctx.getLog());
    // The draws keep the order they had when all of this lived in one class: ICMP identifier,
    // TCP's generator, the first IP identification, then UDP's ephemeral ports.
    SplittableRandom random = new SplittableRandom(settings.seed());
    int icmpIdentifier = random.nextInt(0x10000);
    SplittableRandom tcpRandom = random.split();
    this.output =
        new HostOutput(
            settings,
            mac,
            routing,
            arp,
            counters,
            random.nextInt(0x10000),
            frames -> switchRef.tell(new SwitchCommand.Transmit(port, frames)),
            new HostOutput.ArpTimer() {
              @Override
              public void start(Ipv4Address target, Duration after) {
                timers.startSingleTimer(
                    arpTimerKey(target), new HostMessage.ArpRetry(target), after);
              }

              @Override
              public void cancel(Ipv4Address target) {
                timers.cancel(arpTimerKey(target));
              }
            });
    this.icmp = new IcmpEcho(settings, output, routing, counters, drops, timers, icmpIdentifier);
    this.udp = new UdpEndpoints(ctx, settings, output, routing, drops, random);
    this.tcp = new TcpDemux(ctx, settings, counters, output, tcpRandom);
  }

  @Override
  public Receive<HostMessage> createReceive() {
    return newReceiveBuilder()
        .onMessage(HostMessage.FramesIn.class, this::onFrames)
        .onMessage(HostCommand.TcpOut.class, this::onTcpOut)
        .onMessage(HostCommand.UdpSend.class, m -> sent(() -> udp.send(m)))
        .onMessage(HostCommand.UdpListen.class, m -> done(() -> udp.listen(m)))
        .onMessage(HostCommand.UdpUnlisten.class, m -> done(() -> udp.unlisten(m.port())))
        .onMessage(HostCommand.Ping.class, m -> sent(() -> icmp.ping(m)))
        .onMessage(HostMessage.PingTimeout.class, m -> done(() -> icmp.timedOut(m.sequence())))
        .onMessage(HostMessage.ArpRetry.class, m -> sent(() -> output.arpRetry(m.address())))
        .onMessage(HostCommand.TcpConnect.class, m -> done(() -> tcp.connect(m)))
        .onMessage(HostCommand.TcpListen.class, m -> done(() -> tcp.listen(m)))
        .onMessage(HostCommand.TcpUnlisten.class, m -> done(() -> tcp.unlisten(m.port())))
        .onMessage(HostCommand.TcpDisconnect.class, m -> done(() -> tcp.disconnect(m.replyTo())))
        .onMessage(
            HostCommand.ListFlows.class,
            m -> done(() -> m.replyTo().tell(tcp.flowNames(address.toString()))))
        .onMessage(
            HostCommand.FlowRegistered.class, m -> done(() -> tcp.register(m.key(), m.flow())))
        .onMessage(HostCommand.FlowClosed.class, m -> done(() -> tcp.remove(m.key(), m.flow())))
        .onMessage(HostCommand.FlowStopped.class, m -> done(() -> tcp.remove(m.key(), m.flow())))
        // TIME_WAIT as compact entries of the TcpDemux's table, and segments a closed flow
        // handed back (issue 8 item 9): all of it lives in TcpDemux.
        .onMessage(HostMessage.TimeWaitEntered.class, m -> done(() -> tcp.enterTimeWait(m)))
        .onMessage(HostMessage.TimeWaitDue.class, m -> done(tcp::timeWaitDue))
        .onMessage(HostMessage.SegmentsAfterClose.class, m -> sent(() -> tcp.redeliver(m)))
        .onMessage(HostCommand.Disconnect.class, this::onDisconnect)
        .onMessage(HostMessage.Detached.class, this::onDetached)
        .build();
  }

  /** Handles a message that sends nothing. */
  private Behavior<HostMessage> done(Runnable handler) {
    handler.run();
    return this;
  }

  /** Handles a message that may send: what the host sent itself is received, then all goes out. */
  private Behavior<HostMessage> sent(Runnable handler) {
    handler.run();
    drainLoopback();
    output.flush();
    return this;
  }

  // ---------------------------------------------------------------- output

  /** A flow's segments, in order, straight onto the output path. */
  private Behavior<HostMessage> onTcpOut(HostCommand.TcpOut msg) {
    output.sendAll(msg.key().remoteAddress(), msg.segments());
    drainLoopback();
    output.flush();
    return this;
  }

  private void drainLoopback() {
    ByteString datagram;
    while ((datagram = output.pollLoopback()) != null) {
      receiveIpv4(datagram, false);
    }
    tcp.flushInbound();
  }

  private static String arpTimerKey(Ipv4Address target) {
    return "arp-" + target;
  }

  // ---------------------------------------------------------------- input

  /**
   * One batch from the switch: every frame is demultiplexed first, then each flow gets the segments
   * of the whole batch in one message, then the answers go out as one batch.
   */
  private Behavior<HostMessage> onFrames(HostMessage.FramesIn msg) {
    List<ByteString> frames = msg.frames();
    for (int i = 0, n = frames.size(); i < n; i++) {
      ByteString frame = frames.get(i);
      counters.frameReceived(frame.length());
      receiveFrame(frame);
    }
    drainLoopback();
    output.flush();
    return this;
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
      case EthernetFrame.ETHERTYPE_IPV4 -> receiveIpv4(frame.payload(), true);
      case EthernetFrame.ETHERTYPE_ARP -> receiveArp(frame.payload());
      default -> drop(DropReason.ETHERNET_UNKNOWN_TYPE, null);
    }
  }

  /**
   * RFC 826 "Packet Reception": merge a known sender, add it if we are the target, answer. The
   * table is bounded: a sender that would be added while it is full is not (and is counted), but
   * its request is still answered. Senders that cannot be neighbours are ignored altogether.
   */
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
    if (invalidSource(sender) != null || packet.senderMac().isMulticast()) {
      // A broadcast or multicast sender would make us send unicast to a group (RFC 1122
      // §3.2.1.3 addresses that are never a source); learning it would only waste a slot.
      drop(DropReason.ARP_INVALID_SENDER, null);
      return;
    }
    long now = settings.clock().nanoTime();
    arp.expire(now); // RFC 826 merges into the table as it is: an expired mapping is not in it
    boolean merged = false;
    if (arp.isKnown(sender)) {
      output.learn(sender, packet.senderMac());
      merged = true;
    }
    if (!packet.targetIp().equals(address)) {
      if (!merged) {
        drop(DropReason.ARP_NOT_FOR_US, null);
      }
      return;
    }
    if (!merged) {
      if (arp.hasRoomFor(sender, now)) {
        output.learn(sender, packet.senderMac());
      } else {
        drop(DropReason.ARP_TABLE_FULL, null);
      }
    }
    if (packet.isRequest()) {
      output.answerArp(packet.senderMac(), sender);
    }
  }

  /** An IPv4 datagram, from the wire or one the host sent itself ({@code fromWire} false). */
  private void receiveIpv4(ByteString bytes, boolean fromWire) {
    Ipv4Packet packet;
    try {
      packet = Ipv4Packet.parse(bytes, settings.verifyChecksums());
    } catch (MalformedPacketException e) {
      drop(InputDrops.checksumOr(e, DropReason.IPV4_BAD_CHECKSUM, DropReason.IPV4_MALFORMED), e);
      return;
    }
    if (!routing.isLocal(packet.destination())) {
      drop(DropReason.IPV4_NOT_FOR_US, null);
      return;
    }
    if (fromWire) {
      // RFC 1122 §3.2.1.3: silently discard a datagram whose source is not a valid one, so that
      // nothing — an echo reply, a RST, a port unreachable — answers a forged address.
      DropReason invalid = invalidSource(packet.source());
      if (invalid != null) {
        drop(invalid, null);
        return;
      }
    }
    if (packet.isFragment()) {
      drop(DropReason.IPV4_FRAGMENT, null);
      return;
    }
    counters.packetReceived();
    switch (packet.protocol()) {
      case Ipv4Packet.PROTO_ICMP -> icmp.receive(packet);
      case Ipv4Packet.PROTO_UDP -> udp.receive(packet, bytes);
      case Ipv4Packet.PROTO_TCP -> receiveTcp(packet);
      default -> drop(DropReason.IPV4_UNKNOWN_PROTOCOL, null);
    }
  }

  /**
   * Why {@code source}, arriving from the wire, cannot be a sender's address, or null when it can.
   * 0.0.0.0 is not accepted either: RFC 1122 §3.2.1.3 (a) allows it only while a host learns its
   * address (BOOTP, DHCP), which no host here does or serves.
   */
  private DropReason invalidSource(Ipv4Address source) {
    int bits = source.toInt();
    if (routing.isBroadcast(source)) {
      return DropReason.IPV4_SOURCE_BROADCAST; // §3.2.1.3 (c), (d)
    }
    if (source.isMulticast()) {
      return DropReason.IPV4_SOURCE_MULTICAST; // RFC 1112 §4: a group is never a source
    }
    if ((bits >>> 28) == 0xF && !settings.cidr().contains(source)) {
      // Class E is reserved (RFC 6890: not a valid source); a network deliberately numbered
      // in it still talks to itself.
      return DropReason.IPV4_SOURCE_RESERVED;
    }
    if ((bits >>> 24) == 0) {
      return DropReason.IPV4_SOURCE_UNSPECIFIED; // §3.2.1.3 (a), (b)
    }
    if (source.isLoopback()) {
      return DropReason.IPV4_SOURCE_LOOPBACK; // §3.2.1.3 (g): never outside a host
    }
    if (source.equals(address)) {
      return DropReason.IPV4_SOURCE_OWN_ADDRESS;
    }
    return null;
  }

  private void receiveTcp(Ipv4Packet packet) {
    TcpSegment segment;
    try {
      segment =
          TcpSegment.parse(
              packet.payload(), packet.source(), packet.destination(), settings.verifyChecksums());
    } catch (MalformedPacketException e) {
      drop(InputDrops.checksumOr(e, DropReason.TCP_BAD_CHECKSUM, DropReason.TCP_MALFORMED), e);
      return;
    }
    if (!routing.mayAnswerWithError(packet)) {
      drop(DropReason.TCP_NOT_UNICAST, null); // TCP is unicast: no RST to a broadcast either
      return;
    }
    tcp.receive(packet.source(), segment);
  }

  // ---------------------------------------------------------------- lifecycle

  private Behavior<HostMessage> onDisconnect(HostCommand.Disconnect msg) {
    if (disconnecting.isEmpty()) {
      switchRef.tell(
          new SwitchCommand.Detach(
              port, getContext().messageAdapter(Done.class, d -> new HostMessage.Detached())));
    }
    disconnecting.add(msg.replyTo());
    return this;
  }

  private Behavior<HostMessage> onDetached(HostMessage.Detached msg) {
    icmp.hostDisconnected();
    disconnecting.forEach(ref -> ref.tell(Done.getInstance()));
    return Behaviors.stopped();
  }

  private void drop(DropReason reason, MalformedPacketException cause) {
    drops.drop(reason, cause);
  }
}
