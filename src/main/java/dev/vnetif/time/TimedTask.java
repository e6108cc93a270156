package dev.vnetif.time;

import org.apache.pekko.actor.Cancellable;
import scala.concurrent.ExecutionContext;

/**
 * One entry of the {@link VirtualTimeScheduler}'s timeline: what runs, where, and when. Entries are
 * ordered by (deadline, sequence number), so tasks due at the same instant run in the order they
 * were scheduled, every run — the tie-break Pekko's {@code ExplicitlyTriggeredScheduler} leaves
 * undefined.
 */
final class TimedTask implements Cancellable, Comparable<TimedTask> {
  private final VirtualTimeScheduler owner;
  final Runnable runnable;
  final ExecutionContext executor;

  /** Zero for a task that runs once; otherwise the period of a fixed-rate task, in nanoseconds. */
  final long intervalNanos;

  /** Virtual nanoseconds. Changed only by the owner, under its lock (a periodic task moves on). */
  long deadline;

  long sequence;

  /** Guarded by the owner's lock. */
  boolean cancelled;

  /** A task that runs once and has been handed to its executor. Guarded by the owner's lock. */
  boolean fired;

  TimedTask(
      VirtualTimeScheduler owner,
      Runnable runnable,
      ExecutionContext executor,
      long deadline,
      long intervalNanos) {
    this.owner = owner;
    this.runnable = runnable;
    this.executor = executor;
    this.deadline = deadline;
    this.intervalNanos = intervalNanos;
  }

  boolean isPeriodic() {
    return intervalNanos > 0;
  }

  @Override
  public boolean cancel() {
    return owner.cancel(this);
  }

  @Override
  public boolean isCancelled() {
    return owner.isCancelled(this);
  }

  @Override
  public int compareTo(TimedTask other) {
    int byTime = Long.compare(deadline, other.deadline);
    return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
  }

  @Override
  public String toString() {
    return "TimedTask[at " + deadline + " ns, #" + sequence + ", " + runnable + "]";
  }
}
