package dev.vnetif.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vnetif iperf --report DIR}: the sending flow's time series, sampled on the network's
 * clock, as CSV and as a chart; in virtual time the same seed gives the same files.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class IperfReportTest {
  /** 256 KiB over a 10 Mbit/s, 20 ms RTT link losing 5% each way: a few losses, about 1.5 s. */
  private static final String[] LOSSY = {
    "--virtual-time",
    "--size",
    "256K",
    "--rate",
    "10Mbit",
    "--delay",
    "10ms",
    "--loss",
    "5%",
    "--seed",
    "1",
    "-i",
    "0"
  };

  private static final Pattern RETRANSMITS =
      Pattern.compile("retransmits: (\\d+) \\(fast retransmits: (\\d+), timeouts: (\\d+)\\)");
  private static final Pattern SENDER_CWND = Pattern.compile("sender tcp: mss \\d+, cwnd (\\d+) ");

  @TempDir Path dir;

  record Csv(List<String> header, List<String[]> rows) {
    int column(String name) {
      int i = header.indexOf(name);
      assertTrue(i >= 0, "no column " + name + " in " + header);
      return i;
    }

    long number(int row, String name) {
      return Long.parseLong(rows.get(row)[column(name)]);
    }

    double decimal(int row, String name) {
      return Double.parseDouble(rows.get(row)[column(name)]);
    }

    String text(int row, String name) {
      String[] cells = rows.get(row);
      int i = column(name);
      return i < cells.length ? cells[i] : "";
    }
  }

  static Csv readCsv(Path file) throws Exception {
    List<String> lines = Files.readAllLines(file);
    List<String[]> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      rows.add(line.split(",", -1));
    }
    return new Csv(List.of(lines.get(0).split(",")), rows);
  }

  private IperfCommandTest.Run runWithReport(Path to, String... extra) {
    List<String> args = new ArrayList<>(List.of(LOSSY));
    args.addAll(List.of("--report", to.toString()));
    args.addAll(List.of(extra));
    return IperfCommandTest.run(args.toArray(String[]::new));
  }

  @Test
  @DisplayName(
      "a lossy virtual-time transfer: one row per 10 ms of network time from 0, the last row is "
          + "the sender's final stats, and each retransmission shows as an event in its row")
  void csvFollowsTheSendersStats() throws Exception {
    IperfCommandTest.Run r = runWithReport(dir);
    assertEquals(0, r.exitCode(), r.all());
    assertTrue(r.out().contains("report written to " + dir.resolve("iperf.csv")), r.out());
    Csv csv = readCsv(dir.resolve("iperf.csv"));
    assertEquals(List.of(TransferSeries.CSV_HEADER.split(",")), csv.header());
    int n = csv.rows().size();
    assertTrue(n > 10, "rows: " + n);

    // Times: 0, then every 10 ms of virtual time exactly, then the run's end.
    assertEquals(0.0, csv.decimal(0, "time_s"));
    for (int i = 1; i < n; i++) {
      double t = csv.decimal(i, "time_s");
      assertTrue(t > csv.decimal(i - 1, "time_s"), "row " + i + " goes back in time");
      if (i < n - 1) {
        assertEquals(i * 0.01, t, 1e-9, "row " + i);
      }
    }

    // The last row is the sender once the run ended: what the report prints.
    Matcher retransmits = RETRANSMITS.matcher(r.out());
    assertTrue(retransmits.find(), r.out());
    Matcher cwnd = SENDER_CWND.matcher(r.out());
    assertTrue(cwnd.find(), r.out());
    int last = n - 1;
    assertEquals(Long.parseLong(cwnd.group(1)), csv.number(last, "cwnd_bytes"), r.out());
    assertEquals(Long.parseLong(retransmits.group(1)), csv.number(last, "retransmits"));
    assertEquals(Long.parseLong(retransmits.group(2)), csv.number(last, "fast_retransmits"));
    assertEquals(Long.parseLong(retransmits.group(3)), csv.number(last, "timeouts"));
    assertEquals(256 * 1024, csv.number(last, "bytes_acked"));
    assertEquals(0, csv.number(last, "bytes_in_flight"), "all acknowledged at the end");
    assertTrue(csv.number(last, "retransmits") > 0, "5% loss and no retransmission?\n" + r.out());

    // Events sit in the rows where the counters grew, and add up to the totals.
    long retransmitted = 0;
    long fast = 0;
    long timeouts = 0;
    boolean fastMarked = false;
    boolean timeoutMarked = false;
    double goodputBytes = 0;
    for (int i = 0; i < n; i++) {
      long newRetransmits = csv.number(i, "new_retransmits");
      long newFast = csv.number(i, "new_fast_retransmits");
      long newTimeouts = csv.number(i, "new_timeouts");
      if (i > 0) {
        assertEquals(
            csv.number(i, "retransmits") - csv.number(i - 1, "retransmits"), newRetransmits);
        assertEquals(
            csv.number(i, "timeouts") - csv.number(i - 1, "timeouts"), newTimeouts, "row " + i);
      }
      String event = csv.text(i, "event");
      String expected =
          newTimeouts > 0
              ? "timeout"
              : newFast > 0 ? "fast-retransmit" : newRetransmits > 0 ? "retransmit" : "";
      assertEquals(expected, event, "row " + i);
      fastMarked |= event.equals("fast-retransmit");
      timeoutMarked |= event.equals("timeout");
      retransmitted += newRetransmits;
      fast += newFast;
      timeouts += newTimeouts;
      // ssthresh is empty until the first loss, and a number after it.
      assertEquals(
          csv.number(i, "retransmits") == 0 && csv.text(i, "ssthresh_bytes").isEmpty(),
          csv.number(i, "retransmits") == 0,
          "row " + i);
      if (i > 0) {
        // A row's goodput is what was newly acknowledged over its time (after a recovery one
        // cumulative ACK may cover more than the link carries in 10 ms, so no bound per row).
        double seconds = csv.decimal(i, "time_s") - csv.decimal(i - 1, "time_s");
        goodputBytes += csv.decimal(i, "goodput_mbit_s") * 1e6 / 8 * seconds;
      }
    }
    assertEquals(csv.number(last, "bytes_acked"), goodputBytes, 0.001 * 1e6 / 8 * n);
    assertEquals(csv.number(last, "retransmits"), retransmitted);
    assertEquals(csv.number(last, "fast_retransmits"), fast);
    assertEquals(csv.number(last, "timeouts"), timeouts);
    assertEquals(timeouts > 0, timeoutMarked, "a timeout has its marker");
    // A fast retransmit in the same row as a timeout is marked as the timeout.
    assertTrue(fast == 0 || fastMarked || timeoutMarked, "a fast retransmit has its marker");
    assertTrue(fast > 0 || !fastMarked, "no fast retransmit, no marker");

    BufferedImage png = ImageIO.read(dir.resolve("iperf.png").toFile());
    assertNotNull(png, "iperf.png is a PNG");
    assertEquals(TransferChart.WIDTH, png.getWidth());
    assertEquals(TransferChart.HEIGHT, png.getHeight());
  }

  @Test
  @DisplayName("in virtual time the same seed gives the same CSV and the same PNG, byte for byte")
  void sameSeedSameFiles() throws Exception {
    Path first = dir.resolve("first");
    Path second = dir.resolve("second");
    assertEquals(0, runWithReport(first, "--report-interval", "50ms").exitCode());
    assertEquals(0, runWithReport(second, "--report-interval", "50ms").exitCode());
    List<String> rows = Files.readAllLines(first.resolve("iperf.csv"));
    assertEquals(0.05, Double.parseDouble(rows.get(2).split(",")[0]), 1e-9, "--report-interval");
    assertEquals(rows, Files.readAllLines(second.resolve("iperf.csv")));
    assertArrayEquals(
        Files.readAllBytes(first.resolve("iperf.png")),
        Files.readAllBytes(second.resolve("iperf.png")));
  }

  @Test
  @DisplayName("--bidir writes one series per direction, named after iperf3's TX-C and RX-C")
  void bidirWritesBothDirections() throws Exception {
    IperfCommandTest.Run r =
        IperfCommandTest.run(
            "--virtual-time",
            "--size",
            "64K",
            "--delay",
            "5ms",
            "--bidir",
            "-i",
            "0",
            "--report",
            dir.toString());
    assertEquals(0, r.exitCode(), r.all());
    for (String name : List.of("iperf-tx-c", "iperf-rx-c")) {
      Csv csv = readCsv(dir.resolve(name + ".csv"));
      // The run ends when both ends have read everything: the last ACKs may be on their way.
      int last = csv.rows().size() - 1;
      assertEquals(
          64 * 1024 + 1,
          csv.number(last, "bytes_acked") + csv.number(last, "bytes_in_flight"),
          name + ": every byte and the FIN sent");
      assertTrue(Files.size(dir.resolve(name + ".png")) > 0, name);
    }
    assertFalse(Files.exists(dir.resolve("iperf.csv")));
  }

  @Test
  @DisplayName("a --report-interval that is not a positive time is a usage error naming it")
  void badInterval() {
    IperfCommandTest.Run r =
        IperfCommandTest.run(
            "--virtual-time", "--size", "1K", "--report", dir.toString(), "--report-interval", "0");
    assertEquals(2, r.exitCode(), r.all());
    assertTrue(r.err().contains("--report-interval '0' must be more than zero"), r.err());
  }
}
