package dev.vnetif.cli;

import dev.vnetif.link.NetworkClock;
import dev.vnetif.time.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The time a command's traffic runs on, and the one place where the command's own steps run
 * (iperf's interval boundaries, the end of a timed run, a scenario's schedule). Every time a
 * command measures goes through here, so that the same code runs over the wall clock and in virtual
 * time:
 *
 * <ul>
 *   <li>{@link Wall}: what iperf3 over a real link is compared with, wall-clock time; its steps run
 *       on a timer thread of its own, so no actor's thread ever waits for one.
 *   <li>{@link Simulated}: a network in virtual time ({@link VirtualTime}); its steps are tasks of
 *       the simulation, so they happen at exact virtual instants and in the same order every run,
 *       and time cannot move while one runs.
 * </ul>
 */
sealed interface TrafficClock permits TrafficClock.Wall, TrafficClock.Simulated {

  /** Monotonic nanoseconds of the network's clock, for intervals and rates. */
  long nanos();

  /** The time of day on the network's clock, for a report's timestamp. */
  Instant now();

  /**
   * Runs the command's steps one at a time, in the order given: code that runs here needs no lock
   * against other steps of the same clock.
   */
  Executor executor();

  /** Runs {@code task} on {@link #executor()} once {@code delayNanos} of this clock have passed. */
  Cancellable schedule(long delayNanos, Runnable task);

  /** The wall clock; its steps run on a daemon thread that {@link Wall#close()} ends. */
  static Wall wall() {
    return new Wall();
  }

  /** The virtual time of {@code system}, created with {@link VirtualTime#config()}. */
  static Simulated simulated(ActorSystem<?> system) {
    return new Simulated(system, VirtualTime.get(system));
  }

  /** Wall-clock time, with a timer thread of its own for the steps. */
  final class Wall implements TrafficClock, AutoCloseable {
    private final NetworkClock clock = NetworkClock.system();
    private final ScheduledThreadPoolExecutor steps;

    private Wall() {
      steps =
          new ScheduledThreadPoolExecutor(
              1,
              task -> {
                Thread thread = new Thread(task, "vnetif-traffic-clock");
                thread.setDaemon(true);
                return thread;
              });
      // A timed run cancels its deadline when it ends early; the task need not wait it out.
      steps.setRemoveOnCancelPolicy(true);
    }

    @Override
    public long nanos() {
      return clock.nanoTime();
    }

    @Override
    public Instant now() {
      return Instant.now();
    }

    @Override
    public Executor executor() {
      return steps;
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
      ScheduledFuture<?> future =
          steps.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
      return new Cancellable() {
        @Override
        public boolean cancel() {
          return future.cancel(false);
        }

        @Override
        public boolean isCancelled() {
          return future.isCancelled();
        }
      };
    }

    @Override
    public void close() {
      steps.shutdownNow();
    }
  }

  /** The virtual time of a simulation: its clock, its scheduler, its one thread. */
  final class Simulated implements TrafficClock {
    private final ActorSystem<?> system;
    private final VirtualTime time;

    private Simulated(ActorSystem<?> system, VirtualTime time) {
      this.system = system;
      this.time = time;
    }

    /** The simulation, for the command's waits ({@link VirtualTime#await}). */
    VirtualTime time() {
      return time;
    }

    @Override
    public long nanos() {
      return time.clock().nanoTime();
    }

    /** The simulation's own time of day, so that a replayed run's report is the same. */
    @Override
    public Instant now() {
      long epochNanos = time.clock().epochNanos();
      return Instant.ofEpochSecond(0, epochNanos);
    }

    @Override
    public Executor executor() {
      return system.executionContext();
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
      return system
          .scheduler()
          .scheduleOnce(Duration.ofNanos(Math.max(0, delayNanos)), task, system.executionContext());
    }
  }
}
