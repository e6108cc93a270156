package dev.vnetif.cli;

import dev.vnetif.LinkConditions;
import dev.vnetif.NemesisEvent;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vnetif run FILE}: builds a scenario's network with its link conditions, runs its traffic
 * (iperf-style TCP transfers, ping series) while its schedule cuts, heals, holds, crashes, restarts
 * and changes conditions on time, then reports each transfer's goodput, retransmits and timeouts,
 * the schedule as it went, and the condition counters.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description =
        "Run a scenario file: build its hosts and link conditions, start its traffic (TCP "
            + "transfers, ping series), make its scheduled changes (cut, heal, flap, hold, crash, "
            + "restart, set-conditions) on time, let its nemesis partition the hosts at random, and "
            + "report goodput, retransmits, timeouts, the schedule as executed, what the nemesis "
            + "did and the condition counters. See conf/scenarios/*.conf.",
    footer = {
      "Condition flags given here replace the scenario's network-wide conditions. "
          + ConditionOptions.FOOTER,
      "Exit status: 0 when every traffic entry ended as the scenario expects (success unless it "
          + "says expect = failure), 1 when one did not, 2 on a usage error or a bad scenario file."
    })
final class RunCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "FILE", description = "The scenario file (HOCON).")
  Path file;

  @Mixin SessionOptions options;

  @Mixin ConditionOptions conditions;

  @Mixin TimeOptions time;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    LinkConditions flagConditions = conditions.conditions();
    Scenario scenario = Scenario.fromFile(file);
    if (scenario.traffic().isEmpty()) {
      throw new IllegalArgumentException(
          "scenario " + file + " has no traffic to run; add scenario.traffic = [ ... ]");
    }
    PrintWriter out = spec.commandLine().getOut();
    long began = WallClock.nanos();
    try (NetworkSession session = new NetworkSession(options, scenario, time.virtualTime)) {
      List<ConditionBlock> applied = session.applyConditions(flagConditions);
      if (session.isVirtual()) {
        TimeOptions.requireTimeCanPass(scenario, applied);
      }
      HostTable.print(out, session);
      ConditionTable.printApplied(out, applied);
      printPlan(out, scenario);
      ScenarioRun.Result result;
      SpeedUp.Stopwatch stopwatch = SpeedUp.start(session.clock);
      try (ScenarioRun run = new ScenarioRun(session, out, session.clock)) {
        result = run.run();
      }
      SpeedUp speedUp = stopwatch.stop();
      out.println();
      for (TrafficOutcome outcome : result.traffic()) {
        outcome.print(out);
        out.println();
      }
      printSchedule(out, result.schedule());
      result.nemesis().ifPresent(n -> printNemesis(out, n));
      ConditionTable.print(out, session.seed(), session.conditionStats());
      out.println();
      long expected = result.traffic().stream().filter(TrafficOutcome::asExpected).count();
      String timing =
          session.isVirtual()
              ? speedUp.line()
              : String.format(
                  Locale.ROOT,
                  "ran %.1f s, wall time %.1f s",
                  result.nanos() / 1e9,
                  (WallClock.nanos() - began) / 1e9);
      out.printf(
          "scenario '%s': %d of %d traffic entries ended as expected; %s%n",
          scenario.name(), expected, result.traffic().size(), timing);
      if (session.pcapFile() != null) {
        out.printf("capture written to %s%n", session.pcapFile());
      }
      out.flush();
      return result.asExpected() ? 0 : 1;
    }
  }

  private static void printPlan(PrintWriter out, Scenario scenario) {
    out.println("traffic:");
    for (ScenarioTraffic t : scenario.traffic()) {
      out.printf("  %s at %s%n", describe(t), ConditionValues.durationText(t.start()));
    }
    if (!scenario.schedule().isEmpty()) {
      out.println("schedule:");
      for (ScheduledChange c : scenario.schedule()) {
        out.printf("  %8s  %s%n", ConditionValues.durationText(c.at()), c.describe());
      }
    }
    scenario.nemesis().ifPresent(n -> out.printf("nemesis:%n  %s%n", n.describe()));
    out.println();
    out.flush();
  }

  private static String describe(ScenarioTraffic t) {
    String expect = t.expectFailure() ? ", failure expected" : "";
    if (t instanceof ScenarioTraffic.Iperf i) {
      String amount =
          i.time() != null ? "for " + ConditionValues.durationText(i.time()) : i.bytes() + " bytes";
      return String.format(
          "%s: iperf %s -> %s port %d, %s, timeout %s%s",
          i.name(),
          i.from(),
          i.to(),
          i.port(),
          amount,
          ConditionValues.durationText(i.timeout()),
          expect);
    }
    ScenarioTraffic.Ping p = (ScenarioTraffic.Ping) t;
    return String.format(
        "%s: ping %s -> %s, %d x %d bytes every %s%s",
        p.name(),
        p.from(),
        p.to(),
        p.count(),
        p.size(),
        ConditionValues.durationText(p.interval()),
        expect);
  }

  private static void printSchedule(PrintWriter out, List<ExecutedChange> schedule) {
    if (schedule.isEmpty()) {
      return;
    }
    out.println("schedule as executed (seconds from the start):");
    out.println("   planned   started      done  change");
    for (ExecutedChange e : schedule) {
      String planned = seconds(e.change().at().toNanos());
      if (!e.ran()) {
        out.printf(
            "  %8s  %8s  %8s  %s: not run, the traffic had ended%n",
            planned, "-", "-", e.change().describe());
        continue;
      }
      out.printf(
          "  %8s  %8s  %8s  %s%s%n",
          planned,
          seconds(e.startedNanos()),
          seconds(e.doneNanos()),
          e.change().describe(),
          e.error() == null ? "" : ": FAILED: " + e.error());
    }
    out.println();
  }

  /** Each event at its time from the scenario's start, then the time spent partitioned. */
  private static void printNemesis(PrintWriter out, ScenarioNemesisRun.Result n) {
    if (n.startedNanos() == null) {
      out.printf(
          "nemesis: %s%n%n",
          n.error() != null ? "FAILED: " + n.error() : "not started, the traffic had ended");
      return;
    }
    out.printf(
        "nemesis as executed (seconds from the start): started %s, stopped %s%s%n",
        seconds(n.startedNanos()),
        seconds(n.stoppedNanos()),
        n.error() == null ? "" : ", FAILED: " + n.error());
    out.println("      time   tick  event");
    long partitions = 0;
    long oneWay = 0;
    long partitionedNanos = 0;
    Long since = null;
    for (NemesisEvent e : n.events()) {
      long at = n.startedNanos() + e.at().toNanos();
      out.printf("  %8s  %5d  %s%n", seconds(at), e.tick(), e.describe());
      if (e.action() == NemesisEvent.Action.PARTITION) {
        partitions++;
        oneWay += e.symmetric() ? 0 : 1;
        since = at;
      } else if (since != null) {
        partitionedNanos += at - since;
        since = null;
      }
    }
    out.printf(
        Locale.ROOT,
        "%d partitions (%d one way), partitioned %.1f s of %.1f s%n%n",
        partitions,
        oneWay,
        partitionedNanos / 1e9,
        (n.stoppedNanos() - n.startedNanos()) / 1e9);
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e9);
  }
}
