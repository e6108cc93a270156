package dev.vnetif.stack;

import dev.vnetif.tcp.IsnGenerator;
import dev.vnetif.tcp.SynCookies;
import dev.vnetif.tcp.TcpConfig;
import dev.vnetif.tcp.TimeWait;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.TcpSegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * A host's TCP demultiplexer: 4-tuple → flow actor, port → listener actor, RST for everything else
 * (RFC 9293 §3.10.7.1). Owns the tables, spawns the flows of active opens, picks ephemeral ports
 * (RFC 6056) and initial sequence numbers (RFC 6528). A flow leaves the table when it reaches
 * CLOSED or TIME_WAIT and again (idempotently) when its actor stops, so no closing sequence —
 * simultaneous close, repeated RSTs — can leave an entry behind.
 *
 * <p>Connections in TIME_WAIT are not flows: they wait out 2·MSL as compact entries in a {@link
 * TimeWaitTable}, consulted after the flow table and before the listeners, and an acceptable new
 * SYN reopens their 4-tuple (RFC 6191). Segments that reach a flow after it closed come back here
 * ({@link #redeliver}) to be demultiplexed again, so a 4-tuple whose flow ended is never a black
 * hole.
 */
final class TcpDemux {
  /**
   * The host's output path ({@link HostOutput}) as the demultiplexer sees it: where a RST for a
   * closed port goes, and whether a connect has a route at all. A flow's own segments do not pass
   * through here: the host sends them straight ({@link HostCommand.TcpOut}).
   */
  interface Transmitter {
    void send(Ipv4Address destination, TcpSegment segment);

    boolean hasRoute(Ipv4Address destination);
  }

  private final ActorContext<HostMessage> ctx;
  private final HostSettings settings;
  private final HostCounters counters;
  private final Transmitter transmitter;
  private final IsnGenerator isn;

  /** The SYN cookie keys its listeners share (RFC 4987 §3.6), from the same seed as the ISNs. */
  private final SynCookies cookies;

  /**
   * The draws a listener makes for a SYN it accepts — only then (RFC 6528 §3, RFC 6191): a SYN the
   * listener refuses or answers with a cookie leaves the ISN clock where it was. Called from the
   * listeners' actors; {@link IsnGenerator} synchronizes its draws.
   */
  private final TcpListenerActor.InitialNumbers initialNumbers =
      new TcpListenerActor.InitialNumbers() {
        @Override
        public int iss(FlowKey key) {
          return isn.isn(
              settings.address(),
              key.localPort(),
              key.remoteAddress(),
              key.remotePort(),
              settings.clock().nanoTime());
        }

        @Override
        public int tsOffset(FlowKey key) {
          return timestampOffset(key);
        }
      };

  private final Map<FlowKey, ActorRef<FlowCommand>> flows = new HashMap<>();
  private final Map<Integer, ActorRef<TcpListenerActor.Command>> listeners = new HashMap<>();

  /** Segments of the current input batch, grouped per flow: one message per flow. */
  private final Map<ActorRef<FlowCommand>, List<TcpSegment>> inbound = new LinkedHashMap<>();

  /**
   * SYNs without ACK of the batch for existing flows, sent each in a message of its own after the
   * batch: if the batch closes the flow (a RST before a new SYN on the same 4-tuple), the flow
   * hands the SYN back instead of its Tcb dropping the rest of the batch unseen.
   */
  private final List<Map.Entry<ActorRef<FlowCommand>, TcpSegment>> inboundSyns = new ArrayList<>();

  private final TimeWaitTable timeWait;

  // RFC 6056 Algorithm 4: two secret keys (from the seed) and a table of counters (its
  // "table_size", 10 in the RFC's example).
  private final long portOffsetKey;
  private final long portBucketKey;
  private final int[] portPerturbation = new int[16];
  private Cancellable timeWaitTimer;
  private long timeWaitTimerAt = TimeWaitTable.OFF;

  TcpDemux(
      ActorContext<HostMessage> ctx,
      HostSettings settings,
      HostCounters counters,
      Transmitter transmitter,
      SplittableRandom random) {
    this.ctx = ctx;
    this.settings = settings;
    this.counters = counters;
    this.transmitter = transmitter;
    // One draw for both: SynCookies separates its keys from the ISN keys by domain, and the
    // host's other draws (ports) stay where they were.
    long secret = random.nextLong();
    this.isn = new IsnGenerator(secret);
    this.cookies = new SynCookies(secret);
    this.portOffsetKey = random.nextLong();
    this.portBucketKey = random.nextLong();
    this.timeWait =
        new TimeWaitTable(2 * settings.tcp().mslNanos(), settings.tcp().challengeAckLimit());
  }

  // ------------------------------------------------------------ input

  /** A checksum-verified segment addressed to this host from {@code source}. */
  void receive(Ipv4Address source, TcpSegment segment) {
    FlowKey key = new FlowKey(source, segment.sourcePort(), segment.destinationPort());
    ActorRef<FlowCommand> flow = flows.get(key);
    boolean newSyn = segment.isSyn() && !segment.isAck() && !segment.isRst();
    if (flow != null) {
      if (newSyn) {
        inboundSyns.add(Map.entry(flow, segment));
      } else {
        inbound.computeIfAbsent(flow, f -> new ArrayList<>(4)).add(segment);
      }
      return;
    }
    ActorRef<TcpListenerActor.Command> listener = listeners.get(segment.destinationPort());
    if (timeWait.contains(key)) {
      inTimeWait(key, source, segment, listener);
      return;
    }
    if (listener != null && newSyn) {
      // No ISN yet: the listener draws one only if it makes the SYN a half-open connection.
      listener.tell(new TcpListenerActor.SynArrived(segment, source, OptionalInt.empty()));
      return;
    }
    if (listener != null
        && settings.tcp().synCookies()
        && segment.isAck()
        && !segment.isSyn()
        && !segment.isRst()) {
      // Maybe the final ACK of a handshake answered with a SYN cookie (RFC 4987 §3.6): the
      // listener checks it, or resets it as LISTEN resets any ACK (RFC 9293 §3.10.7.2).
      listener.tell(new TcpListenerActor.AckArrived(segment, source));
      return;
    }
    counters.drop(DropReason.TCP_PORT_CLOSED);
    TcpSegment reset = ClosedPortReset.replyTo(segment);
    if (reset != null) {
      transmitter.send(source, reset);
    }
  }

  /**
   * A segment for a 4-tuple in TIME_WAIT (RFC 9293 §3.10.7.4): answered by its entry, or, for an
   * acceptable new SYN, handed to the listener with an ISS above the old SND.NXT (RFC 1122
   * §4.2.2.13).
   */
  private void inTimeWait(
      FlowKey key,
      Ipv4Address source,
      TcpSegment segment,
      ActorRef<TcpListenerActor.Command> listener) {
    long now = settings.clock().nanoTime();
    TimeWait.Verdict verdict = timeWait.arrive(key, segment, now);
    switch (verdict) {
      case REOPEN -> {
        if (listener == null) {
          // No one to take the new connection: the SYN is answered as an old one would be (as
          // Linux's TCP_TW_SYN falls through to TCP_TW_ACK without a listener).
          transmitter.send(source, timeWait.ack(key, segment, now));
          return;
        }
        int iss = timeWait.reopen(key);
        if (ctx.getLog().isDebugEnabled()) {
          ctx.getLog().debug("{}: SYN reopens {} in TIME_WAIT, ISS {}", settings.name(), key, iss);
        }
        listener.tell(new TcpListenerActor.SynArrived(segment, source, OptionalInt.of(iss)));
        publish();
      }
      case ACK, CHALLENGE_ACK, ACK_AND_RESTART ->
          transmitter.send(source, timeWait.ack(key, segment, now));
      case END -> publish();
      case IGNORE -> {}
    }
  }

  /** Hands each flow the segments of this batch. */
  void flushInbound() {
    if (!inbound.isEmpty()) {
      inbound.forEach((flow, segments) -> flow.tell(new FlowInternal.SegmentsIn(segments)));
      inbound.clear();
    }
    if (!inboundSyns.isEmpty()) {
      for (Map.Entry<ActorRef<FlowCommand>, TcpSegment> syn : inboundSyns) {
        syn.getKey().tell(new FlowInternal.SegmentsIn(List.of(syn.getValue())));
      }
      inboundSyns.clear();
    }
  }

  /**
   * Segments that reached a flow after it closed: its close (FlowClosed or TimeWaitEntered) came
   * first from the same sender, so the 4-tuple no longer leads to it, and they are demultiplexed
   * again — to a TIME_WAIT entry, a newer flow, the listener, or a RST (RFC 9293 §3.10.7.1).
   * Pekko's per-sender ordering makes the table still naming this very flow impossible today; the
   * guard keeps a broken ordering from bouncing segments between host and flow forever, and counts
   * it.
   */
  void redeliver(HostMessage.SegmentsAfterClose msg) {
    FlowKey key = msg.key();
    if (flows.get(key) == msg.flow()) {
      for (int i = 0; i < msg.segments().size(); i++) {
        counters.drop(DropReason.TCP_SEGMENT_FOR_ENDED_FLOW);
      }
      ctx.getLog().debug("{}: segments for ended flow {} dropped", settings.name(), key);
      return;
    }
    for (TcpSegment segment : msg.segments()) {
      receive(key.remoteAddress(), segment);
    }
    flushInbound();
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
            TcpFlowActor.active(wiring, iss, timestampOffset(key), msg.replyTo()),
            DispatcherSelector.sameAsParent());
    register(key, flow);
  }

  /**
   * The TSval offset of a connection (RFC 7323 §5.4): a keyed hash of its 4-tuple under a key from
   * the seed, above the one before for each new incarnation of the 4-tuple ({@link
   * IsnGenerator#timestampOffset}), so a reopened connection's TSvals continue above the old one's
   * even at the same instant (RFC 6191).
   */
  private int timestampOffset(FlowKey key) {
    return isn.timestampOffset(
        settings.address(), key.localPort(), key.remoteAddress(), key.remotePort());
  }

  /**
   * RFC 6056 §3.3.4 Algorithm 4 (double-hash port selection, as Linux's {@code
   * __inet_hash_connect}): a keyed hash of the destination picks where in the range to start, and a
   * per-bucket counter, advanced on every try, moves the start on. Connections towards one
   * destination so walk the whole range before a port comes round again: a 4-tuple is reused as
   * late as it can be, when the peer may still hold it in TIME_WAIT but our ISN (RFC 6528, a 4 µs
   * clock) has long passed its RCV.NXT, so the peer can reopen it (RFC 6191) — where a random
   * choice (Algorithm 1) would soon reuse one within milliseconds. Bounded by the range, so
   * exhaustion fails the connect instead of searching forever (mirage-tcpip issue 462). Returns -1
   * when none is free.
   */
  private int ephemeralPort(Ipv4Address remote, int remotePort) {
    int low = settings.ephemeralLow();
    int count = settings.ephemeralHigh() - low + 1;
    long destination = ((long) remote.toInt() << 16) | remotePort;
    int offset = (int) Long.remainderUnsigned(mix64(destination ^ portOffsetKey), count);
    int bucket =
        (int) Long.remainderUnsigned(mix64(destination ^ portBucketKey), portPerturbation.length);
    for (int i = 0; i < count; i++) {
      int candidate = low + (int) ((offset + (long) portPerturbation[bucket]) % count);
      portPerturbation[bucket] = (portPerturbation[bucket] + 1) % count;
      FlowKey key = new FlowKey(remote, remotePort, candidate);
      // A 4-tuple in TIME_WAIT is not reused by our own connect: without timestamps on both
      // sides nothing would tell the peer's old duplicates from the new connection's (Linux's
      // tcp_twsk_unique reuses only with tcp_tw_reuse and timestamps; we never do).
      if (!listeners.containsKey(candidate) && !flows.containsKey(key) && !timeWait.contains(key)) {
        return candidate;
      }
    }
    return -1;
  }

  /** SplitMix64's finaliser: a keyed hash good enough to spread destinations over the range. */
  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
    return z ^ (z >>> 31);
  }

  private TcpConfig configWith(dev.vnetif.tcp.KeepaliveSettings keepalive) {
    return keepalive == null ? settings.tcp() : settings.tcp().withKeepalive(keepalive);
  }

  /** A socket-style bind: refused when the port has a listener; port 0 picks a free one. */
  void bind(HostCommand.TcpBind msg) {
    int port = msg.port() == 0 ? freeListenPort() : msg.port();
    if (port < 0 || listeners.containsKey(port)) {
      msg.replyTo().tell(new HostCommand.BindReply.InUse(msg.port()));
      return;
    }
    listen(new HostCommand.TcpListen(port, msg.keepalive(), msg.callback()));
    msg.replyTo().tell(new HostCommand.BindReply.Bound(port));
  }

  /**
   * An ephemeral port with no listener and no connection using it locally, searched from a point
   * drawn from the host's seed (so runs replay), or -1 when every one is taken.
   */
  private int freeListenPort() {
    int low = settings.ephemeralLow();
    int count = settings.ephemeralHigh() - low + 1;
    java.util.Set<Integer> used = new java.util.HashSet<>(listeners.keySet());
    for (FlowKey key : flows.keySet()) {
      used.add(key.localPort());
    }
    int start = (int) Long.remainderUnsigned(mix64(portOffsetKey + listeners.size()), count);
    for (int i = 0; i < count; i++) {
      int candidate = low + (start + i) % count;
      if (!used.contains(candidate)) {
        return candidate;
      }
    }
    return -1;
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
                listenerSettings,
                ctx.getSelf(),
                settings.clock(),
                settings.address(),
                counters,
                cookies,
                initialNumbers),
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

  /**
   * A flow's connection entered TIME_WAIT: the flow leaves the table and its 4-tuple waits out
   * 2·MSL as an entry of the TIME_WAIT table, from now.
   */
  void enterTimeWait(HostMessage.TimeWaitEntered msg) {
    flows.remove(msg.key(), msg.flow());
    timeWait.enter(msg.key(), msg.entry(), settings.clock().nanoTime());
    scheduleTimeWait();
    publish();
  }

  /** The TIME_WAIT timer fired: expire what is due, set it for the next deadline. */
  void timeWaitDue() {
    timeWaitTimer = null;
    timeWaitTimerAt = TimeWaitTable.OFF;
    if (timeWait.expire(settings.clock().nanoTime()) > 0) {
      publish();
    }
    scheduleTimeWait();
  }

  /** One timer for the whole table, at its earliest deadline (later entries never come first). */
  private void scheduleTimeWait() {
    long next = timeWait.nextDeadline();
    if (next == TimeWaitTable.OFF || (timeWaitTimer != null && timeWaitTimerAt - next <= 0)) {
      return;
    }
    if (timeWaitTimer != null) {
      timeWaitTimer.cancel();
    }
    long delay = Math.max(0, next - settings.clock().nanoTime());
    timeWaitTimer =
        ctx.scheduleOnce(Duration.ofNanos(delay), ctx.getSelf(), new HostMessage.TimeWaitDue());
    timeWaitTimerAt = next;
  }

  /** Connections in TIME_WAIT, for tests. */
  TimeWaitTable timeWaitTable() {
    return timeWait;
  }

  /** Tcp.disconnect: every connection is aborted, every listener stopped, TIME_WAIT forgotten. */
  void disconnect(ActorRef<Done> replyTo) {
    for (Integer port : List.copyOf(listeners.keySet())) {
      unlisten(port);
    }
    for (ActorRef<FlowCommand> flow : flows.values()) {
      flow.tell(new FlowCommand.Abort());
    }
    timeWait.clear();
    if (timeWaitTimer != null) {
      timeWaitTimer.cancel();
      timeWaitTimer = null;
      timeWaitTimerAt = TimeWaitTable.OFF;
    }
    publish();
    replyTo.tell(Done.getInstance());
  }

  private void publish() {
    counters.tcpTables(flows.size(), listeners.size());
    counters.timeWait(timeWait.size(), timeWait.reopened());
  }

  /** {@code local:port -> remote:port} for every flow in the table, sorted. */
  java.util.List<String> flowNames(String localAddress) {
    java.util.List<String> names = new java.util.ArrayList<>(flows.size());
    for (FlowKey key : flows.keySet()) {
      names.add(
          localAddress
              + ":"
              + key.localPort()
              + " -> "
              + key.remoteAddress()
              + ":"
              + key.remotePort());
    }
    java.util.Collections.sort(names);
    return names;
  }
}
