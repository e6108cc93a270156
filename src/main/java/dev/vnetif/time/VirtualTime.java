package dev.vnetif.time;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.vnetif.link.NetworkClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Scheduler;

/**
 * Virtual time for an actor system: the network as a discrete-event simulation.
 *
 * <p>Create the actor system with {@link #config()} (as with Pekko's {@code ManualTime.config()}):
 * its scheduler keeps virtual time and every dispatcher runs on one deterministic thread. Networks
 * created on it read their time from the simulation. Then drive time from the test:
 *
 * <pre>{@code
 * ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "sim",
 *     VirtualTime.config().withFallback(ConfigFactory.load()));
 * VirtualTime time = VirtualTime.get(system);
 * VirtualNetwork net = VirtualNetwork.create(system);
 * Stack a = time.await(net.createStack("10.0.0.2/24"));
 * ...
 * ReadResult r = time.await(flow.read());   // a 2-hour keepalive takes milliseconds
 * }</pre>
 *
 * <p>The clock jumps from deadline to deadline, and only while a thread waits in {@link
 * #await(CompletionStage)}, {@link #advance(Duration)} or {@link #run(Supplier)}, and the
 * simulation is idle (no actor has mail, no task is queued or running). Code of the caller that
 * runs between two calls never sees a retransmission timer fire behind its back. When the awaited
 * stage cannot complete because nothing is left to happen, {@code await} fails at once with a
 * {@link SimulationDeadlockException} naming the virtual time and the flows still open, instead of
 * hanging.
 *
 * <p>Determinism: tasks due at the same instant run in the order they were scheduled, the actors
 * run one message at a time on one thread, and every random draw of a network comes from its seed,
 * so the same seed and the same inputs give the same frames at the same virtual times.
 */
public final class VirtualTime {
  /** How far one {@link #await(CompletionStage)} may move the clock unless told otherwise. */
  public static final Duration DEFAULT_AWAIT_LIMIT = Duration.ofDays(7);

  private final VirtualTimeScheduler scheduler;
  private final SimulationExecutor executor;
  private final List<Supplier<CompletionStage<String>>> stallReports = new CopyOnWriteArrayList<>();

  VirtualTime(VirtualTimeScheduler scheduler) {
    this.scheduler = scheduler;
    this.executor = scheduler.executor();
  }

  /**
   * The settings that put an actor system in virtual time: the scheduler, and every dispatcher
   * (Pekko's default and internal ones and {@code vnetif.dispatcher}) on the simulation's thread.
   * Put it in front of the application's config: {@code
   * VirtualTime.config().withFallback(ConfigFactory.load())}.
   */
  public static Config config() {
    String executor = SimulationExecutorConfigurator.class.getName();
    String dispatcher =
        "{ type = Dispatcher, executor = \""
            + executor
            + "\", throughput = 64, throughput-deadline-time = 0ms }";
    return ConfigFactory.parseString(
        "pekko.scheduler.implementation = \""
            + VirtualTimeScheduler.class.getName()
            + "\"\n"
            + "pekko.actor.default-dispatcher = "
            + dispatcher
            + "\n"
            + "pekko.actor.internal-dispatcher = "
            + dispatcher
            + "\n"
            + "vnetif.dispatcher = "
            + dispatcher
            + "\n");
  }

  /** The virtual time of a system created with {@link #config()}. */
  public static VirtualTime get(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    return get(system.classicSystem());
  }

