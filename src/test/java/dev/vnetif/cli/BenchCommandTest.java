package dev.vnetif.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code vnetif bench} as a user runs it: the report's shape and the exit code. */
class BenchCommandTest {
  /**
   * A figure as the report prints it; negative too: with --quick's 200 held connections the heap
   * difference after full GCs is within the collector's noise and can come out below zero.
   */
  private static final String NUMBER = "-?\\d+(?:\\.\\d+)?";

  record Run(int exitCode, String out, String err) {}

  static Run run(String... args) {
    CommandLine cli = new CommandLine(new BenchCommand());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  @DisplayName(
      "--quick: machine facts, then every workload (bulk, ping-pong, connection rate, memory) with"
          + " both figures and a ratio, for the virtual network and again for Streams over"
          + " VirtualTcp, exit 0")
  void quickRunReportsEveryWorkloadOverBothTransports() {
    Run r = run("--quick");
    String report = r.out() + r.err();
    assertEquals(0, r.exitCode(), report);
    assertTrue(Pattern.compile("machine: \\d+ cores").matcher(r.out()).find(), report);
    assertTrue(Pattern.compile("(?m)^jvm: .*17").matcher(r.out()).find(), report);
    assertTrue(r.out().contains("ratio > 1 means the virtual network is better"), report);
    assertTrue(
        Pattern.compile("(?m)^workload\\s+virtual\\s+pekko-tcp\\s+ratio$").matcher(r.out()).find(),
        report);
    int streams = r.out().indexOf("Streams: the same Pekko Streams code");
    assertTrue(streams > 0, report);
    assertTrue(
        Pattern.compile("(?m)^workload\\s+virtual-streams\\s+pekko-tcp\\s+ratio$")
            .matcher(r.out().substring(streams))
            .find(),
        report);
    for (String measure :
        List.of(
            "bulk \\(MB/s\\)",
            "pingpong \\(round trips/s\\)",
            "pingpong median \\(us\\)",
            "pingpong p99 \\(us\\)",
            "connrate \\(connections/s\\)",
            "memory per connection \\(KiB\\)")) {
      Pattern row =
          Pattern.compile(
              "(?m)^" + measure + "\\s+" + NUMBER + "\\s+" + NUMBER + "\\s+" + NUMBER + "$");
      Matcher virtual = row.matcher(r.out());
      assertTrue(virtual.find(), "no row for " + measure + " in\n" + report);
      assertTrue(virtual.start() < streams, "the virtual network's row first:\n" + report);
      assertTrue(
          row.matcher(r.out()).find(streams), "no Streams row for " + measure + " in\n" + report);
    }
  }

  @Test
  @DisplayName("an unknown workload is refused before anything runs")
  void unknownWorkloadIsRefused() {
    Run r = run("--quick", "--workloads", "bulk,flood");
    assertNotEquals(0, r.exitCode());
    assertTrue(r.err().contains("unknown workload 'flood'"), r.err());
    assertTrue(r.out().isEmpty(), r.out());
  }

  @Test
  @DisplayName("--bulk-size takes decimal and binary units")
  void bulkSizeUnits() {
    assertEquals(1_000_000, BenchCommand.parseSize("1000000"));
    assertEquals(500_000_000, BenchCommand.parseSize("500MB"));
    assertEquals(64L << 20, BenchCommand.parseSize("64MiB"));
    assertEquals(2L << 30, BenchCommand.parseSize("2gib"));
    assertThrows(IllegalArgumentException.class, () -> BenchCommand.parseSize("lots"));
  }
}
