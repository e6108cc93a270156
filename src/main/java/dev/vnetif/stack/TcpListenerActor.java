package dev.vnetif.stack;

import dev.vnetif.link.NetworkClock;
import dev.vnetif.tcp.SynCookies;
import dev.vnetif.tcp.TcpConfig;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.TcpSegment;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One listening port. Takes the SYNs the host hands it, keeps the number of half-open connections
 * within the backlog (RFC 4987), spawns a flow per accepted SYN, and runs the user's callback for
 * each flow once established — off the actor, so a slow or failing callback affects only its own
 * flow: a callback that throws or fails aborts that flow (RST). After unlisten it takes no new SYNs
 * and stops when its last flow has.
 *
 * <p>Beyond the backlog, with SYN cookies on ({@link TcpConfig#synCookies()}, RFC 4987 §3.6), a SYN
 * is answered with a SYN-ACK whose sequence number is a {@link SynCookies cookie}, and nothing is
 * kept: a flood of SYNs that never complete costs no memory. The host hands the listener the ACKs
 * for its port that match no connection ({@link AckArrived}); while cookies went out lately (the
 * last {@link SynCookies#MAX_AGE} periods, as Linux's {@code tcp_synq_no_recent_overflow}), one
 * whose cookie validates becomes a flow, established at once and accepted like any other. Every
 * other such ACK is answered with RST, as LISTEN answers any ACK (RFC 9293 §3.10.7.2), and counted.
 * With cookies off, SYNs beyond the backlog are dropped and counted.
 *
 * <p>A 4-tuple is taken from its SYN until its flow ENDS ({@link FlowEnded}), not until the flow's
 * actor stops: a closed flow lingers to answer late requests, and a new SYN for its 4-tuple (the
 * peer reusing a port) must reach a new flow meanwhile. A SYN that cannot be served is dropped and
 * counted under a {@link DropReason}.
 */
public final class TcpListenerActor {

  public sealed interface Command {}

  /**
   * A SYN for this port with no connection yet. {@code iss} is present when the SYN reopens a
   * 4-tuple in TIME_WAIT (the ISS above the old SND.NXT, RFC 1122 §4.2.2.13); otherwise the ISS is
   * drawn only if the SYN gets a half-open connection ({@link InitialNumbers}).
   */
  record SynArrived(TcpSegment syn, Ipv4Address remote, OptionalInt iss) implements Command {}

  /**
   * The host's ISN and TSval-offset draws (RFC 6528 §3, RFC 7323 §5.4), made when a SYN is
   * accepted, not when it arrives: each draw steps the host's ISN clock, and a SYN flood refused at
   * a full backlog or answered with cookies must not move it (RFC 6191: enough steps within a
   * TIME_WAIT period would make a reused 4-tuple's new ISN look older than the old one). Safe to
   * call from the listener's actor.
   */
  interface InitialNumbers {
    int iss(FlowKey key);

    int tsOffset(FlowKey key);
  }

  /**
   * A segment with ACK (without SYN and RST) for this port that no connection, TIME_WAIT entry
   * included, took; sent only with SYN cookies on. It may complete a handshake answered with a
   * cookie, or belong to a flow made from one that has not reached the host's table yet.
   */
  record AckArrived(TcpSegment ack, Ipv4Address remote) implements Command {}

  record FlowEstablished(FlowKey key, FlowHandle handle) implements Command {}

  /**
   * A flow closed (or entered TIME_WAIT, which its host keeps), established or not: it no longer
   * holds a backlog slot, and its 4-tuple is free for a new SYN.
   */
  record FlowEnded(FlowKey key) implements Command {}

  /** A flow's actor stopped (after lingering, or without ending if the host went away). */
  record FlowStopped(FlowKey key, ActorRef<FlowCommand> flow) implements Command {}

  record CallbackFinished(FlowKey key, FlowHandle handle, Throwable failure) implements Command {}

  record Unlisten() implements Command {}

  /** What a listener is for. */
  record Settings(
      int port, TcpConfig config, int backlog, Function<FlowHandle, CompletionStage<?>> callback) {}

  private final ActorContext<Command> ctx;
  private final Settings settings;
  private final TcpFlowActor.Wiring template;
  private final HostCounters counters;
  private final Executor callbacks;

  /** Null with SYN cookies off. */
  private final SynCookies cookies;

  private final InitialNumbers numbers;

  /** When the last cookie went out (network clock), if {@link #cookiesSent}. */
  private long lastCookieNanos;

  private boolean cookiesSent;

  /** Flows that have not ended, by 4-tuple: a SYN for one of these is not a new connection. */
  private final Map<FlowKey, ActorRef<FlowCommand>> open = new HashMap<>();

  /** The subset of {@link #open} not yet established: the SYN backlog (RFC 4987). */
  private final Set<FlowKey> halfOpen = new HashSet<>();

  /** Flow actors spawned and not yet stopped (children: the listener outlives them). */
  private int running;

  private boolean unlistened;

  private TcpListenerActor(
      ActorContext<Command> ctx,
      Settings settings,
      TcpFlowActor.Wiring template,
      HostCounters counters,
      SynCookies cookies,
      InitialNumbers numbers) {
    this.ctx = ctx;
    this.settings = settings;
    this.template = template;
    this.counters = counters;
    this.cookies = settings.config().synCookies() ? cookies : null;
    this.numbers = numbers;
    this.callbacks = ctx.getSystem().dispatchers().lookup(DispatcherSelector.defaultDispatcher());
  }

  /**
   * A listener for {@code settings}; {@code cookies} (the host's keys) make and check its SYN
   * cookies when its configuration has them on; {@code numbers} draws the ISS and TSval offset of
   * each connection it accepts.
   */
  static Behavior<Command> create(
      Settings settings,
      ActorRef<HostMessage> host,
      NetworkClock clock,
      Ipv4Address localAddress,
      HostCounters counters,
      SynCookies cookies,
      InitialNumbers numbers) {
    return Behaviors.setup(
        ctx -> {
          TcpFlowActor.Wiring template =
              new TcpFlowActor.Wiring(
                  host, clock, localAddress, null, settings.config(), ctx.getSelf());
          return new TcpListenerActor(ctx, settings, template, counters, cookies, numbers)
              .behavior();
        });
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(SynArrived.class, this::onSyn)
        .onMessage(AckArrived.class, this::onAck)
        .onMessage(FlowEstablished.class, this::onEstablished)
        .onMessage(CallbackFinished.class, this::onCallbackFinished)
        .onMessage(
            FlowEnded.class,
            m -> {
              halfOpen.remove(m.key());
              open.remove(m.key());
              return Behaviors.same();
            })
        .onMessage(FlowStopped.class, this::onFlowStopped)
        .onMessage(
            Unlisten.class,
            m -> {
              unlistened = true;
              return running == 0 ? Behaviors.stopped() : Behaviors.same();
            })
        .build();
  }

  private Behavior<Command> onSyn(SynArrived msg) {
    FlowKey key = new FlowKey(msg.remote(), msg.syn().sourcePort(), settings.port());
    if (unlistened) {
      drop(DropReason.TCP_SYN_AFTER_UNLISTEN, key);
      return Behaviors.same();
    }
    if (open.containsKey(key)) {
      // A retransmitted SYN racing the flow's registration with the host: the flow will answer
      // the next one. (A flow that ended is no longer here: FlowEnded reaches us before its host
      // forgets the flow.)
      drop(DropReason.TCP_SYN_FOR_OPEN_FLOW, key);
      return Behaviors.same();
    }
    if (halfOpen.size() >= settings.backlog()) {
      if (cookies != null) {
        answerWithCookie(msg, key);
      } else {
        counters.drop(DropReason.TCP_BACKLOG_FULL);
      }
      return Behaviors.same();
    }
    // RFC 6528 §3: the ISS (and the TSval offset) is drawn here, for a half-open connection we
    // create, and not for the SYNs refused or answered with a cookie above.
    int iss = msg.iss().isPresent() ? msg.iss().getAsInt() : numbers.iss(key);
    spawn(key, TcpFlowActor.passive(wiring(key), msg.syn(), iss, numbers.tsOffset(key)));
    halfOpen.add(key);
    return Behaviors.same();
  }

  private TcpFlowActor.Wiring wiring(FlowKey key) {
    return new TcpFlowActor.Wiring(
        template.host(),
        template.clock(),
        template.localAddress(),
        key,
        settings.config(),
        ctx.getSelf());
  }

  private void spawn(FlowKey key, Behavior<FlowCommand> behavior) {
    ActorRef<FlowCommand> flow = ctx.spawnAnonymous(behavior, DispatcherSelector.sameAsParent());
    ctx.watchWith(flow, new FlowStopped(key, flow));
    open.put(key, flow);
    running++;
  }

  /**
   * RFC 4987 §3.6: the backlog is full, so the SYN gets a SYN-ACK whose ISS is a cookie, straight
   * to the host, and leaves nothing behind. Logged once when cookies start (as Linux's "Possible
   * SYN flooding on port"), not per SYN: a flood must not become a flood of log lines.
   */
  private void answerWithCookie(SynArrived msg, FlowKey key) {
    long now = template.clock().nanoTime();
    if (!cookiesRecent(now)) {
      ctx.getLog()
          .info(
              "listener on port {}: SYN backlog of {} full; answering SYNs with SYN cookies"
                  + " (RFC 4987 §3.6)",
              settings.port(),
              settings.backlog());
    }
    // Not msg.tsOffset(): the ACK must find the same offset again, with nothing kept.
    TcpSegment synAck =
        cookies.synAck(
            settings.config(),
            template.localAddress(),
            msg.remote(),
            msg.syn(),
            tsOffset(key),
            now);
    template.host().tell(new HostCommand.TcpOut(key, List.of(synAck)));
    counters.synCookieSent();
    lastCookieNanos = now;
    cookiesSent = true;
  }

  /** The TSval offset of a cookie connection: stateless, so the SYN-ACK's is found again. */
  private int tsOffset(FlowKey key) {
    return cookies.timestampOffset(
        template.localAddress(), settings.port(), key.remoteAddress(), key.remotePort());
  }

  /** A cookie went out within the time one stays valid (Linux's tcp_synq_no_recent_overflow). */
  private boolean cookiesRecent(long now) {
    return cookiesSent && now - lastCookieNanos <= SynCookies.MAX_AGE * SynCookies.PERIOD_NANOS;
  }

  /**
   * An ACK for no connection the host knows: a flow of ours not yet in the host's table takes it;
   * else, lately answered with cookies, a valid one opens a connection; else RST (RFC 9293
   * §3.10.7.2: in LISTEN "any acknowledgment is bad").
   */
  private Behavior<Command> onAck(AckArrived msg) {
    FlowKey key = new FlowKey(msg.remote(), msg.ack().sourcePort(), settings.port());
    ActorRef<FlowCommand> flow = open.get(key);
    if (flow != null) {
      // A flow made from a cookie registers with the host as it starts; the peer's next segment
      // can reach the host first.
      flow.tell(new FlowInternal.SegmentsIn(List.of(msg.ack())));
      return Behaviors.same();
    }
    long now = template.clock().nanoTime();
    if (unlistened || cookies == null || !cookiesRecent(now)) {
      reset(msg, key, DropReason.TCP_PORT_CLOSED, "no connection");
      return Behaviors.same();
    }
    int tsOffset = tsOffset(key);
    SynCookies.Check check =
        cookies.check(
            settings.config(), template.localAddress(), msg.remote(), msg.ack(), tsOffset, now);
    if (check instanceof SynCookies.Check.Valid valid) {
      counters.synCookieValidated();
      if (ctx.getLog().isDebugEnabled()) {
        ctx.getLog()
            .debug(
                "listener on port {}: SYN cookie of {} valid, options {}",
                settings.port(),
                key,
                valid.synOptions());
      }
      spawn(key, TcpFlowActor.fromCookie(wiring(key), msg.ack(), valid.synOptions(), tsOffset));
    } else if (check instanceof SynCookies.Check.Rejected rejected) {
      reset(msg, key, DropReason.TCP_SYN_COOKIE_INVALID, rejected.reason());
    }
    return Behaviors.same();
  }

  /** Counts {@code reason} and answers the ACK with {@code <SEQ=SEG.ACK><CTL=RST>}. */
  private void reset(AckArrived msg, FlowKey key, DropReason reason, String why) {
    counters.drop(reason);
    if (ctx.getLog().isDebugEnabled()) {
      ctx.getLog()
          .debug(
              "listener on port {}: ACK from {} reset: {} ({})", settings.port(), key, reason, why);
    }
    TcpSegment reset = ClosedPortReset.replyTo(msg.ack());
    if (reset != null) {
      template.host().tell(new HostCommand.TcpOut(key, List.of(reset)));
    }
  }

  private Behavior<Command> onEstablished(FlowEstablished msg) {
    halfOpen.remove(msg.key());
    CompletionStage<?> result =
        CompletableFuture.supplyAsync(() -> settings.callback().apply(msg.handle()), callbacks)
            .thenCompose(stage -> stage == null ? CompletableFuture.completedFuture(null) : stage);
    ctx.pipeToSelf(result, (ok, error) -> new CallbackFinished(msg.key(), msg.handle(), error));
    return Behaviors.same();
  }

  private Behavior<Command> onCallbackFinished(CallbackFinished msg) {
    if (msg.failure() != null) {
      ctx.getLog()
          .warn(
              "listener on port {}: callback for {} failed; aborting that flow",
              settings.port(),
              msg.handle(),
              msg.failure());
      msg.handle().ref().tell(new FlowCommand.Abort());
    }
    return Behaviors.same();
  }

  private Behavior<Command> onFlowStopped(FlowStopped msg) {
    running--;
    // Only if the 4-tuple is still this flow's (it stopped without ending): a newer flow may
    // hold it by now.
    if (open.remove(msg.key(), msg.flow())) {
      halfOpen.remove(msg.key());
    }
    return unlistened && running == 0 ? Behaviors.stopped() : Behaviors.same();
  }

  private void drop(DropReason reason, FlowKey key) {
    counters.drop(reason);
    if (ctx.getLog().isDebugEnabled()) {
      ctx.getLog()
          .debug("listener on port {}: SYN for {} dropped: {}", settings.port(), key, reason);
    }
  }
}
