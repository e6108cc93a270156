package dev.vnetif.time;

import com.typesafe.config.Config;
import dev.vnetif.link.NetworkClock;
import java.io.Closeable;
import java.time.Instant;
import java.util.PriorityQueue;
import java.util.concurrent.ThreadFactory;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.event.LoggingAdapter;
import scala.concurrent.ExecutionContext;
import scala.concurrent.duration.FiniteDuration;

/**
 * A Pekko scheduler ({@code pekko.scheduler.implementation}) that keeps virtual time: together with
 * the {@link SimulationExecutor} every actor of the system runs on, it makes the actor system a
 * discrete-event simulation.
 *
 * <ul>
 *   <li>Tasks wait in one timeline ordered by (deadline, sequence number), so ties are broken the
 *       same way every run.
 *   <li>A due task runs on the executor it was scheduled for, entered through the simulation's
 *       thread, so the order in which due tasks start is the timeline's order.
 *   <li>The clock never moves by itself. It jumps to the next deadline only when a thread asks it
 *       to ({@code VirtualTime.await}, {@code advance}) and the simulation is idle: no actor has
 *       mail and no task is queued or running. So the user's own code, running outside the
 *       simulation between two calls, never sees timers fire behind its back.
 * </ul>
 *
 * <p>Time is kept in nanoseconds from 0 at system start; {@link #clock()} gives it to the network
 * as a {@link NetworkClock}, whose wall-clock reading starts at {@code vnetif.virtual-time.epoch}
 * so that captures are identical from run to run, timestamps included.
 */
public final class VirtualTimeScheduler implements Scheduler, Closeable {
  private final Object lock = new Object();
  private final PriorityQueue<TimedTask> timeline = new PriorityQueue<>();
  private final SimulationExecutor executor;
  private final long epochNanosAtZero;
  private final NetworkClock clock;
  private final VirtualTime virtualTime;

  /** Virtual nanoseconds since start. Written under {@link #lock}; read freely. */
  private volatile long now;

  private long nextSequence;

  /** Tasks scheduled to run once, not yet run or cancelled: what a stalled wait can hope for. */
  private int pendingOnce;

  /** The constructor Pekko calls when it reads {@code pekko.scheduler.implementation}. */
  public VirtualTimeScheduler(Config config, LoggingAdapter log, ThreadFactory threadFactory) {
    this.executor = new SimulationExecutor(threadFactory);
    Instant epoch =
        config.hasPath("vnetif.virtual-time.epoch")
            ? Instant.parse(config.getString("vnetif.virtual-time.epoch"))
            : Instant.parse(VirtualTimeSettings.DEFAULT_EPOCH);
    this.epochNanosAtZero = epoch.getEpochSecond() * 1_000_000_000L + epoch.getNano();
    this.clock = new VirtualClock(this);
    this.virtualTime = new VirtualTime(this);
    executor.setIdleHook(this::advanceForWaiters);
  }

  /** A caller waiting in {@code VirtualTime}: for a stage (await) or for a time (advance). */
  static final class Waiter {
    final java.util.concurrent.CompletableFuture<?> stage;
    final long until;

    Waiter(java.util.concurrent.CompletableFuture<?> stage, long until) {
      this.stage = stage;
      this.until = until;
    }
  }

  /** What one attempt to move the clock did. */
  enum Step {
    /** Tasks due at the next deadline were handed on. */
    ADVANCED,
    /** The simulation is not idle: nothing moved. */
    BUSY,
    /** Nothing is due by the limit. */
    LIMIT,
    /** No task that runs once is scheduled: a stage waiting for one waits forever. */
    STALLED
  }

  private final java.util.List<Waiter> waiters = new java.util.concurrent.CopyOnWriteArrayList<>();

  Waiter addWaiter(java.util.concurrent.CompletableFuture<?> stage, long until) {
    Waiter waiter = new Waiter(stage, until);
    waiters.add(waiter);
    return waiter;
  }

  void removeWaiter(Waiter waiter) {
    waiters.remove(waiter);
  }

  /**
   * Moves the clock to the next deadline if the simulation is idle and no later than {@code limit}
   * — atomically with the idle check, so the clock never moves while a task is queued, whichever
   * thread asks. {@code forStage}: a stage waits, so a timeline with only periodic tasks left is a
   * stall, not a reason to move.
   */
  Step advanceIfIdle(long limit, boolean forStage) {
    synchronized (lock) {
      if (!executor.isIdle()) {
        return Step.BUSY;
      }
      if (forStage && pendingOnce == 0) {
        return Step.STALLED;
      }
      return advanceToNext(limit) ? Step.ADVANCED : Step.LIMIT;
    }
  }

  /**
   * The simulation thread's idle hook: while callers wait and none of their stages is complete,
   * move on to the next deadline (at most the earliest caller's limit) right here. Anything else —
   * a stage complete, a limit reached, a stall — is left to the waiting callers, woken for it.
   */
  private boolean advanceForWaiters() {
    if (waiters.isEmpty()) {
      return false;
    }
    long limit = Long.MAX_VALUE;
    boolean forStage = false;
    for (Waiter waiter : waiters) {
      if (waiter.stage != null) {
        if (waiter.stage.isDone()) {
          return false; // its caller runs next: the clock stays until it waits again
        }
        forStage = true;
      }
      limit = Math.min(limit, waiter.until);
    }
    return advanceIfIdle(limit, forStage) == Step.ADVANCED;
  }

