package dev.vnetif.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * One workload of {@code vnetif bench}, run over each chosen side in turn. A side that fails (a
 * {@link BenchFailure}: wrong bytes, a deadline, running out of file descriptors) gets a failed
 * figure in its column and a note; the other side's figures stand and the bench goes on.
 */
interface BenchWorkload {

  /** Its name in {@code --workloads}. */
  String name();

  void run(List<BenchTransport> sides, BenchReport report, PrintWriter err) throws Exception;

  /** A measurement over one side. */
  @FunctionalInterface
  interface Body<R> {
    R run(BenchTransport side) throws Exception;
  }

  /** What one side gave: a result, or the failure that stopped it. */
  record Attempt<R>(BenchTransport side, R result, BenchFailure failure) {
    BenchReport.Figure figure(ToDoubleFunction<R> measure) {
      return failure != null
          ? BenchReport.Figure.failed(failure.summary())
          : BenchReport.Figure.of(measure.applyAsDouble(result));
    }
  }

  /** Runs {@code body} over every side, each failure kept to its side and noted. */
  static <R> List<Attempt<R>> overEachSide(
      String workload,
      List<BenchTransport> sides,
      BenchReport report,
      PrintWriter err,
      Body<R> body)
      throws Exception {
    List<Attempt<R>> attempts = new ArrayList<>();
    for (BenchTransport side : sides) {
      err.printf("bench: %s over %s...%n", workload, side.name());
      err.flush();
      try {
        attempts.add(new Attempt<>(side, body.run(side), null));
      } catch (BenchFailure failure) {
        err.printf("bench: %s over %s FAILED: %s%n", workload, side.name(), failure.getMessage());
        err.flush();
        report.note(workload + " over " + side.name() + " failed: " + failure.getMessage());
        attempts.add(new Attempt<>(side, null, failure));
      }
    }
    return attempts;
  }

  /** A row from each side's attempt, by the side's column name; a side not run has no figure. */
  static <R> BenchReport.Row row(
      String measure,
      List<Attempt<R>> attempts,
      ToDoubleFunction<R> value,
      boolean higherIsBetter,
      String format) {
    Map<String, BenchReport.Figure> figures = new LinkedHashMap<>();
    for (Attempt<R> a : attempts) {
      figures.put(a.side().name(), a.figure(value));
    }
    return new BenchReport.Row(measure, figures, higherIsBetter, format);
  }

  /** Generous: a run slower than {@code millisEach} per item is a stall, not a result. */
  static Duration countDeadline(int count, int millisEach) {
    return Duration.ofSeconds(60).plusMillis((long) count * millisEach);
  }
}
