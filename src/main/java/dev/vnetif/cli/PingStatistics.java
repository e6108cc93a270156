package dev.vnetif.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/** The closing lines of ping(8): loss and min/avg/max/mdev of the round-trip times. */
final class PingStatistics {
  /** The network's clock: the series' time is virtual when the network is. */
  private final LongSupplier clock;

  private final long startNanos;
  private long endNanos;
  private int transmitted;
  private int received;
  private double min = Double.MAX_VALUE;
  private double max;
  private double sum;
  private double sumOfSquares;

  /** A series that starts now on {@code clock} (nanoseconds). */
  PingStatistics(LongSupplier clock) {
    this.clock = clock;
    this.startNanos = clock.getAsLong();
  }

  void sent() {
    transmitted++;
  }

  void received(Duration rtt) {
    double ms = rtt.toNanos() / 1e6;
    received++;
    min = Math.min(min, ms);
    max = Math.max(max, ms);
    sum += ms;
    sumOfSquares += ms * ms;
  }

  /** The series is over: the summary's time stops here rather than when it is printed. */
  void finished() {
    endNanos = clock.getAsLong();
  }

  int received() {
    return received;
  }

  String summary() {
    long elapsedMs = ((endNanos != 0 ? endNanos : clock.getAsLong()) - startNanos) / 1_000_000;
    int lossPercent = transmitted == 0 ? 0 : 100 * (transmitted - received) / transmitted;
    String first =
        String.format(
            Locale.ROOT,
            "%d packets transmitted, %d received, %d%% packet loss, time %dms",
            transmitted,
            received,
            lossPercent,
            elapsedMs);
    if (received == 0) {
      return first;
    }
    double avg = sum / received;
    // ping(8)'s mdev: the standard deviation of the samples, sqrt(E[x^2] - E[x]^2).
    double mdev = Math.sqrt(Math.max(0, sumOfSquares / received - avg * avg));
    return first
        + String.format(
            Locale.ROOT, "%nrtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms", min, avg, max, mdev);
  }
}