  /** The handle tests and the network drive this scheduler's time with. */
  VirtualTime virtualTime() {
    return virtualTime;
  }

  /** Virtual nanoseconds since the actor system started. */
  public long nanoTime() {
    return now;
  }

  long epochNanos() {
    return epochNanosAtZero + now;
  }

  /** The network clock that reads this scheduler's time. */
  public NetworkClock clock() {
    return clock;
  }

  SimulationExecutor executor() {
    return executor;
  }

  @Override
  public Cancellable scheduleOnce(FiniteDuration delay, Runnable runnable, ExecutionContext ec) {
    return add(runnable, ec, delay.toNanos(), 0);
  }

  @Override
  public Cancellable schedule(
      FiniteDuration initialDelay,
      FiniteDuration interval,
      Runnable runnable,
      ExecutionContext ec) {
    long period = interval.toNanos();
    if (period <= 0) {
      throw new IllegalArgumentException("interval must be positive, got " + interval);
    }
    return add(runnable, ec, initialDelay.toNanos(), period);
  }

  /** Schedulers report how often they can fire; virtual time has no tick, so: every nanosecond. */
  @Override
  public double maxFrequency() {
    return 1.0e9;
  }

  private TimedTask add(Runnable runnable, ExecutionContext ec, long delayNanos, long period) {
    synchronized (lock) {
      TimedTask task = new TimedTask(this, runnable, ec, now + Math.max(0, delayNanos), period);
      task.sequence = nextSequence++;
      if (delayNanos <= 0) {
        // Due now. Every task due at an earlier or equal time has already been handed on (the
        // clock reached "now" only after they were), so handing this one on at once keeps the
        // (deadline, sequence) order.
        dispatch(task);
        if (task.isPeriodic()) {
          requeue(task);
        } else {
          task.fired = true;
        }
      } else {
        timeline.add(task);
        if (!task.isPeriodic()) {
          pendingOnce++;
        }
      }
      return task;
    }
  }

  /** Enters the task's executor through the simulation thread, so it runs in timeline order. */
  private void dispatch(TimedTask task) {
    executor.execute(entry(task));
  }

  private static Runnable entry(TimedTask task) {
    return () -> {
      try {
        task.executor.execute(task.runnable);
      } catch (RuntimeException e) {
        task.executor.reportFailure(e);
      }
    };
  }

  private void requeue(TimedTask periodic) {
    periodic.deadline += periodic.intervalNanos;
    periodic.sequence = nextSequence++;
    timeline.add(periodic);
  }

  boolean cancel(TimedTask task) {
    synchronized (lock) {
      if (task.cancelled || task.fired) {
        return false;
      }
      task.cancelled = true;
      // Left in the timeline and skipped when reached: removal from a heap is linear, and flows
      // cancel and restart timers on every acknowledgement.
      if (!task.isPeriodic()) {
        pendingOnce--;
      }
      if (timeline.size() > 1024 && pendingOnce < timeline.size() / 4) {
        timeline.removeIf(t -> t.cancelled);
      }
      return true;
    }
  }

  boolean isCancelled(TimedTask task) {
    synchronized (lock) {
      return task.cancelled;
    }
  }

  /** Tasks scheduled to run once that are still waiting (periodic background tasks not counted). */
  boolean hasPendingOnce() {
    synchronized (lock) {
      return pendingOnce > 0;
    }
  }

  /** The deadline of the next live task, or {@code Long.MAX_VALUE} when there is none. */
  long nextDeadline() {
    synchronized (lock) {
      dropCancelledHead();
      TimedTask head = timeline.peek();
      return head == null ? Long.MAX_VALUE : head.deadline;
    }
  }

  /**
   * Moves the clock to the next deadline, if it is no later than {@code limit}, and hands every
   * task due then to its executor, in sequence order. Returns false, leaving the clock alone, when
   * no task is due by {@code limit}. Only called while the simulation is idle.
   */
  boolean advanceToNext(long limit) {
    synchronized (lock) {
      dropCancelledHead();
      TimedTask head = timeline.peek();
      if (head == null || head.deadline > limit) {
        return false;
      }
      now = Math.max(now, head.deadline);
      // All tasks due now enter the simulation's queue at once: handed on one by one from a
      // waiting caller's thread, the first could start running on the simulation thread and queue
      // its own work before the second is queued, and the order within the instant would depend
      // on thread timing.
      java.util.List<Runnable> due = new java.util.ArrayList<>();
      while ((head = timeline.peek()) != null && head.deadline <= now) {
        timeline.poll();
        if (head.cancelled) {
          continue;
        }
        due.add(entry(head));
        if (head.isPeriodic()) {
          requeue(head);
        } else {
          head.fired = true;
          pendingOnce--;
        }
      }
      executor.executeAll(due);
      return true;
    }
  }

  /** Moves the clock forward to {@code target} with nothing due before it (after advancing). */
  void moveTo(long target) {
    synchronized (lock) {
      if (target > now) {
        now = target;
      }
    }
  }

  private void dropCancelledHead() {
    TimedTask head;
    while ((head = timeline.peek()) != null && head.cancelled) {
      timeline.poll();
    }
  }

  /** Called by the actor system when it terminates: the simulation thread ends once drained. */
  @Override
  public void close() {
    executor.shutdown();
  }
}
