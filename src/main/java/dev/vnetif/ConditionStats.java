package dev.vnetif;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * What the link conditions did, per link and per step: how many frames reached each step and what
 * the step did to them. The totals ({@link #dropped()} and the rest) sum every step of every link.
 *
 * @param links one entry per conditioned link, in a stable order
 */
public record ConditionStats(List<LinkStats> links) {
  public ConditionStats {
    links = List.copyOf(links);
  }

  /** No conditioned link. */
  public static ConditionStats empty() {
    return new ConditionStats(List.of());
  }

  /**
   * One conditioned link.
   *
   * @param scope the link, e.g. {@code "egress 10.0.0.3"} or {@code "pair h1->h2"}
   * @param steps one entry per step, in the order the steps apply
   */
  public record LinkStats(String scope, List<StepStats> steps) {
    public LinkStats {
      Objects.requireNonNull(scope, "scope");
      steps = List.copyOf(steps);
    }

    /** Frames dropped by loss, drop and drop-after steps (not tail drops). */
    public long dropped() {
      return sum(steps, StepStats::dropped);
    }

    /** Frames this link's queue limit dropped because the link was full. */
    public long tailDropped() {
      return sum(steps, StepStats::tailDropped);
    }
  }

  /**
   * One step of one link.
   *
   * @param step the step as text, e.g. {@code "loss random 1%"}
   * @param frames frames that reached the step (copies made by an earlier duplicate included)
   * @param dropped frames a loss, drop or drop-after step dropped
   * @param delayed frames a delay step held back by more than zero
   * @param duplicated frames a duplicate step copied (the copies are not counted here)
   * @param corrupted frames a corrupt step flipped a bit in
   * @param reordered frames a reorder step sent ahead of the delayed ones
   * @param queued frames that waited behind others at a rate or slot step
   * @param tailDropped frames a queue-limit step dropped because the link was full; these are not
   *     counted in {@code dropped}
   */
  public record StepStats(
      String step,
      long frames,
      long dropped,
      long delayed,
      long duplicated,
      long corrupted,
      long reordered,
      long queued,
      long tailDropped) {
    public StepStats {
      Objects.requireNonNull(step, "step");
    }
  }

  /** Frames dropped by loss, drop and drop-after steps, over all links (tail drops apart). */
  public long dropped() {
    return total(StepStats::dropped);
  }

  /** Frames a delay step held back by more than zero, over all links. */
  public long delayed() {
    return total(StepStats::delayed);
  }

  /** Frames a duplicate step copied, over all links (copies themselves not counted). */
  public long duplicated() {
    return total(StepStats::duplicated);
  }

  /** Frames a corrupt step flipped a bit in, over all links. */
  public long corrupted() {
    return total(StepStats::corrupted);
  }

  /** Frames a reorder step sent ahead of the delayed ones, over all links. */
  public long reordered() {
    return total(StepStats::reordered);
  }

  /** Frames that waited behind others at a rate or slot step, over all links. */
  public long queued() {
    return total(StepStats::queued);
  }

  /** Frames dropped because a queue limit was reached, over all links. */
  public long tailDropped() {
    return total(StepStats::tailDropped);
  }

  private long total(ToLongFunction<StepStats> counter) {
    long total = 0;
    for (LinkStats link : links) {
      total += sum(link.steps(), counter);
    }
    return total;
  }

  private static long sum(List<StepStats> steps, ToLongFunction<StepStats> counter) {
    long total = 0;
    for (StepStats step : steps) {
      total += counter.applyAsLong(step);
    }
    return total;
  }

  private static final String[] HEADER = {
    "link",
    "step",
    "frames",
    "dropped",
    "delayed",
    "duplicated",
    "corrupted",
    "reordered",
    "queued",
    "tail-dropped"
  };

  /** A table, one row per step, text columns left-aligned and counts right-aligned. */
  @Override
  public String toString() {
    if (links.isEmpty()) {
      return "no link conditions";
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADER);
    for (LinkStats link : links) {
      if (link.steps().isEmpty()) {
        rows.add(new String[] {link.scope(), "none", "", "", "", "", "", "", "", ""});
      }
      for (StepStats s : link.steps()) {
        rows.add(
            new String[] {
              link.scope(),
              s.step(),
              Long.toString(s.frames()),
              Long.toString(s.dropped()),
              Long.toString(s.delayed()),
              Long.toString(s.duplicated()),
              Long.toString(s.corrupted()),
              Long.toString(s.reordered()),
              Long.toString(s.queued()),
              Long.toString(s.tailDropped())
            });
      }
    }
    int[] widths = new int[HEADER.length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder text = new StringBuilder();
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        if (i > 0) {
          line.append("  ");
        }
        String pad = " ".repeat(widths[i] - row[i].length());
        line.append(i < 2 ? row[i] + pad : pad + row[i]);
      }
      text.append(line.toString().stripTrailing()).append('\n');
    }
    return text.toString();
  }
}
