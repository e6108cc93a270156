package dev.vnetif.cli;

import dev.vnetif.TcpFlowStats;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.pekko.actor.Cancellable;

/**
 * Reads one sending flow's state every {@code intervalNanos} of a {@link TrafficClock}, for {@code
 * iperf --report}. Each reading is a step of the clock, timed from the time zero it was started at
 * (so a late step in wall time does not shift the ones after it), and time is only ever read from
 * that clock: in virtual time the series is the same on every run with the same seed.
 *
 * <p>Every method runs on the clock's executor; the readings are confined to it.
 */
final class TransferSampler {
  private final Supplier<TcpFlowStats> flow;
  private final TrafficClock clock;
  private final long intervalNanos;
  private final long zero;
  private final List<TransferSample> samples = new ArrayList<>();
  private long tick;
  private Cancellable pending;
  private boolean stopped;

  private TransferSampler(Supplier<TcpFlowStats> flow, TrafficClock clock, long intervalNanos) {
    this.flow = flow;
    this.clock = clock;
    this.intervalNanos = intervalNanos;
    this.zero = clock.nanos();
  }

  /**
   * Takes the first reading now, the time zero of the series, and the next ones every {@code
   * intervalNanos} until {@link #stop()}. Call on the clock's executor.
   *
   * @param flow the sending flow's state; null before it connected (no reading is taken then)
   */
  static TransferSampler start(
      Supplier<TcpFlowStats> flow, TrafficClock clock, long intervalNanos) {
    if (intervalNanos <= 0) {
      throw new IllegalArgumentException("sampling interval must be > 0, got " + intervalNanos);
    }
    TransferSampler sampler = new TransferSampler(flow, clock, intervalNanos);
    sampler.sample();
    sampler.scheduleNext();
    return sampler;
  }

  /** Takes a last reading now (the flow's state once the run ended) and no more after it. */
  List<TransferSample> stop() {
    if (!stopped) {
      stopped = true;
      if (pending != null) {
        pending.cancel();
        pending = null;
      }
      long now = clock.nanos() - zero;
      if (samples.isEmpty() || samples.get(samples.size() - 1).nanos() < now) {
        sample();
      }
    }
    return List.copyOf(samples);
  }

  private void scheduleNext() {
    tick++;
    long target = zero + tick * intervalNanos;
    pending = clock.schedule(target - clock.nanos(), this::step);
  }

  private void step() {
    if (stopped) {
      return;
    }
    // Woken late (a loaded machine): skip the boundaries already past rather than bunch them.
    long late = (clock.nanos() - zero) / intervalNanos;
    tick = Math.max(tick, late);
    sample();
    scheduleNext();
  }

  private void sample() {
    TcpFlowStats stats = flow.get();
    if (stats != null) {
      samples.add(new TransferSample(clock.nanos() - zero, stats));
    }
  }
}
