package dev.vnetif.stack;

import dev.vnetif.tcp.IsnGenerator;
import dev.vnetif.tcp.TcpConfig;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.TcpSegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * A host's TCP demultiplexer: 4-tuple → flow actor, port → listener actor, RST for everything else
 * (RFC 9293 §3.10.7.1). Owns the tables, spawns the flows of active opens, picks ephemeral ports
 * (RFC 6056) and initial sequence numbers (RFC 6528). A flow leaves the table when it reaches
 * CLOSED and again (idempotently) when its actor stops, so no closing sequence — simultaneous
 * close, repeated RSTs — can leave an entry behind.
 */
final class TcpDemux {
  /** Sends one TCP segment as an IPv4 datagram. */
  interface Transmitter {
    void send(Ipv4Address destination, TcpSegment segment);

    boolean hasRoute(Ipv4Address destination);
  }

  private final ActorContext<HostCommand> ctx;
  private final HostSettings settings;
  private final HostCounters counters;
  private final Transmitter transmitter;
  private final IsnGenerator isn;
  private final SplittableRandom random;
  private final Map<FlowKey, ActorRef<FlowCommand>> flows = new HashMap<>();
  private final Map<Integer, ActorRef<TcpListenerActor.Command>> listeners = new HashMap<>();

  /** Segments of the current input batch, grouped per flow: one message per flow. */
  private final Map<ActorRef<FlowCommand>, List<TcpSegment>> inbound = new LinkedHashMap<>();

  TcpDemux(
      ActorContext<HostCommand> ctx,
      HostSettings settings,
      HostCounters counters,
      Transmitter transmitter,
      SplittableRandom random) {
    this.ctx = ctx;
    this.settings = settings;
    this.counters = counters;
    this.transmitter = transmitter;
    this.random = random;
    this.isn = new IsnGenerator(random.nextLong());
  }

  // ------------------------------------------------------------ input

  /** A checksum-verified segment addressed to this host from {@code source}. */
  void receive(Ipv4Address source, TcpSegment segment) {
    FlowKey key = new FlowKey(source, segment.sourcePort(), segment.destinationPort());
    ActorRef<FlowCommand> flow = flows.get(key);
    if (flow != null) {
      inbound.computeIfAbsent(flow, f -> new ArrayList<>(4)).add(segment);
      return;
    }
    ActorRef<TcpListenerActor.Command> listener = listeners.get(segment.destinationPort());
    if (listener != null && segment.isSyn() && !segment.isAck() && !segment.isRst()) {
      int iss =
          isn.isn(
              settings.address(),
              key.localPort(),
              source,
              key.remotePort(),
              settings.clock().nanoTime());
      listener.tell(new TcpListenerActor.SynArrived(segment, source, iss));
      return;
    }
    counters.drop(DropReason.TCP_PORT_CLOSED);
    TcpSegment reset = ClosedPortReset.replyTo(segment);
    if (reset != null) {
      transmitter.send(source, reset);
    }
  }

  /** Hands each flow the segments of this batch. */
  void flushInbound() {
    if (!inbound.isEmpty()) {
      inbound.forEach((flow, segments) -> flow.tell(new FlowInternal.SegmentsIn(segments)));
      inbound.clear();
    }
  }

  // ------------------------------------------------------------ output

  void send(HostCommand.TcpOut msg) {
    Ipv4Address remote = msg.key().remoteAddress();
    List<TcpSegment> segments = msg.segments();
    for (int i = 0, n = segments.size(); i < n; i++) {
      transmitter.send(remote, segments.get(i));
    }
  }

  // ------------------------------------------------------------ opening and closing

