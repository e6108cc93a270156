package dev.vnetif.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The clock of an iperf run, kept on the calling thread: it reads the streams' counters at every
 * interval boundary and hands each interval to a listener (which prints it as it happens, as iperf3
 * does), ends the warm-up ({@code -O}), and stops the writers when the test time is up.
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
   */
  record Plan(long omitNanos, long durationNanos, long intervalNanos) {}

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

  private IperfTimeline() {}

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
   * @throws TimeoutException when {@code deadlineNanos} passes first
   * @throws ExecutionException when {@code writersDone} fails (the transfer failed)
   */
  static Result run(
      List<IperfStream> streams,
      List<IperfStream.Snapshot> start,
      Plan plan,
      CompletableFuture<?> writersDone,
      Runnable stop,
      long deadlineNanos,
      IperfClock clock,
      Consumer<IperfInterval> listener)
      throws TimeoutException, ExecutionException, InterruptedException {
    long phaseStart = start.get(0).nanos();
    List<IperfStream.Snapshot> previous = start;
    List<IperfStream.Snapshot> base = previous;
    boolean warmingUp = plan.omitNanos() > 0;
    long phaseEnd = phaseEnd(phaseStart, warmingUp ? plan.omitNanos() : plan.durationNanos());
    List<IperfInterval> intervals = new ArrayList<>();
    long tick = 1;
    while (true) {
      long target =
          plan.intervalNanos() > 0
              ? Math.min(phaseStart + tick * plan.intervalNanos(), phaseEnd)
              : phaseEnd;
      boolean finished = waitUntil(writersDone, target, deadlineNanos, clock);
      if (!finished && target == phaseEnd && !warmingUp) {
        stop.run(); // test time is up; the interval closes when the writers have finished
        finished = waitUntil(writersDone, Long.MAX_VALUE, deadlineNanos, clock);
      }
      List<IperfStream.Snapshot> now = snapshots(streams, clock.nanos());
      IperfInterval interval = IperfInterval.between(streams, previous, now, phaseStart, warmingUp);
      // A sliver after the last full interval with nothing in it is noise, not a line.
      boolean sliver =
          interval.idle()
              && interval.streams().get(0).seconds() * 1e9 < plan.intervalNanos() / 10.0;
      if (plan.intervalNanos() > 0 && !(finished && sliver)) {
        intervals.add(interval);
        listener.accept(interval);
      }
      previous = now;
      if (finished) {
        return new Result(phaseStart, base, now, intervals);
      }
      // Woken late (a loaded machine, a collection): the next interval ends at the next
      // boundary still ahead, not at one already past, which would make a sliver of a line.
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
    }
  }

  private static long phaseEnd(long start, long length) {
    return length > 0 ? start + length : Long.MAX_VALUE;
  }

  /** True when {@code done} completed by {@code target}; false when {@code target} came first. */
  private static boolean waitUntil(
      CompletableFuture<?> done, long target, long deadline, IperfClock clock)
      throws TimeoutException, ExecutionException, InterruptedException {
    while (true) {
      long now = clock.nanos();
      long until = Math.min(target, deadline);
      try {
        done.get(Math.max(0, until - now), TimeUnit.NANOSECONDS);
        return true;
      } catch (TimeoutException e) {
        long after = clock.nanos();
        if (after >= deadline) {
          throw e;
        }
        if (after >= target) {
          return false;
        }
        // woke early (timer granularity): wait out the rest
      }
    }
  }
}
