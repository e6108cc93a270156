package dev.vnetif.cli;

import dev.vnetif.ConditionStats;
import dev.vnetif.ConditionStats.LinkStats;
import dev.vnetif.ConditionStats.StepStats;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * What the link conditions did to the frames, one row per step of each link, as the commands print
 * it after their own figures and as {@code --json} carries it under {@code "conditions"}:
 *
 * <pre>
 * link conditions (seed 1):
 *   link        step             frames  dropped  delayed  duplicated  corrupted  reordered  queued  tail-dropped
 *   all ports   loss 1%            1873       19        0           0          0          0       0             0
 *   all ports   delay 50ms         1854        0     1854           0          0          0       0             0
 * </pre>
 */
final class ConditionTable {
  private static final List<String> COUNTERS =
      List.of(
          "frames",
          "dropped",
          "delayed",
          "duplicated",
          "corrupted",
          "reordered",
          "queued",
          "tail-dropped");

  private static final List<ToLongFunction<StepStats>> VALUES =
      List.of(
          StepStats::frames,
          StepStats::dropped,
          StepStats::delayed,
          StepStats::duplicated,
          StepStats::corrupted,
          StepStats::reordered,
          StepStats::queued,
          StepStats::tailDropped);

  private ConditionTable() {}

  /** The seed, then {@link ConditionStats}'s own table, indented under it. */
  static void print(PrintWriter out, long seed, ConditionStats stats) {
    out.printf("link conditions (seed %d):%n", seed);
    if (stats.links().isEmpty()) {
      out.println("  none set");
      return;
    }
    stats.toString().lines().forEach(line -> out.println("  " + line));
  }

  /** The conditions a command set, before it starts: nothing when there are none. */
  static void printApplied(PrintWriter out, List<ConditionBlock> applied) {
    if (applied.isEmpty()) {
      return;
    }
    out.println("link conditions:");
    applied.forEach(block -> out.println("  " + block.describe()));
    out.println();
  }

  /** The {@code "conditions"} object of a JSON report. */
  static Map<String, Object> json(long seed, ConditionStats stats) {
    List<Object> steps = new ArrayList<>();
    long[] totals = new long[COUNTERS.size()];
    for (LinkStats link : stats.links()) {
      for (StepStats step : link.steps()) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("link", link.scope());
        row.put("step", step.step());
        for (int i = 0; i < COUNTERS.size(); i++) {
          long value = VALUES.get(i).applyAsLong(step);
          row.put(jsonName(COUNTERS.get(i)), value);
          totals[i] += value;
        }
        steps.add(row);
      }
    }
    Map<String, Object> total = new LinkedHashMap<>();
    for (int i = 1; i < COUNTERS.size(); i++) {
      total.put(jsonName(COUNTERS.get(i)), totals[i]);
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("seed", seed);
    doc.put("steps", steps);
    doc.put("totals", total);
    return doc;
  }

  /** iperf3's JSON names are snake_case. */
  private static String jsonName(String counter) {
    return counter.replace('-', '_');
  }

  private static String pad(String text, int width, boolean right) {
    String fill = " ".repeat(width - text.length());
    return right ? fill + text : text + fill;
  }
}