  void connect(HostCommand.TcpConnect msg) {
    if (!transmitter.hasRoute(msg.remote())) {
      msg.replyTo()
          .tell(
              new FlowCommand.ConnectReply.NoRoute(
                  settings.address()
                      + " -> "
                      + msg.remote()
                      + ":"
                      + msg.remotePort()
                      + ": no route to host"));
      return;
    }
    int port = ephemeralPort(msg.remote(), msg.remotePort());
    if (port < 0) {
      msg.replyTo()
          .tell(
              new FlowCommand.ConnectReply.Unavailable(
                  settings.address()
                      + " -> "
                      + msg.remote()
                      + ":"
                      + msg.remotePort()
                      + ": all "
                      + (settings.ephemeralHigh() - settings.ephemeralLow() + 1)
                      + " ephemeral ports ("
                      + settings.ephemeralLow()
                      + ".."
                      + settings.ephemeralHigh()
                      + ") are in use towards that end (RFC 6056)"));
      return;
    }
    FlowKey key = new FlowKey(msg.remote(), msg.remotePort(), port);
    int iss =
        isn.isn(
            settings.address(), port, msg.remote(), msg.remotePort(), settings.clock().nanoTime());
    TcpFlowActor.Wiring wiring =
        new TcpFlowActor.Wiring(
            ctx.getSelf(),
            settings.clock(),
            settings.address(),
            key,
            configWith(msg.keepalive()),
            null);
    ActorRef<FlowCommand> flow =
        ctx.spawnAnonymous(
            TcpFlowActor.active(wiring, iss, msg.replyTo()), DispatcherSelector.sameAsParent());
    register(key, flow);
  }

  /**
   * RFC 6056 Algorithm 1 (simple random selection): a random start in the dynamic range, then the
   * next free port. Bounded by the range, so exhaustion fails the connect instead of searching
   * forever (mirage-tcpip issue 462). Returns -1 when none is free.
   */
  private int ephemeralPort(Ipv4Address remote, int remotePort) {
    int low = settings.ephemeralLow();
    int count = settings.ephemeralHigh() - low + 1;
    int start = random.nextInt(count);
    for (int i = 0; i < count; i++) {
      int candidate = low + (start + i) % count;
      if (!listeners.containsKey(candidate)
          && !flows.containsKey(new FlowKey(remote, remotePort, candidate))) {
        return candidate;
      }
    }
    return -1;
  }

  private TcpConfig configWith(dev.vnetif.tcp.KeepaliveSettings keepalive) {
    return keepalive == null ? settings.tcp() : settings.tcp().withKeepalive(keepalive);
  }

  void listen(HostCommand.TcpListen msg) {
    unlisten(msg.port());
    TcpListenerActor.Settings listenerSettings =
        new TcpListenerActor.Settings(
            msg.port(), configWith(msg.keepalive()), settings.synBacklog(), msg.callback());
    listeners.put(
        msg.port(),
        ctx.spawnAnonymous(
            TcpListenerActor.create(
                listenerSettings, ctx.getSelf(), settings.clock(), settings.address(), counters),
            DispatcherSelector.sameAsParent()));
    publish();
  }

  void unlisten(int port) {
    ActorRef<TcpListenerActor.Command> listener = listeners.remove(port);
    if (listener != null) {
      listener.tell(new TcpListenerActor.Unlisten());
    }
    publish();
  }

  void register(FlowKey key, ActorRef<FlowCommand> flow) {
    flows.put(key, flow);
    ctx.watchWith(flow, new HostCommand.FlowStopped(key, flow));
    publish();
  }

  /** Removes {@code key} only if it still maps to {@code flow} (a newer flow may own it). */
  void remove(FlowKey key, ActorRef<FlowCommand> flow) {
    if (flows.remove(key, flow)) {
      publish();
    }
  }

  /** Tcp.disconnect: every connection is aborted, every listener stopped. */
  void disconnect(ActorRef<Done> replyTo) {
    for (Integer port : List.copyOf(listeners.keySet())) {
      unlisten(port);
    }
    for (ActorRef<FlowCommand> flow : flows.values()) {
      flow.tell(new FlowCommand.Abort());
    }
    replyTo.tell(Done.getInstance());
  }

  private void publish() {
    counters.tcpTables(flows.size(), listeners.size());
  }
}
