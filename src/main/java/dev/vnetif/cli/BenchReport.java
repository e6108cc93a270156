package dev.vnetif.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.Collectors;

/**
 * What {@code vnetif bench} prints: the machine, then one row per measure with the virtual
 * network's figure, Pekko TCP's, and their ratio oriented so that above 1 is the virtual network
 * doing better, then how each figure was obtained.
 */
final class BenchReport {
  private static final String ROW = "%-32s %14s %14s %10s%n";

  /**
   * One measure. {@code higherIsBetter}: rates (ratio virtual / pekko) as opposed to latencies and
   * memory (ratio pekko / virtual).
   */
  record Row(String measure, double virtual, double pekko, boolean higherIsBetter, String format) {
    double ratio() {
      return higherIsBetter ? virtual / pekko : pekko / virtual;
    }
  }

  private final List<Row> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  void add(Row row) {
    rows.add(row);
  }

  /** A line under the table on how a figure came about (sizes, times, warm-up). */
  void note(String line) {
    notes.add(line);
  }

  static void printMachine(PrintWriter out) {
    Runtime runtime = Runtime.getRuntime();
    out.println(
        "vnetif bench, " + ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME));
    out.printf(
        Locale.ROOT,
        "machine: %d cores%s, %s %s %s, load average %.2f%n",
        runtime.availableProcessors(),
        cpuModel(),
        System.getProperty("os.name"),
        System.getProperty("os.version"),
        System.getProperty("os.arch"),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    out.printf(
        Locale.ROOT,
        "jvm: %s %s (%s), max heap %d MiB, GC %s%n",
        System.getProperty("java.vm.name"),
        Runtime.version(),
        System.getProperty("java.vm.vendor"),
        runtime.maxMemory() >> 20,
        ManagementFactory.getGarbageCollectorMXBeans().stream()
            .map(GarbageCollectorMXBean::getName)
            .collect(Collectors.joining("/")));
    // Below 2, CompletableFuture's default async executor starts a thread per task, which
    // is what every callback on a Pekko-made CompletionStage then costs.
    int commonPool = ForkJoinPool.getCommonPoolParallelism();
    out.printf(
        Locale.ROOT,
        "common pool parallelism %d%s%n",
        commonPool,
        commonPool < 2
            ? " (CompletableFuture async tasks get a new thread each; raise it with "
                + "-Djava.util.concurrent.ForkJoinPool.common.parallelism=N)"
            : "");
  }

  /** " (model name)" from /proc/cpuinfo where there is one. */
  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name"))
          .map(l -> " (" + l.substring(l.indexOf(':') + 1).trim() + ")")
          .findFirst()
          .orElse("");
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  void printTable(PrintWriter out) {
    out.println();
    out.println(
        "ratio > 1 means the virtual network is better: virtual/pekko for rates, "
            + "pekko/virtual for latencies and memory");
    out.printf(Locale.ROOT, ROW, "workload", "virtual", "pekko-tcp", "ratio");
    for (Row row : rows) {
      out.printf(
          Locale.ROOT,
          ROW,
          row.measure(),
          String.format(Locale.ROOT, row.format(), row.virtual()),
          String.format(Locale.ROOT, row.format(), row.pekko()),
          String.format(Locale.ROOT, "%.3f", row.ratio()));
    }
    if (!notes.isEmpty()) {
      out.println();
      notes.forEach(out::println);
    }
    out.flush();
  }
}
