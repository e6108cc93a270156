package dev.vnetif.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.pekko.actor.Cancellable;

/**
 * The clock of an iperf run: at every interval boundary it reads the streams' counters and hands
 * the interval to a listener (which prints it as it happens, as iperf3 does), it ends the warm-up
 * ({@code -O}), and it stops the writers when the test time is up. Each of these is a step timed by
 * the run's {@link TrafficClock} and run on its executor, one at a time, so nothing waits: over the
 * wall clock a timer thread takes the steps, in virtual time the simulation does, at exact
 * instants.
 *
 * <p>The last interval ends when the writers have finished, not at the stop: writes issued before
 * the stop complete after it, and their bytes belong to the stream. So the intervals of a stream
 * always add up to what its sender wrote after the warm-up.
 */
final class IperfTimeline {

  /**
   * @param omitNanos warm-up at the start, reported as omitted and left out of the summary
   * @param durationNanos test time after the warm-up; 0 runs until the writers finish (--size)
   * @param intervalNanos reporting interval; 0 reports no intervals
   * @param earlyStop asked at each interval boundary after the warm-up whether the test has run
   *     long enough to stop before {@code durationNanos}
   */
  record Plan(long omitNanos, long durationNanos, long intervalNanos, EarlyStop earlyStop) {
    Plan(long omitNanos, long durationNanos, long intervalNanos) {
      this(omitNanos, durationNanos, intervalNanos, EarlyStop.NEVER);
    }
  }

  /** Whether a timed test has seen enough to stop before its time is up. */
  @FunctionalInterface
  interface EarlyStop {
    EarlyStop NEVER = (elapsedNanos, base, now) -> false;

    /**
     * @param elapsedNanos test time so far (after the warm-up)
     * @param base the counters at the test's time zero, in the order of the streams
     * @param now the counters now
     */
    boolean reached(
        long elapsedNanos, List<IperfStream.Snapshot> base, List<IperfStream.Snapshot> now);
  }

  /**
   * @param startNanos the test's time zero: the end of the warm-up
   * @param base the counters at time zero
   * @param last the counters once the writers finished
   * @param intervals those reported, warm-up included
   */
  record Result(
      long startNanos,
      List<IperfStream.Snapshot> base,
      List<IperfStream.Snapshot> last,
      List<IperfInterval> intervals) {}

  private final List<IperfStream> streams;
  private final Plan plan;
  private final Runnable stop;
  private final TrafficClock clock;
  private final Consumer<IperfInterval> listener;
  private final CompletableFuture<Result> result = new CompletableFuture<>();
  private final List<IperfInterval> intervals = new ArrayList<>();

  // Confined to the clock's executor: every step below runs there.
  private long phaseStart;
  private long phaseEnd;
  private boolean warmingUp;
  private List<IperfStream.Snapshot> previous;
  private List<IperfStream.Snapshot> base;
  private long tick = 1;
  private long target;
  private Cancellable pending;

  private IperfTimeline(
      List<IperfStream> streams,
      List<IperfStream.Snapshot> start,
      Plan plan,
      Runnable stop,
      TrafficClock clock,
      Consumer<IperfInterval> listener) {
    this.streams = streams;
    this.plan = plan;
    this.stop = stop;
    this.clock = clock;
    this.listener = listener;
    this.phaseStart = start.get(0).nanos();
    this.previous = start;
    this.base = start;
    this.warmingUp = plan.omitNanos() > 0;
    this.phaseEnd = phaseEnd(phaseStart, warmingUp ? plan.omitNanos() : plan.durationNanos());
  }

  /** The streams' counters at {@code nanos}, in the order of {@code streams}. */
  static List<IperfStream.Snapshot> snapshots(List<IperfStream> streams, long nanos) {
    List<IperfStream.Snapshot> all = new ArrayList<>(streams.size());
    for (IperfStream s : streams) {
      all.add(s.snapshot(nanos));
    }
    return all;
  }

