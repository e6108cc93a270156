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
 */
public final class TcpListenerActor {

  public sealed interface Command {}

  /** A SYN for this port with no connection yet, and the ISS to answer it with (RFC 6528). */
  record SynArrived(TcpSegment syn, Ipv4Address remote, int iss) implements Command {}

  record FlowEstablished(FlowKey key, FlowHandle handle) implements Command {}

  /** A flow closed, established or not: it no longer holds a backlog slot. */
  record FlowEnded(FlowKey key) implements Command {}

  /** A flow's actor stopped (after lingering): the key is free again. */
  record FlowStopped(FlowKey key) implements Command {}

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
  private final Map<FlowKey, ActorRef<FlowCommand>> live = new HashMap<>();
  private final Set<FlowKey> halfOpen = new HashSet<>();
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
              return Behaviors.same();
            })
        .onMessage(FlowStopped.class, this::onFlowStopped)
        .onMessage(
            Unlisten.class,
            m -> {
              unlistened = true;
              return live.isEmpty() ? Behaviors.stopped() : Behaviors.same();
            })
        .build();
  }

  private Behavior<Command> onSyn(SynArrived msg) {
    FlowKey key = new FlowKey(msg.remote(), msg.syn().sourcePort(), settings.port());
    if (unlistened || live.containsKey(key)) {
      return Behaviors.same(); // a retransmitted SYN racing the flow's registration
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
            TcpFlowActor.passive(wiring, msg.syn(), msg.iss()), DispatcherSelector.sameAsParent());
    ctx.watchWith(flow, new FlowStopped(key));
    live.put(key, flow);
    halfOpen.add(key);
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
    halfOpen.remove(msg.key());
    live.remove(msg.key());
    return unlistened && live.isEmpty() ? Behaviors.stopped() : Behaviors.same();
  }
}
