package dev.vnetif.cli;

import dev.vnetif.cli.BenchTransport.PingPongResult;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** Sequential 64-byte round trips on one connection: the latency of the whole path. */
final class PingPongWorkload implements BenchWorkload {
  private final int roundTrips;

  PingPongWorkload(int roundTrips) {
    this.roundTrips = roundTrips;
  }

  @Override
  public String name() {
    return "pingpong";
  }

  @Override
  public void run(List<BenchTransport> sides, BenchReport report, PrintWriter err)
      throws Exception {
    List<Attempt<PingPongResult>> r =
        BenchWorkload.overEachSide(name(), sides, report, err, side -> pingPong(side, report));
    report.add(
        BenchWorkload.row(
            "pingpong (round trips/s)", r, PingPongResult::roundTripsPerSecond, true, "%.0f"));
    report.add(
        BenchWorkload.row("pingpong median (us)", r, PingPongResult::medianMicros, false, "%.1f"));
    report.add(BenchWorkload.row("pingpong p99 (us)", r, PingPongResult::p99Micros, false, "%.1f"));
  }

  private PingPongResult pingPong(BenchTransport side, BenchReport report) throws Exception {
    int warmup = Math.max(100, roundTrips / 4);
    side.pingPong(warmup, BenchWorkload.countDeadline(warmup, 2));
    System.gc();
    PingPongResult result = side.pingPong(roundTrips, BenchWorkload.countDeadline(roundTrips, 2));
    report.note(
        String.format(
            Locale.ROOT,
            "pingpong over %s: %d sequential round trips of 64 bytes in %.2f s on one connection,"
                + " min %.1f us, p90 %.1f us, max %.1f us; warm-up %d",
            side.name(),
            roundTrips,
            result.nanos() / 1e9,
            result.percentileMicros(0),
            result.percentileMicros(0.90),
            result.percentileMicros(1),
            warmup));
    return result;
  }
}