  /**
   * Runs from {@code start} (the counters taken before the first write, at the run's time zero)
   * until {@code writersDone} completes (after {@code stop} when the test is timed).
   *
   * @return completes with the timeline once the writers are done; fails as {@code writersDone}
   *     does. Completing it from outside (the run gave up) ends the timeline: no step runs after.
   */
  static CompletableFuture<Result> start(
      List<IperfStream> streams,
      List<IperfStream.Snapshot> start,
      Plan plan,
      CompletableFuture<?> writersDone,
      Runnable stop,
      TrafficClock clock,
      Consumer<IperfInterval> listener) {
    IperfTimeline timeline = new IperfTimeline(streams, start, plan, stop, clock, listener);
    clock.executor().execute(timeline::scheduleNext);
    writersDone.whenCompleteAsync(
        (ignored, error) -> timeline.writersFinished(error), clock.executor());
    timeline.result.whenComplete((r, error) -> clock.executor().execute(timeline::cancelPending));
    return timeline.result;
  }

  /** Times the next boundary: the next interval's end, or the end of the phase. */
  private void scheduleNext() {
    if (result.isDone()) {
      return;
    }
    target =
        plan.intervalNanos() > 0
            ? Math.min(phaseStart + tick * plan.intervalNanos(), phaseEnd)
            : phaseEnd;
    if (target == Long.MAX_VALUE) {
      return; // a --size run without intervals: only the writers' end is left
    }
    pending = clock.schedule(target - clock.nanos(), this::boundary);
  }

  /** A boundary came before the writers finished. */
  private void boundary() {
    pending = null;
    if (result.isDone()) {
      return;
    }
    if (target == phaseEnd && !warmingUp) {
      // Test time is up; the last interval closes when the writers have finished.
      stop.run();
      return;
    }
    List<IperfStream.Snapshot> now = snapshots(streams, clock.nanos());
    report(IperfInterval.between(streams, previous, now, phaseStart, warmingUp));
    previous = now;
    if (!warmingUp && plan.earlyStop().reached(now.get(0).nanos() - phaseStart, base, now)) {
      stop.run(); // as at the end of the test time: the writers' end closes the last interval
      return;
    }
    // Woken late (a loaded machine, a collection): the next interval ends at the next boundary
    // still ahead, not at one already past, which would make a sliver of a line.
    long sinceStart = now.get(0).nanos() - phaseStart;
    tick =
        plan.intervalNanos() > 0
            ? Math.max(tick + 1, sinceStart / plan.intervalNanos() + 1)
            : tick + 1;
    if (warmingUp && target == phaseEnd) {
      warmingUp = false;
      phaseStart = now.get(0).nanos();
      base = now;
      phaseEnd = phaseEnd(phaseStart, plan.durationNanos());
      tick = 1;
    }
    scheduleNext();
  }

  /** The writers finished (or failed): the last interval, and the end. */
  private void writersFinished(Throwable error) {
    cancelPending();
    if (result.isDone()) {
      return;
    }
    if (error != null) {
      result.completeExceptionally(IperfEndpoint.unwrap(error));
      return;
    }
    List<IperfStream.Snapshot> now = snapshots(streams, clock.nanos());
    IperfInterval interval = IperfInterval.between(streams, previous, now, phaseStart, warmingUp);
    // A sliver after the last full interval with nothing in it is noise, not a line.
    boolean sliver =
        interval.idle() && interval.streams().get(0).seconds() * 1e9 < plan.intervalNanos() / 10.0;
    if (!sliver) {
      report(interval);
    }
    result.complete(new Result(phaseStart, base, now, intervals));
  }

  private void report(IperfInterval interval) {
    if (plan.intervalNanos() > 0) {
      intervals.add(interval);
      listener.accept(interval);
    }
  }

  private void cancelPending() {
    if (pending != null) {
      pending.cancel();
      pending = null;
    }
  }

  private static long phaseEnd(long start, long length) {
    return length > 0 ? start + length : Long.MAX_VALUE;
  }
}
