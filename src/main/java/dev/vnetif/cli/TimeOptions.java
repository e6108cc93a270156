package dev.vnetif.cli;

import dev.vnetif.ConditionStep;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import picocli.CommandLine.Option;

/** Whether a command's network runs over the wall clock or as a simulation in virtual time. */
final class TimeOptions {

  static final String DESCRIPTION =
      "Run the network in virtual time, as a deterministic simulation: timers, link delays and "
          + "rates take no wall time, so a long transfer over a slow, lossy link runs in a "
          + "fraction of it, and the same seed gives the same run. Times given (-t, timeouts, "
          + "the schedule) are virtual; the virtual time, the wall time and the speed-up are "
          + "printed at the end.";

  @Option(names = "--virtual-time", description = DESCRIPTION)
  boolean virtualTime;

  /**
   * Refuses a scenario whose timed transfers could never end in virtual time: with no condition
   * that takes time, in force from the start or set by the schedule, virtual time stands still
   * while they send.
   */
  static void requireTimeCanPass(Scenario scenario, List<ConditionBlock> applied) {
    boolean timed =
        scenario.traffic().stream()
            .anyMatch(t -> t instanceof ScenarioTraffic.Iperf i && i.time() != null);
    if (!timed) {
      return;
    }
    List<ConditionBlock> all = new ArrayList<>(applied);
    for (ScheduledChange c : scenario.schedule()) {
      if (c.change() instanceof ScheduledChange.Change.SetConditions set) {
        all.addAll(set.blocks());
      }
    }
    if (!takesTime(all)) {
      throw new IllegalArgumentException(
          "scenario '"
              + scenario.name()
              + "' has a timed transfer, which in virtual time needs links that take time (a "
              + "delay, a rate or a slot): without one it takes no virtual time and never ends");
    }
  }

  /**
   * Whether a frame crossing these blocks can take time: a delay, a rate or a slot. Without one, a
   * transfer runs as fast as the simulation computes and virtual time stands still, so a timed run
   * would never reach its end.
   */
  static boolean takesTime(Collection<ConditionBlock> blocks) {
    for (ConditionBlock block : blocks) {
      for (ConditionStep step : block.conditions().steps()) {
        if (step instanceof ConditionStep.Delay d && !(d.mean().isZero() && d.jitter().isZero())) {
          return true;
        }
        if (step instanceof ConditionStep.Rate || step instanceof ConditionStep.Slot) {
          return true;
        }
      }
    }
    return false;
  }
}
