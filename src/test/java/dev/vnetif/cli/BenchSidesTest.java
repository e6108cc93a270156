package dev.vnetif.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code vnetif bench} when one side cannot do a workload, {@code --sides}, and the churn workload,
 * each at a scale that runs in seconds.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BenchSidesTest {
  private static final String NUMBER = "\\d+(?:\\.\\d+)?";

  /**
   * Pekko's side as a process out of file descriptors sees it: connection {@code limit} and every
   * one after it fail with "Too many open files", through the memory workload's own procedure.
   */
  static final class OutOfDescriptors implements BenchTransport {
    final int limit;
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();

    OutOfDescriptors(int limit) {
      this.limit = limit;
    }

    @Override
    public String name() {
      return "pekko-tcp";
    }

    @Override
    public String describe() {
      return "pekko-tcp: a stand-in that runs out of file descriptors at " + limit;
    }

    @Override
    public MemoryResult heldConnections(int connections, Duration deadline) throws Exception {
      return HeldConnections.measure(
          name(),
          connections,
          OPENING_AT_ONCE,
          deadline,
          i ->
              i < limit
                  ? CompletableFuture.completedFuture(opened.incrementAndGet())
                  : CompletableFuture.failedFuture(
                      new IOException("socket(): Too many open files")),
          c -> {
            closed.incrementAndGet();
            return CompletableFuture.completedFuture(null);
          });
    }

    @Override
    public BulkResult bulk(long bytes, Duration deadline) {
      throw new BenchFailure("not run by these tests");
    }

    @Override
    public PingPongResult pingPong(int roundTrips, Duration deadline) {
      throw new BenchFailure("not run by these tests");
    }

    @Override
    public ConnectionRateResult connectionRate(int c, int concurrency, Duration deadline) {
      throw new BenchFailure("not run by these tests");
    }

    @Override
    public ChurnResult churn(ChurnPlan plan, Duration deadline) {
      throw new BenchFailure("not run by these tests");
    }

    @Override
    public void close() {}
  }

  record Run(int exitCode, String out, String err) {
    String all() {
      return out + err;
    }
  }

  static Run run(BenchCommand command, String... args) {
    CommandLine cli = new CommandLine(command);
    cli.setExecutionExceptionHandler(VnetifCli.commandLine().getExecutionExceptionHandler());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  @DisplayName(
      "Pekko out of file descriptors: its column says so and at how many, the virtual figure "
          + "stands, no ratio, the connections it had opened are closed again, exit 0")
  void oneSideFailingKeepsTheOther() {
    OutOfDescriptors pekko = new OutOfDescriptors(100);
    BenchCommand command = new BenchCommand();
    command.pekkoSide = system -> pekko;
    Run r = run(command, "--workloads", "memory", "--held-connections", "200");
    assertEquals(0, r.exitCode(), r.all());
    Matcher row =
        Pattern.compile("(?m)^memory per connection \\(KiB\\) +(" + NUMBER + ") +(failed: .+?) +-$")
            .matcher(r.out());
    assertTrue(row.find(), r.all());
    assertTrue(Double.parseDouble(row.group(1)) > 0, r.out());
    assertEquals("failed: too many open files at 100", row.group(2), r.out());
    assertTrue(
        r.out().contains("memory over pekko-tcp failed: memory over pekko-tcp: 200 connections"),
        r.out());
    assertEquals(pekko.opened.get(), pekko.closed.get(), "every connection opened was closed");
    assertTrue(r.err().contains("bench: memory over pekko-tcp FAILED"), r.err());
  }

  @Test
  @DisplayName("--sides virtual: one column, no ratio, and Pekko's side is never built")
  void virtualSideAlone() {
    BenchCommand command = new BenchCommand();
    command.pekkoSide =
        system -> {
          throw new AssertionError("the Pekko side must not be built");
        };
    Run r = run(command, "--sides", "virtual", "--workloads", "connrate,memory", "--quick");
    assertEquals(0, r.exitCode(), r.all());
    assertTrue(Pattern.compile("(?m)^workload +virtual$").matcher(r.out()).find(), r.out());
    assertTrue(
        Pattern.compile("(?m)^connrate \\(connections/s\\) +" + NUMBER + "$")
            .matcher(r.out())
            .find(),
        r.out());
    assertTrue(
        Pattern.compile("(?m)^memory per connection \\(KiB\\) +" + NUMBER + "$")
            .matcher(r.out())
            .find(),
        r.out());
    assertFalse(r.out().contains("ratio > 1 means"), "no ratio without both sides:\n" + r.out());
    assertFalse(r.out().contains("pekko-tcp"), r.out());
  }

  @Test
  @DisplayName(
      "churn, both sides at a small scale: connections/s, connect p50 <= p99 <= max, SYN "
          + "retransmissions counted for the virtual side (each one a connect over 1 s), "
          + "and the seeded aborts")
  void churnAtSmallScale() {
    Run r =
        run(
            new BenchCommand(),
            "--workloads",
            "churn",
            "--churn-connections",
            "300",
            "--churn-pekko-connections",
            "100",
            "--churn-clients",
            "4",
            "--churn-concurrency",
            "16",
            "--churn-abort",
            "0.2",
            "--seed",
            "7");
    assertEquals(0, r.exitCode(), r.all());
    double[] virtual = new double[5];
    String[] rows = {
      "churn \\(connections/s\\)",
      "churn connect p50 \\(ms\\)",
      "churn connect p99 \\(ms\\)",
      "churn connect max \\(ms\\)",
      "churn connects over 1 s"
    };
    for (int i = 0; i < rows.length; i++) {
      Matcher m =
          Pattern.compile("(?m)^" + rows[i] + " +(" + NUMBER + ") +(" + NUMBER + ") +\\S+$")
              .matcher(r.out());
      assertTrue(m.find(), "no row " + rows[i] + " in\n" + r.all());
      virtual[i] = Double.parseDouble(m.group(1));
    }
    assertTrue(virtual[0] > 0, r.out());
    // The table prints each figure to its own precision (p99 2.72, max 2.7): compare within half
    // of the coarser one's last digit, or a p99 equal to the max fails by its rounding.
    assertTrue(virtual[1] <= virtual[2] + 0.05 && virtual[2] <= virtual[3] + 0.05, r.out());
    Matcher syn = Pattern.compile("(?m)^churn SYN retransmitted +(\\d+) +n/a +-$").matcher(r.out());
    assertTrue(syn.find(), r.out());
    assertTrue(
        Integer.parseInt(syn.group(1)) <= virtual[4],
        "a retransmitted SYN waits out the 1 s initial RTO:\n" + r.out());
    int expectedAborts = 0;
    for (boolean a : new ChurnPlan(300, 16, 4, 0, 0.2, 7).aborts()) {
      expectedAborts += a ? 1 : 0;
    }
    assertTrue(
        r.out().contains("(" + expectedAborts + " aborted, seed 7)"),
        "the seed chooses the aborts (" + expectedAborts + "):\n" + r.out());
    assertTrue(r.out().contains("churn over pekko-tcp: 100 connections"), r.out());
  }

  @Test
  @DisplayName(
      "churn through 2 x 32 client ports: every 4-tuple comes back while the server holds it in"
          + " TIME_WAIT, and no connect needs a SYN retransmission (issue 8)")
  void churnReopensTimeWaitWithoutSynRetransmission() {
    Run r =
        run(
            new BenchCommand(),
            "--sides",
            "virtual",
            "--workloads",
            "churn",
            "--churn-connections",
            "1500",
            "--churn-clients",
            "2",
            "--churn-ports",
            "32",
            "--churn-concurrency",
            "16",
            "--seed",
            "11");
    assertEquals(0, r.exitCode(), r.all());
    Matcher syn = Pattern.compile("(?m)^churn SYN retransmitted +(\\d+)$").matcher(r.out());
    assertTrue(syn.find(), r.all());
    assertEquals(
        0, Integer.parseInt(syn.group(1)), "connects that retransmitted a SYN:\n" + r.out());
    Matcher reused =
        Pattern.compile("4-tuples reused: ([\\d,]+), ([\\d,]+) of them within 2 MSL")
            .matcher(r.out());
    assertTrue(reused.find(), r.all());
    int withinTimeWait = Integer.parseInt(reused.group(2).replace(",", ""));
    // 1,500 connections over 64 ports: all but the first 64 reuse a 4-tuple, nearly all of them
    // while the server still holds it in TIME_WAIT (2 MSL = 60 s).
    assertTrue(withinTimeWait >= 1_000, "reuses within 2 MSL: " + withinTimeWait + "\n" + r.out());
  }

  @Test
  @DisplayName("the seed chooses the same aborts every time, about the fraction asked")
  void abortsFollowTheSeed() {
    boolean[] a = new ChurnPlan(10_000, 1, 1, 0, 0.1, 3).aborts();
    boolean[] b = new ChurnPlan(10_000, 1, 1, 0, 0.1, 3).aborts();
    assertTrue(java.util.Arrays.equals(a, b));
    int n = 0;
    for (boolean x : a) {
      n += x ? 1 : 0;
    }
    assertTrue(n > 900 && n < 1100, "about 10%: " + n);
  }

  @Test
  @DisplayName(
      "more connections than file descriptors are refused up front, saying where they would stop")
  void fileDescriptorCheck() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.UnixOperatingSystemMXBean,
        "the JVM tells file descriptors on Unix only");
    FileDescriptors.checkRoomFor(1, 2);
    BenchFailure f =
        assertThrows(
            BenchFailure.class, () -> FileDescriptors.checkRoomFor(Integer.MAX_VALUE / 2, 2));
    assertTrue(f.summary().startsWith("too many open files at "), f.summary());
    assertTrue(f.getMessage().contains("raise ulimit -n"), f.getMessage());
  }

  @Test
  @DisplayName("a heap too small for the held connections is refused with the -Xmx to ask for")
  void heapCheck() {
    MemoryWorkload.checkHeap(100_000, 6L << 30);
    BenchFailure f =
        assertThrows(BenchFailure.class, () -> MemoryWorkload.checkHeap(100_000, 512L << 20));
    assertEquals("needs -Xmx2g", f.summary());
    assertTrue(f.getMessage().contains("100,000 connections need about"), f.getMessage());
  }
}
