package dev.vnetif.cli;

import dev.vnetif.cli.BenchTransport.ConnectionRateResult;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** Connections opened, one byte echoed, closed, a few at a time: the cost of a connection. */
final class ConnRateWorkload implements BenchWorkload {
  private final int connections;
  private final int concurrency;

  ConnRateWorkload(int connections, int concurrency) {
    this.connections = connections;
    this.concurrency = concurrency;
  }

  @Override
  public String name() {
    return "connrate";
  }

  @Override
  public void run(List<BenchTransport> sides, BenchReport report, PrintWriter err)
      throws Exception {
    List<Attempt<ConnectionRateResult>> r =
        BenchWorkload.overEachSide(name(), sides, report, err, side -> measure(side, report));
    report.add(
        BenchWorkload.row(
            "connrate (connections/s)",
            r,
            ConnectionRateResult::connectionsPerSecond,
            true,
            "%.0f"));
  }

  private ConnectionRateResult measure(BenchTransport side, BenchReport report) throws Exception {
    int warmup = Math.max(20, connections / 4);
    side.connectionRate(warmup, concurrency, BenchWorkload.countDeadline(warmup, 20));
    System.gc();
    ConnectionRateResult result =
        side.connectionRate(connections, concurrency, BenchWorkload.countDeadline(connections, 20));
    report.note(
        String.format(
            Locale.ROOT,
            "connrate over %s: %d connections, %d at a time (connect, 1 byte echoed, client"
                + " closes, server closes) in %.2f s; warm-up %d",
            side.name(),
            connections,
            concurrency,
            result.nanos() / 1e9,
            warmup));
    return result;
  }
}
