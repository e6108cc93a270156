package dev.vnetif.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vnetif.ConditionStats;
import dev.vnetif.ConditionStats.LinkStats;
import dev.vnetif.ConditionStats.StepStats;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The condition counters as the commands print them and as --json carries them. */
class ConditionTableTest {
  private static final ConditionStats STATS =
      new ConditionStats(
          List.of(
              new LinkStats(
                  "all ports",
                  List.of(
                      new StepStats("loss 1%", 1000, 10, 0, 0, 0, 0, 0, 0),
                      new StepStats("rate 10Mbit", 990, 0, 0, 0, 0, 0, 400, 7))),
              new LinkStats(
                  "a -> b", List.of(new StepStats("delay 5ms", 500, 0, 500, 0, 0, 0, 0, 0)))));

  @Test
  @DisplayName("a row per step of each link, names left, counters right under their headings")
  void text() {
    StringWriter text = new StringWriter();
    ConditionTable.print(new PrintWriter(text, true), 42, STATS);
    assertEquals(
        String.join(
            "\n",
            "link conditions (seed 42):",
            "  link       step         frames  dropped  delayed  duplicated  corrupted  reordered"
                + "  queued  tail-dropped",
            "  all ports  loss 1%        1000       10        0           0          0          0"
                + "       0             0",
            "  all ports  rate 10Mbit     990        0        0           0          0          0"
                + "     400             7",
            "  a -> b     delay 5ms       500        0      500           0          0          0"
                + "       0             0",
            ""),
        text.toString().replace(System.lineSeparator(), "\n"));
  }

  @Test
  @DisplayName("no link with conditions: one line that says so")
  void none() {
    StringWriter text = new StringWriter();
    ConditionTable.print(new PrintWriter(text, true), 1, new ConditionStats(List.of()));
    assertEquals(
        "link conditions (seed 1):\n  none set\n",
        text.toString().replace(System.lineSeparator(), "\n"));
  }

  @Test
  @DisplayName("JSON: the seed, a row per step in snake_case, totals of all but frames")
  void json() {
    Map<String, Object> doc = ConditionTable.json(42, STATS);
    assertEquals(42L, doc.get("seed"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> steps = (List<Map<String, Object>>) doc.get("steps");
    assertEquals(3, steps.size());
    assertEquals("rate 10Mbit", steps.get(1).get("step"));
    assertEquals(7L, steps.get(1).get("tail_dropped"));
    assertEquals(
        Map.of(
            "dropped", 10L,
            "delayed", 500L,
            "duplicated", 0L,
            "corrupted", 0L,
            "reordered", 0L,
            "queued", 400L,
            "tail_dropped", 7L),
        doc.get("totals"));
  }
}
