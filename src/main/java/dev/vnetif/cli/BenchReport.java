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
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.Collectors;

/**
 * What {@code vnetif bench} prints: the machine, then one row per measure with the virtual
 * network's figure, Pekko TCP's, and their ratio oriented so that above 1 is the virtual network
 * doing better; then the same rows for Pekko Streams over {@code VirtualTcp} against Pekko TCP;
 * then how each figure was obtained.
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
   * One measure: each side's figure by its column name ({@code virtual}, {@code virtual-streams},
   * {@code pekko-tcp}); a side that was not run has none. {@code higherIsBetter}: rates (ratio ours
   * / pekko) as opposed to latencies and memory (ratio pekko / ours).
   */
  record Row(String measure, Map<String, Figure> figures, boolean higherIsBetter, String format) {
    Figure figure(String side) {
      return figures.get(side);
    }

    /** NaN unless both sides have a figure, and the divisor is not 0. */
    double ratio(String ours, String theirs) {
      Figure a = figure(ours);
      Figure b = figure(theirs);
      if (a == null || b == null || !a.ok() || !b.ok()) {
        return Double.NaN;
      }
      double ratio = higherIsBetter ? a.value() / b.value() : b.value() / a.value();
      return Double.isFinite(ratio) ? ratio : Double.NaN;
    }
  }

  /**
   * The lines that introduce each of our sides' sections against Pekko's: the virtual network
   * through our own API, then the same Pekko Streams code over {@code VirtualTcp}.
   */
  private static final Map<String, List<String>> COMPARISONS =
      Map.of(
          BenchVirtualTransport.NAME,
          List.of(
              "ratio > 1 means the virtual network is better: virtual/pekko for rates, "
                  + "pekko/virtual for latencies and memory"),
          BenchStreamsTransport.STREAMS,
          List.of(
              "Streams: the same Pekko Streams code over VirtualTcp on the virtual network and"
                  + " over Tcp on 127.0.0.1;",
              "ratio > 1 means VirtualTcp is better: virtual-streams/pekko for rates,"
                  + " pekko/virtual-streams for latencies and memory"));

  private final List<Row> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  void add(Row row) {
    rows.add(row);
  }

  /**
   * Whether a figure of ours failed, over the virtual network through either API: the bench then
   * exits 1. A Pekko figure that failed (file descriptors, the kernel) is reported, not fatal.
   */
  boolean oursFailed() {
    return rows.stream()
        .flatMap(r -> r.figures().entrySet().stream())
        .anyMatch(e -> !e.getKey().equals(BenchStreamsTransport.PEKKO) && !e.getValue().ok());
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
   * The table, in a section per side of ours that ran ({@code virtual}, then {@code
   * virtual-streams}): its column, Pekko's and their ratio when Pekko ran. With Pekko alone, one
   * section with its column. A side that failed says so in its column, and its row has no ratio;
   * the other side's figure stands.
   */
  void printTable(PrintWriter out, List<String> sidesRan) {
    String theirs = BenchStreamsTransport.PEKKO;
    boolean pekkoRan = sidesRan.contains(theirs);
    List<String> ours = sidesRan.stream().filter(s -> !s.equals(theirs)).toList();
    List<List<String[]>> sections = new ArrayList<>();
    for (String side : ours.isEmpty() ? List.of(theirs) : ours) {
      List<String> columns = new ArrayList<>(List.of(side));
      if (pekkoRan && !side.equals(theirs)) {
        columns.add(theirs);
      }
      sections.add(section(columns, pekkoRan && !side.equals(theirs)));
    }
    int[] widths = {32, 16, 14, 10};
    for (List<String[]> section : sections) {
      for (String[] line : section) {
        for (int i = 0; i < line.length; i++) {
          widths[i] = Math.max(widths[i], line[i].length() + (i == 0 ? 0 : 1));
        }
      }
    }
    for (int s = 0; s < sections.size(); s++) {
      out.println();
      if (pekkoRan && !ours.isEmpty()) {
        COMPARISONS.get(ours.get(s)).forEach(out::println);
      }
      for (String[] line : sections.get(s)) {
        StringBuilder b =
            new StringBuilder(String.format(Locale.ROOT, "%-" + widths[0] + "s", line[0]));
        for (int i = 1; i < line.length; i++) {
          b.append(' ').append(String.format(Locale.ROOT, "%" + widths[i] + "s", line[i]));
        }
        out.println(b.toString().stripTrailing());
      }
    }
    if (!notes.isEmpty()) {
      out.println();
      notes.forEach(out::println);
    }
    out.flush();
  }

  /** A header and a line per row: the measure, each of {@code columns}' figures, the ratio. */
  private List<String[]> section(List<String> columns, boolean withRatio) {
    List<String[]> lines = new ArrayList<>();
    List<String> header = new ArrayList<>(List.of("workload"));
    header.addAll(columns);
    if (withRatio) {
      header.add("ratio");
    }
    lines.add(header.toArray(String[]::new));
    for (Row row : rows) {
      List<String> cells = new ArrayList<>(List.of(row.measure()));
      for (String side : columns) {
        Figure f = row.figure(side);
        cells.add(f == null ? "-" : f.text(row.format()));
      }
      if (withRatio) {
        double ratio = row.ratio(columns.get(0), columns.get(1));
        cells.add(Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.3f", ratio));
      }
      lines.add(cells.toArray(String[]::new));
    }
    return lines;
  }
}
