package dev.vnetif;

import dev.vnetif.link.NetworkClock;
import dev.vnetif.link.SwitchCommand;
import dev.vnetif.link.conditions.LinkRandom;
import dev.vnetif.link.nemesis.NemesisActor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;

/**
 * A running {@link Nemesis}, from {@link VirtualNetwork#startNemesis(Nemesis)}: it partitions and
 * heals its hosts until {@link #stop()}. Thread-safe.
 *
 * <p>Its draws come from a random stream of its own, split from the network's seed by its {@link
 * #name()} ({@code nemesis-0} for a network's first run, {@code nemesis-1} for the second...): the
 * same seed, hosts and settings give the same {@link #events()} tick for tick, and nothing else
 * that draws from the seed changes them.
 */
public final class NemesisRun {
  private final String name;
  private final Nemesis nemesis;
  private final List<String> hosts;
  private final ActorRef<NemesisActor.Command> actor;
  private final List<NemesisEvent> events;
  private final CompletableFuture<Done> stopped;

  private NemesisRun(
      String name,
      Nemesis nemesis,
      List<String> hosts,
      ActorRef<NemesisActor.Command> actor,
      List<NemesisEvent> events,
      CompletableFuture<Done> stopped) {
    this.name = name;
    this.nemesis = nemesis;
    this.hosts = hosts;
    this.actor = actor;
    this.events = events;
    this.stopped = stopped;
  }

  /**
   * Spawns the run's actor; completes once it ticks. {@code nemesis} has its hosts; the run is the
   * network's {@code index}-th, counted from 0.
   */
  static CompletionStage<NemesisRun> start(
      ActorSystem<?> system,
      ActorRef<SwitchCommand> switchRef,
      NetworkClock clock,
      long seed,
      int index,
      Nemesis nemesis,
      String actorPrefix,
      Props props) {
    String name = "nemesis-" + index;
    List<NemesisActor.Host> hosts = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (SwitchAttachment host : nemesis.hosts().orElseThrow()) {
      String hostName = host instanceof Stack s ? s.name() : "port " + host.switchPort();
      hosts.add(new NemesisActor.Host(host.switchPort(), hostName));
      names.add(hostName);
    }
    List<NemesisEvent> events = new CopyOnWriteArrayList<>();
    CompletableFuture<Done> stopped = new CompletableFuture<>();
    CompletableFuture<Done> started = new CompletableFuture<>();
    NemesisActor.Settings settings =
        new NemesisActor.Settings(
            nemesis,
            hosts,
            name,
            LinkRandom.forLink(seed, name),
            clock,
            events::add,
            () -> started.complete(Done.getInstance()),
            () -> stopped.complete(Done.getInstance()));
    ActorRef<NemesisActor.Command> actor =
        system.systemActorOf(
            NemesisActor.create(switchRef, settings), actorPrefix + "-" + name, props);
    NemesisRun run = new NemesisRun(name, nemesis, List.copyOf(names), actor, events, stopped);
    // An actor stopped before it ran (the system shutting down) never starts: the run is over.
    return started.applyToEither(stopped, x -> run);
  }

  /**
   * Stops the run: no more draws, and the partition in force, if any, is healed — only the
   * nemesis's own cuts; a cut the user made on the same pair stays (see {@link
   * VirtualNetwork#heal}). Completes once the switch has applied the heal, so frames sent after
   * that pass. Calling it again, or after the network was shut down, is harmless and completes
   * (after a shutdown there is nothing left to heal).
   */
  public CompletionStage<Done> stop() {
    if (!stopped.isDone()) {
      actor.tell(new NemesisActor.Stop());
    }
    return stopped.copy();
  }

  /**
   * What the run has done so far, oldest first: an immutable snapshot, taken without a message
   * round trip. Each partition is followed by the heal that undid it, the last one by the heal that
   * {@link #stop()} made; after the stop has completed the list is final.
   */
  public List<NemesisEvent> events() {
    return List.copyOf(events);
  }

  /** The name of the run and of its random stream: {@code nemesis-0}, {@code nemesis-1}, ... */
  public String name() {
    return name;
  }

  /** What it runs, with its hosts. */
  public Nemesis nemesis() {
    return nemesis;
  }

  /** The names of its hosts, in the order its draws refer to (as the events name them). */
  public List<String> hosts() {
    return hosts;
  }

  @Override
  public String toString() {
    return "NemesisRun["
        + name
        + ", "
        + nemesis.mode()
        + " on "
        + hosts
        + ", "
        + events.size()
        + " events"
        + (stopped.isDone() ? ", stopped" : "")
        + "]";
  }
}
