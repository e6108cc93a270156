package dev.vnetif.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * Connection churn through one server port: many connections, each short (connect, 1 KB echoed, the
 * server closes first, the client closes or aborts), a few dozen at a time. It measures what a
 * heavy user sees: connections per second and the connect latency, whose tail shows every connect
 * that had to wait for a SYN retransmission (a 4-tuple the server still held in TIME_WAIT, a SYN
 * dropped). The Pekko Streams sides (Pekko's {@code Tcp}, {@code VirtualTcp}) make fewer
 * connections, from one client host: the kernel's loopback cannot keep up with the virtual side's
 * count in the same time, and one host has 16,384 ephemeral ports.
 */
final class ChurnWorkload implements BenchWorkload {
  private final ChurnPlan plan;
  private final int pekkoConnections;

  ChurnWorkload(ChurnPlan plan, int pekkoConnections) {
    this.plan = plan;
    this.pekkoConnections = pekkoConnections;
  }

  @Override
  public String name() {
    return "churn";
  }

  @Override
  public void run(List<BenchTransport> sides, BenchReport report, PrintWriter err)
      throws Exception {
    List<Attempt<ChurnResult>> r =
        BenchWorkload.overEachSide(name(), sides, report, err, side -> measure(side, report));
    report.add(
        BenchWorkload.row(
            "churn (connections/s)", r, ChurnResult::connectionsPerSecond, true, "%.0f"));
    report.add(
        BenchWorkload.row("churn connect p50 (ms)", r, c -> c.connectMillis(0.5), false, "%.2f"));
    report.add(
        BenchWorkload.row("churn connect p99 (ms)", r, c -> c.connectMillis(0.99), false, "%.2f"));
    report.add(
        BenchWorkload.row("churn connect max (ms)", r, c -> c.connectMillis(1), false, "%.1f"));
    report.add(
        BenchWorkload.row(
            "churn connects over 1 s", r, c -> (double) c.slowConnects(), false, "%.0f"));
    report.add(
        BenchWorkload.row(
            "churn SYN retransmitted",
            r,
            c -> c.synRetransmitted() < 0 ? Double.NaN : c.synRetransmitted(),
            false,
            "%.0f"));
  }

  private ChurnResult measure(BenchTransport side, BenchReport report) throws Exception {
    boolean virtual = side.name().equals(BenchVirtualTransport.NAME);
    ChurnPlan run = virtual ? plan : plan.withConnections(pekkoConnections);
    // Warm-up: a few thousand connections at most, so the measured run is not the JIT's.
    int warmup = Math.max(100, Math.min(2_000, run.connections() / 10));
    side.churn(run.withConnections(warmup), BenchWorkload.countDeadline(warmup, 50));
    System.gc();
    ChurnResult c = side.churn(run, BenchWorkload.countDeadline(run.connections(), 50));
    report.note(
        String.format(
            Locale.ROOT,
            "churn over %s: %,d connections through one server port%s, %d at a time, each:"
                + " connect, %d bytes echoed, server closes, client closes or aborts (%,d aborted,"
                + " seed %d) in %.1f s; connect p50 %.2f ms, p99 %.2f ms, max %.1f ms; %s;"
                + " %,d connects over 1 s; 4-tuples reused: %,d%s; warm-up %,d",
            side.name(),
            run.connections(),
            virtual
                ? " from "
                    + run.clientHosts()
                    + " client hosts"
                    + (run.portsPerClient() > 0
                        ? " of " + run.portsPerClient() + " ephemeral ports each"
                        : "")
                : " from one client host",
            run.concurrency(),
            ChurnPlan.ECHO_BYTES,
            c.aborted(),
            run.seed(),
            c.nanos() / 1e9,
            c.connectMillis(0.5),
            c.connectMillis(0.99),
            c.connectMillis(1),
            c.synRetransmitted() >= 0
                ? String.format(
                    Locale.ROOT,
                    "%,d connects retransmitted their SYN (client flow's timeouts at connect)",
                    c.synRetransmitted())
                : "SYN retransmissions not visible (through Pekko Streams)",
            c.slowConnects(),
            c.reused(),
            c.reusedInTimeWait() >= 0
                ? String.format(
                    Locale.ROOT,
                    ", %,d of them within 2 MSL of the earlier connection's end (the server"
                        + " held the 4-tuple in TIME_WAIT)",
                    c.reusedInTimeWait())
                : "",
            warmup));
    return c;
  }
}
