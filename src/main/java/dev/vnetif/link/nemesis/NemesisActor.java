package dev.vnetif.link.nemesis;

import dev.vnetif.Nemesis;
import dev.vnetif.NemesisEvent;
import dev.vnetif.link.NetworkClock;
import dev.vnetif.link.SwitchCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Runs one {@link Nemesis}: a timer ticks, {@link NemesisSchedule} decides, and the actor carries
 * the decision out with the switch's own {@link SwitchCommand.Cut}, owned by the run so that its
 * heals mend only its own cuts. Every step is reported to {@link Settings#events()} after its cuts
 * were sent, so whoever sees the event and then sends a frame finds the cut in force (the switch
 * handles its mailbox in order).
 *
 * <p>{@link Stop} ends the ticks, heals the partition in force and stops the actor once the switch
 * has confirmed the heal; {@link Settings#stopped()} runs when the actor stops for any reason — a
 * stop, the switch stopping (the network shut down: nothing left to heal), the actor system ending.
 * No order of these messages makes the actor throw.
 */
public final class NemesisActor extends AbstractBehavior<NemesisActor.Command> {

  /** A heal the switch has not confirmed by then is given up on (the switch is shutting down). */
  private static final Duration HEAL_WAIT = Duration.ofSeconds(10);

  private static final Object TICK = "tick";
  private static final Object HEAL_TIMEOUT = "heal-timeout";

  /** What the actor understands; only {@link Stop} is for others. */
  public sealed interface Command {}

  /** Stop ticking, heal what is cut, then stop. Harmless when sent again. */
  public record Stop() implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  /** The switch confirmed the last heal of a stop. */
  private enum Healed implements Command {
    INSTANCE
  }

  private enum HealTimedOut implements Command {
    INSTANCE
  }

  /** A host the nemesis acts on: its switch port, and its name for the events. */
  public record Host(int port, String name) {}

  /**
   * @param hosts at least two, on different ports, in the order the draws refer to
   * @param owner the name of the run: the owner of its cuts in the switch
   * @param random the run's own stream
   * @param clock the network's clock, for the events' times
   * @param events hears each event, on the actor's thread
   * @param started runs once the clock's zero is taken and the first tick is scheduled
   * @param stopped runs once, when the actor stops
   */
  public record Settings(
      Nemesis nemesis,
      List<Host> hosts,
      String owner,
      SplittableRandom random,
      NetworkClock clock,
      Consumer<NemesisEvent> events,
      Runnable started,
      Runnable stopped) {
    public Settings {
      hosts = List.copyOf(hosts);
    }
  }

  private final ActorRef<SwitchCommand> switchRef;
  private final Settings settings;
  private final TimerScheduler<Command> timers;
  private final NemesisSchedule schedule;
  private final long startNanos;
  private long ticks;
  private boolean stopping;

  public static Behavior<Command> create(ActorRef<SwitchCommand> switchRef, Settings settings) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new NemesisActor(ctx, timers, switchRef, settings)));
  }

  private NemesisActor(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      ActorRef<SwitchCommand> switchRef,
      Settings settings) {
    super(ctx);
    this.switchRef = switchRef;
    this.settings = settings;
    this.timers = timers;
    this.schedule =
        new NemesisSchedule(settings.nemesis(), settings.hosts().size(), settings.random());
    this.startNanos = settings.clock().nanoTime();
    // A network shut down under a running nemesis leaves nothing to heal: stop with it.
    ctx.watch(switchRef);
    // Fixed delay rather than fixed rate: after a stall, a burst of catch-up ticks would cut the
    // stabilities short; ticks are counted, so the draws stay the same either way.
    timers.startTimerWithFixedDelay(TICK, Tick.INSTANCE, settings.nemesis().tick());
    settings.started().run();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(Stop.class, stop -> onStop())
        .onMessageEquals(Healed.INSTANCE, Behaviors::stopped)
        .onMessageEquals(HealTimedOut.INSTANCE, this::onHealTimedOut)
        .onSignal(Terminated.class, terminated -> Behaviors.stopped())
        .onSignal(PostStop.class, signal -> onPostStop())
        .build();
  }

  private Behavior<Command> onTick() {
    if (stopping) {
      return this; // a tick already in the mailbox when the stop came
    }
    ticks++;
    schedule
        .tick()
        .ifPresent(
            step -> {
              if (step instanceof NemesisSchedule.Partition p) {
                send(p, true, null);
                report(NemesisEvent.Action.PARTITION, p);
              } else if (step instanceof NemesisSchedule.Heal h) {
                send(h.partition(), false, null);
                report(NemesisEvent.Action.HEAL, h.partition());
              }
            });
    return this;
  }

  private Behavior<Command> onStop() {
    if (stopping) {
      return this;
    }
    stopping = true;
    timers.cancel(TICK);
    NemesisSchedule.Partition current = schedule.current().orElse(null);
    if (current == null) {
      return Behaviors.stopped();
    }
    // The switch answers in mailbox order: the answer to the last heal confirms them all.
    send(current, false, getContext().messageAdapter(Done.class, done -> Healed.INSTANCE));
    report(NemesisEvent.Action.HEAL, current);
    timers.startSingleTimer(HEAL_TIMEOUT, HealTimedOut.INSTANCE, HEAL_WAIT);
    return this;
  }

  private Behavior<Command> onHealTimedOut() {
    getContext()
        .getLog()
        .warn("{}: the switch did not confirm the heal within {}", settings.owner(), HEAL_WAIT);
    return Behaviors.stopped();
  }

  private Behavior<Command> onPostStop() {
    settings.stopped().run();
    return this;
  }

  /**
   * Cuts ({@code cut}) or mends every pair across the sides, in the partition's directions; the
   * last command's answer goes to {@code lastReplyTo} (nowhere when null).
   */
  private void send(NemesisSchedule.Partition p, boolean cut, ActorRef<Done> lastReplyTo) {
    ActorRef<Done> ignore = getContext().getSystem().ignoreRef();
    boolean bothWays = p.cut() == NemesisEvent.Cut.BOTH_WAYS;
    int left = p.sideA().size() * p.sideB().size();
    for (int a : p.sideA()) {
      for (int b : p.sideB()) {
        int portA = settings.hosts().get(a).port();
        int portB = settings.hosts().get(b).port();
        boolean fromB = p.cut() == NemesisEvent.Cut.B_TO_A;
        ActorRef<Done> replyTo = --left == 0 && lastReplyTo != null ? lastReplyTo : ignore;
        switchRef.tell(
            new SwitchCommand.Cut(
                fromB ? portB : portA,
                fromB ? portA : portB,
                bothWays,
                cut,
                settings.owner(),
                replyTo));
      }
    }
  }

  private void report(NemesisEvent.Action action, NemesisSchedule.Partition p) {
    NemesisEvent event =
        new NemesisEvent(
            ticks,
            Duration.ofNanos(settings.clock().nanoTime() - startNanos),
            action,
            settings.nemesis().mode(),
            names(p.sideA()),
            names(p.sideB()),
            p.cut());
    getContext().getLog().debug("{}: {}", settings.owner(), event.describe());
    settings.events().accept(event);
  }

  private List<String> names(List<Integer> side) {
    List<String> names = new ArrayList<>(side.size());
    side.forEach(i -> names.add(settings.hosts().get(i).name()));
    return names;
  }
}
