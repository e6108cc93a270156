package dev.vnetif.stack;

import dev.vnetif.link.NetworkClock;
import dev.vnetif.tcp.TcpConfig;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.TcpSegment;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
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
 * within the backlog (RFC 4987: beyond it SYNs are dropped and counted), spawns a flow per accepted
 * SYN, and runs the user's callback for each flow once established — off the actor, so a slow or
 * failing callback affects only its own flow: a callback that throws or fails aborts that flow
 * (RST). After unlisten it takes no new SYNs and stops when its last flow has.
 *
 * <p>A 4-tuple is taken from its SYN until its flow ENDS ({@link FlowEnded}), not until the flow's
 * actor stops: a closed flow lingers to answer late requests, and a new SYN for its 4-tuple (the
 * peer reusing a port) must reach a new flow meanwhile. A SYN that cannot be served is dropped and
 * counted under a {@link DropReason}.
 */
public final class TcpListenerActor {

  public sealed interface Command {}

  /** A SYN for this port with no connection yet, and the ISS to answer it with (RFC 6528). */
  record SynArrived(TcpSegment syn, Ipv4Address remote, int iss, int tsOffset) implements Command {}

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
      HostCounters counters) {
    this.ctx = ctx;
    this.settings = settings;
    this.template = template;
    this.counters = counters;
    this.callbacks = ctx.getSystem().dispatchers().lookup(DispatcherSelector.defaultDispatcher());
  }

  static Behavior<Command> create(
      Settings settings,
      ActorRef<HostMessage> host,
      NetworkClock clock,
      Ipv4Address localAddress,
      HostCounters counters) {
    return Behaviors.setup(
        ctx -> {
          TcpFlowActor.Wiring template =
              new TcpFlowActor.Wiring(
                  host, clock, localAddress, null, settings.config(), ctx.getSelf());
          return new TcpListenerActor(ctx, settings, template, counters).behavior();
        });
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(SynArrived.class, this::onSyn)
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
      counters.drop(DropReason.TCP_BACKLOG_FULL);
      return Behaviors.same();
    }
    TcpFlowActor.Wiring wiring =
        new TcpFlowActor.Wiring(
            template.host(),
            template.clock(),
            template.localAddress(),
            key,
            settings.config(),
            ctx.getSelf());
    ActorRef<FlowCommand> flow =
        ctx.spawnAnonymous(
            TcpFlowActor.passive(wiring, msg.syn(), msg.iss(), msg.tsOffset()),
            DispatcherSelector.sameAsParent());
    ctx.watchWith(flow, new FlowStopped(key, flow));
    open.put(key, flow);
    halfOpen.add(key);
    running++;
    return Behaviors.same();
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
