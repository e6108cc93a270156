package dev.vnetif.cli;

import dev.vnetif.TcpFlowStats;
import java.io.PrintWriter;
import java.util.Locale;

/** How one piece of a scenario's traffic ended, and its figures, as {@code vnetif run} prints. */
sealed interface TrafficOutcome {

  ScenarioTraffic traffic();

  boolean failed();

  /** Failed when the scenario expected it to, or completed when it expected that. */
  default boolean asExpected() {
    return failed() == traffic().expectFailure();
  }

  /** {@code completed, as expected}, {@code FAILED, but success was expected}... */
  default String verdict() {
    String what = failed() ? "failed" : "completed";
    if (asExpected()) {
      return what + ", as expected";
    }
    return what.toUpperCase(Locale.ROOT)
        + ", but "
        + (traffic().expectFailure() ? "failure" : "success")
        + " was expected";
  }

  void print(PrintWriter out);

  /**
   * A TCP transfer's end.
   *
   * @param bytesRead what the receiver read, all of it or up to the failure
   * @param seconds from the first write to the receiver's EOF, or to the failure
   * @param senderStats the sending flow's counters at the end, null when it never connected
   * @param contentMatches the SHA-256 check, null when the transfer failed before the end
   * @param error why it failed, or null
   */
  record Iperf(
      ScenarioTraffic.Iperf traffic,
      long bytesRead,
      double seconds,
      TcpFlowStats senderStats,
      Boolean contentMatches,
      String error)
      implements TrafficOutcome {

    @Override
    public boolean failed() {
      return error != null || !Boolean.TRUE.equals(contentMatches);
    }

    /** Application bytes delivered per second, in bits (as link rates are given). */
    double goodputBitsPerSecond() {
      return seconds > 0 ? bytesRead * 8 / seconds : 0;
    }

    @Override
    public void print(PrintWriter out) {
      ScenarioTraffic.Iperf t = traffic;
      out.printf(
          "--- %s: iperf %s -> %s port %d, %s ---%n",
          t.name(),
          t.from(),
          t.to(),
          t.port(),
          t.time() != null
              ? "for " + ConditionValues.durationText(t.time())
              : t.bytes() + " bytes");
      out.printf("result: %s%n", verdict());
      if (error != null) {
        out.printf("error: %s%n", error.lines().findFirst().orElse(error));
      }
      out.printf(
          Locale.ROOT,
          "transferred: %d%s bytes in %.3f s%n",
          bytesRead,
          t.time() == null ? " of " + t.bytes() : "",
          seconds);
      out.printf(
          Locale.ROOT,
          "goodput: %ss/sec (%.3f MB/s)%n",
          IperfUnits.bits(goodputBitsPerSecond()).strip(),
          bytesRead / 1e6 / Math.max(seconds, 1e-9));
      if (senderStats != null) {
        out.printf(
            Locale.ROOT,
            "retransmits: %d (fast retransmits: %d, timeouts: %d), srtt %.1f ms, cwnd %d bytes%n",
            senderStats.retransmits(),
            senderStats.fastRetransmits(),
            senderStats.timeouts(),
            senderStats.srtt().toNanos() / 1e6,
            senderStats.cwnd());
      } else {
        out.println("retransmits: - (never connected)");
      }
      if (contentMatches != null) {
        out.println(contentMatches ? "content: SHA-256 match" : "content: SHA-256 MISMATCH");
      }
    }
  }

  /** A ping series' end: failed when no reply came, as ping(8) exits. */
  record Ping(ScenarioTraffic.Ping traffic, PingStatistics stats) implements TrafficOutcome {

    @Override
    public boolean failed() {
      return stats.received() == 0;
    }

    @Override
    public void print(PrintWriter out) {
      ScenarioTraffic.Ping t = traffic;
      out.printf(
          "--- %s: ping %s -> %s, %d x %d bytes every %s ---%n",
          t.name(),
          t.from(),
          t.to(),
          t.count(),
          t.size(),
          ConditionValues.durationText(t.interval()));
      out.printf("result: %s%n", verdict());
      out.println(stats.summary());
    }
  }
}
