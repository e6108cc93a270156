package dev.vnetif.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a command is told to write: a {@code --pcap} file in a directory that is not there fails as
 * {@code tcpdump -w} does, with one line naming the path; {@code iperf --report DIR} is created.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class OutputPathTest {

  /** A usage error: exit 2, one line on stderr that names {@code path}, no stack trace. */
  private static void assertOneLineNaming(VnetifCliTest.Run r, Path path, String reason) {
    assertEquals(2, r.exitCode(), r.out() + r.err());
    String err = r.err().strip();
    assertEquals(1, err.lines().count(), err);
    assertTrue(err.startsWith("vnetif: "), err);
    assertTrue(err.contains(path.toString()), err);
    assertTrue(err.contains(reason), err);
    assertFalse(err.contains("Exception"), err);
  }

  @Test
  @DisplayName("--pcap into a missing directory: ping, iperf and run each exit 2 naming the path")
  void pcapInMissingDirectory(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("no/such/dir");
    Path capture = missing.resolve("file.pcap");
    String reason = "directory " + missing + " does not exist";

    assertOneLineNaming(
        VnetifCliTest.run("ping", "-c", "1", "--pcap", capture.toString()), capture, reason);
    assertOneLineNaming(
        VnetifCliTest.run("iperf", "--virtual-time", "--size", "1K", "--pcap", capture.toString()),
        capture,
        reason);

    Path scenario = dir.resolve("tiny.conf");
    Files.writeString(
        scenario,
        "scenario {\n  name = tiny\n  seed = 5\n"
            + "  hosts = [ { name = a, cidr = \"10.0.0.2/24\" }, { name = b, cidr = \"10.0.0.3/24\" } ]\n"
            + "  traffic = [ { type = ping, from = a, to = b, count = 1 } ]\n}\n");
    assertOneLineNaming(
        VnetifCliTest.run("run", scenario.toString(), "--pcap", capture.toString()),
        capture,
        reason);
    assertFalse(Files.exists(missing), "no directory made behind the user's back");
  }

  @Test
  @DisplayName("--pcap naming a directory, not a file: exit 2 naming it")
  void pcapIsADirectory(@TempDir Path dir) {
    assertOneLineNaming(
        VnetifCliTest.run("ping", "-c", "1", "--pcap", dir.toString()), dir, "is a directory");
  }

  @Test
  @DisplayName("--pcap into an existing directory writes the capture, as before")
  void pcapWritten(@TempDir Path dir) {
    Path capture = dir.resolve("ok.pcap");
    VnetifCliTest.Run r = VnetifCliTest.run("ping", "-c", "1", "--pcap", capture.toString());
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("capture written to " + capture), r.out());
    assertTrue(Files.isRegularFile(capture));
  }

  @Test
  @DisplayName("iperf --report creates missing directories for its files")
  void reportDirectoryCreated(@TempDir Path dir) {
    Path report = dir.resolve("a/b/report");
    VnetifCliTest.Run r =
        VnetifCliTest.run(
            "iperf",
            "--virtual-time",
            "--size",
            "1K",
            "--delay",
            "1ms",
            "--report",
            report.toString());
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(Files.isRegularFile(report.resolve("iperf.csv")), r.out());
  }

  @Test
  @DisplayName(
      "iperf --report where no directory can be made (under a file): exit 2 naming it, before "
          + "any traffic")
  void reportDirectoryImpossible(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("plain-file"), "x");
    Path report = file.resolve("report");
    VnetifCliTest.Run r =
        VnetifCliTest.run(
            "iperf",
            "--virtual-time",
            "--size",
            "1K",
            "--delay",
            "1ms",
            "--report",
            report.toString());
    assertOneLineNaming(r, report, "--report");
    assertFalse(r.out().contains("Connecting"), "failed before the run\n" + r.out());
  }
}