  /** The virtual time of a classic actor system created with {@link #config()}. */
  public static VirtualTime get(ActorSystem system) {
    return find(system)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "actor system "
                        + system.name()
                        + " is not in virtual time: its scheduler is "
                        + system.scheduler().getClass().getName()
                        + "; create it with VirtualTime.config()"));
  }

  /** The virtual time of the system, or empty when it runs in real time. */
  public static Optional<VirtualTime> find(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    return find(system.classicSystem());
  }

  private static Optional<VirtualTime> find(ActorSystem system) {
    Scheduler scheduler = system.scheduler();
    return scheduler instanceof VirtualTimeScheduler
        ? Optional.of(((VirtualTimeScheduler) scheduler).virtualTime())
        : Optional.empty();
  }

  /** Virtual time elapsed since the actor system started. */
  public Duration now() {
    return Duration.ofNanos(scheduler.nanoTime());
  }

  /** The clock networks of this system read. */
  public NetworkClock clock() {
    return scheduler.clock();
  }

  /**
   * Waits for the stage, letting virtual time advance while nothing else can happen, up to {@link
   * #DEFAULT_AWAIT_LIMIT} of virtual time. Returns its value, or throws what {@link
   * CompletableFuture#join()} throws for a failed stage, once the stage is complete and the
   * simulation has done everything due at that instant (so the caller's next step starts from the
   * same state every run).
   *
   * @throws SimulationDeadlockException when the stage is incomplete, the simulation idle and
   *     nothing scheduled
   */
  public <T> T await(CompletionStage<T> stage) {
    return await(stage, DEFAULT_AWAIT_LIMIT);
  }

  /**
   * Waits for the stage, letting virtual time advance by at most {@code limit}; past it the stage
   * is given up with a {@link CompletionException} caused by a {@link VirtualTimeLimitException} (a
   * {@link TimeoutException}, told apart from a stage that itself failed with one).
   */
  public <T> T await(CompletionStage<T> stage, Duration limit) {
    if (stage == null) {
      throw new IllegalArgumentException("stage must not be null");
    }
    if (limit == null || limit.isNegative()) {
      throw new IllegalArgumentException("limit must be zero or positive, got " + limit);
    }
    refuseOnSimulationThread("await");
    CompletableFuture<T> future = stage.toCompletableFuture();
    future.whenComplete((value, failure) -> executor.wakeWaiters());
    long until = saturatedAdd(scheduler.nanoTime(), limit);
    // While registered, the simulation thread itself moves the clock from deadline to deadline
    // whenever it goes idle; this thread only handles what ends the wait.
    VirtualTimeScheduler.Waiter waiter = scheduler.addWaiter(future, until);
    try {
      while (!future.isDone()) {
        waitIdle(future);
        if (future.isDone()) {
          break;
        }
        VirtualTimeScheduler.Step step = scheduler.advanceIfIdle(until, true);
        if (step == VirtualTimeScheduler.Step.STALLED) {
          scheduler.removeWaiter(waiter); // the report's own asks must not move the clock
          throw deadlock();
        }
        if (step == VirtualTimeScheduler.Step.LIMIT) {
          throw new CompletionException(
              new VirtualTimeLimitException(
                  "stage not complete after "
                      + limit
                      + " of virtual time (now "
                      + format(scheduler.nanoTime())
                      + ", next task at "
                      + format(scheduler.nextDeadline())
                      + ")",
                  limit));
        }
      }
    } finally {
      scheduler.removeWaiter(waiter);
    }
    // Return only once everything due at this instant has run, so that what the caller does next
    // always starts from the same state of the simulation, whatever the threads' timing.
    waitIdle(null);
    return future.join();
  }

  /**
   * Lets {@code duration} of virtual time pass: every task due by then runs, each at its own
   * virtual time, and the clock ends exactly {@code duration} later with the simulation idle.
   */
  public void advance(Duration duration) {
    if (duration == null || duration.isNegative()) {
      throw new IllegalArgumentException("duration must be zero or positive, got " + duration);
    }
    refuseOnSimulationThread("advance");
    long target = saturatedAdd(scheduler.nanoTime(), duration);
    VirtualTimeScheduler.Waiter waiter = scheduler.addWaiter(null, target);
    try {
      while (true) {
        waitIdle(null);
        if (scheduler.advanceIfIdle(target, false) == VirtualTimeScheduler.Step.LIMIT) {
          scheduler.moveTo(target);
          break;
        }
      }
    } finally {
      scheduler.removeWaiter(waiter);
    }
    waitIdle(null);
  }

  /** Waits, without moving the clock, until no actor has mail and no task is queued or running. */
  public void runUntilIdle() {
    refuseOnSimulationThread("runUntilIdle");
    waitIdle(null);
  }

  /**
   * Runs {@code body} inside the simulation (on its thread, as one task, so time cannot move while
   * it runs) and waits for the stage it returns, as {@link #await(CompletionStage)} does. For test
   * bodies written as asynchronous code: compose stages inside, never block.
   */
  public <T> T run(Supplier<? extends CompletionStage<T>> body) {
    if (body == null) {
      throw new IllegalArgumentException("body must not be null");
    }
    CompletableFuture<CompletionStage<T>> started = new CompletableFuture<>();
    executor.execute(
        () -> {
          try {
            started.complete(body.get());
          } catch (Throwable t) {
            started.completeExceptionally(t);
          }
        });
    return await(started.thenCompose(s -> s));
  }

  /**
   * Adds a line to what a {@link SimulationDeadlockException} reports; the stage is given the idle
   * simulation to complete in. Networks add their open flows.
   */
  public void addStallReport(Supplier<CompletionStage<String>> report) {
    stallReports.add(report);
  }

  /** Takes back a report added with {@link #addStallReport}. */
  public void removeStallReport(Supplier<CompletionStage<String>> report) {
    stallReports.remove(report);
  }

  private void waitIdle(CompletableFuture<?> orDone) {
    try {
      executor.awaitIdle(orDone == null ? () -> false : orDone::isDone);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CompletionException(e);
    }
  }

  private SimulationDeadlockException deadlock() {
    long at = scheduler.nanoTime();
    List<CompletableFuture<String>> reports = new ArrayList<>();
    for (Supplier<CompletionStage<String>> report : stallReports) {
      try {
        reports.add(report.get().toCompletableFuture());
      } catch (RuntimeException e) {
        reports.add(CompletableFuture.completedFuture("(report failed: " + e + ")"));
      }
    }
    waitIdle(null);
    StringBuilder text =
        new StringBuilder("deadlocked at virtual time ")
            .append(format(at))
            .append(": the awaited stage is incomplete and nothing is scheduled");
    for (CompletableFuture<String> report : reports) {
      String line = report.isDone() && !report.isCompletedExceptionally() ? report.join() : null;
      if (line != null && !line.isEmpty()) {
        text.append("\n  ").append(line);
      }
    }
    return new SimulationDeadlockException(text.toString(), Duration.ofNanos(at));
  }

  private void refuseOnSimulationThread(String what) {
    if (executor.isSimulationThread()) {
      throw new IllegalStateException(
          "VirtualTime."
              + what
              + " called inside the simulation (from an actor or a run body): it would block the"
              + " simulation's only thread; compose the stage instead");
    }
  }

  /** Virtual nanoseconds as seconds with microseconds: {@code 7200.000125s}. */
  static String format(long nanos) {
    if (nanos == Long.MAX_VALUE) {
      return "never";
    }
    return String.format(
        java.util.Locale.ROOT,
        "%d.%06ds",
        nanos / 1_000_000_000L,
        (nanos % 1_000_000_000L) / 1_000);
  }

  private static long saturatedAdd(long now, Duration d) {
    long nanos;
    try {
      nanos = d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
    long sum = now + nanos;
    return sum < now ? Long.MAX_VALUE : sum;
  }
}
