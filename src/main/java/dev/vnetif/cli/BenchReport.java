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

  /** One side's figure for one measure: a value, or why there is none. */
  record Figure(double value, String failure) {
    static Figure of(double value) {
      return new Figure(value, null);
    }

    /** {@code failed: too many open files at 3,982}. */
    static Figure failed(String why) {
      return new Figure(Double.NaN, why);
    }

    boolean ok() {
      return failure == null;
    }

    /** The value, "n/a" where the side cannot measure it, or why it failed. */
    String text(String format) {
      if (!ok()) {
        return "failed: " + failure;
      }
      return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, format, value);
    }
  }

  /**
   * One measure; a side that was not run has a null figure. {@code higherIsBetter}: rates (ratio
   * virtual / pekko) as opposed to latencies and memory (ratio pekko / virtual).
   */
  record Row(String measure, Figure virtual, Figure pekko, boolean higherIsBetter, String format) {
    /** NaN unless both sides have a figure, and the divisor is not 0. */
    double ratio() {
      if (virtual == null || pekko == null || !virtual.ok() || !pekko.ok()) {
        return Double.NaN;
      }
      double ratio =
          higherIsBetter ? virtual.value() / pekko.value() : pekko.value() / virtual.value();
      return Double.isFinite(ratio) ? ratio : Double.NaN;
    }
  }

  private final List<Row> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  void add(Row row) {
    rows.add(row);
  }

  /** Whether a figure of the virtual network failed: the bench then exits 1. */
  boolean virtualFailed() {
    return rows.stream().anyMatch(r -> r.virtual() != null && !r.virtual().ok());
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

  /**
   * The table: a column per side that ran, and the ratio when both did. A side that failed says so
   * in its column, and its row has no ratio; the other side's figure stands.
   */
  void printTable(PrintWriter out, boolean virtualRan, boolean pekkoRan) {
    boolean both = virtualRan && pekkoRan;
    List<String[]> lines = new ArrayList<>();
    List<String> header = new ArrayList<>(List.of("workload"));
    if (virtualRan) {
      header.add("virtual");
    }
    if (pekkoRan) {
      header.add("pekko-tcp");
    }
    if (both) {
      header.add("ratio");
    }
    lines.add(header.toArray(String[]::new));
    for (Row row : rows) {
      List<String> cells = new ArrayList<>(List.of(row.measure()));
      if (virtualRan) {
        cells.add(row.virtual() == null ? "-" : row.virtual().text(row.format()));
      }
      if (pekkoRan) {
        cells.add(row.pekko() == null ? "-" : row.pekko().text(row.format()));
      }
      if (both) {
        double ratio = row.ratio();
        cells.add(Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.3f", ratio));
      }
      lines.add(cells.toArray(String[]::new));
    }
    int[] widths = {32, 14, 14, 10};
    for (String[] line : lines) {
      for (int i = 0; i < line.length; i++) {
        widths[i] = Math.max(widths[i], line[i].length() + (i == 0 ? 0 : 1));
      }
    }
    out.println();
    if (both) {
      out.println(
          "ratio > 1 means the virtual network is better: virtual/pekko for rates, "
              + "pekko/virtual for latencies and memory");
    }
    for (String[] line : lines) {
      StringBuilder b =
          new StringBuilder(String.format(Locale.ROOT, "%-" + widths[0] + "s", line[0]));
      for (int i = 1; i < line.length; i++) {
        b.append(' ').append(String.format(Locale.ROOT, "%" + widths[i] + "s", line[i]));
      }
      out.println(b.toString().stripTrailing());
    }
    if (!notes.isEmpty()) {
      out.println();
      notes.forEach(out::println);
    }
    out.flush();
  }
}
