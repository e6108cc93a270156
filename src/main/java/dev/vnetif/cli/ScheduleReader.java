package dev.vnetif.cli;

import dev.vnetif.cli.ScheduledChange.Change;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a scenario's {@code schedule}: a list of timed changes, each {@code at} a time from the
 * start with exactly one action, and flapping helpers that expand into cuts and heals.
 *
 * <pre>
 * schedule = [
 *   { at = 5s, cut = [a, b] }             { at = 10s, heal = [a, b] }
 *   { at = 1s, cut-one-way = [a, b] }     { at = 1s, isolate = a }     { at = 2s, rejoin = a }
 *   { at = 3s, heal-all = true }
 *   { at = 2s, hold = [a, b] }            { at = 3s, release = [a, b] }
 *   { at = 4s, crash = b }                { at = 6s, restart = b }
 *   { at = 3s, set-conditions { loss = 5% } }    # a block or a list of blocks, as conditions
 *   { every = 2s, from = 0s, until = 20s, flap = [a, b], down = 500ms }
 * ]
 * </pre>
 *
 * The changes run in time order; changes at the same time in the order written.
 */
final class ScheduleReader {
  private static final List<String> ACTIONS =
      List.of(
          "cut",
          "cut-one-way",
          "heal",
          "isolate",
          "rejoin",
          "heal-all",
          "hold",
          "release",
          "crash",
          "restart",
          "set-conditions");

  private final ScenarioReader scenario;

  ScheduleReader(ScenarioReader scenario) {
    this.scenario = scenario;
  }

  List<ScheduledChange> schedule(ConfigSection s) {
    List<ScheduledChange> changes = new ArrayList<>();
    List<ConfigSection> entries = s.sections("schedule");
    List<ConfigSection> origins = new ArrayList<>();
    for (ConfigSection e : entries) {
      List<ScheduledChange> read = e.keys().contains("flap") ? flap(e) : List.of(timed(e));
      changes.addAll(read);
      read.forEach(c -> origins.add(e));
      e.checkNoOtherKeys();
    }
    // A stable sort: changes at one time keep the order they were written in.
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < changes.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparing(i -> changes.get(i).at()));
    List<ScheduledChange> sorted = new ArrayList<>();
    List<ConfigSection> sortedOrigins = new ArrayList<>();
    for (int i : order) {
      sorted.add(changes.get(i));
      sortedOrigins.add(origins.get(i));
    }
    checkCrashes(sorted, sortedOrigins);
    return sorted;
  }

  private ScheduledChange timed(ConfigSection e) {
    List<String> actions = new ArrayList<>();
    for (String key : e.keys()) {
      if (ACTIONS.contains(key)) {
        actions.add(key);
      }
    }
    if (actions.size() != 1) {
      throw e.error(
          (actions.isEmpty() ? "no action" : "more than one action " + actions)
              + "; give 'at' and one of "
              + String.join(", ", ACTIONS)
              + ", or a flap (every, from, until, flap, down)");
    }
    Duration at = e.value("at", ConditionValues::duration);
    String action = actions.get(0);
    Change change =
        switch (action) {
          case "cut" -> pair(e, action, Change.Cut::new);
          case "cut-one-way" -> pair(e, action, Change.CutOneWay::new);
          case "heal" -> pair(e, action, Change.Heal::new);
          case "hold" -> pair(e, action, Change.Hold::new);
          case "release" -> pair(e, action, Change.Release::new);
          case "isolate" -> new Change.Isolate(host(e, action));
          case "rejoin" -> new Change.Rejoin(host(e, action));
          case "crash" -> new Change.Crash(host(e, action));
          case "restart" -> new Change.Restart(host(e, action));
          case "heal-all" -> healAll(e);
          default -> new Change.SetConditions(scenario.conditionBlocks(e, action));
        };
    return new ScheduledChange(at, change, "");
  }

  /**
   * {@code { every = 2s, from = 0s, until = 20s, flap = [a, b], down = 500ms }}: a cut at from,
   * from + every, ... (before until), each healed {@code down} later (default: half of every).
   */
  private List<ScheduledChange> flap(ConfigSection e) {
    List<String> ab = scenario.hostPair(e, "flap");
    Duration every = e.value("every", ConditionValues::positiveDuration);
    Duration from = e.optional("from", ConditionValues::duration, Duration.ZERO);
    Duration until = e.value("until", ConditionValues::duration);
    Duration down = e.optional("down", ConditionValues::positiveDuration, every.dividedBy(2));
    if (until.compareTo(from) <= 0) {
      throw e.error("until", "must be after 'from' (" + ConditionValues.durationText(from) + ")");
    }
    if (down.compareTo(every) >= 0) {
      throw e.error(
          "down",
          "must be shorter than 'every' ("
              + ConditionValues.durationText(every)
              + "), or the link never comes up");
    }
    long flaps = (until.minus(from).toNanos() + every.toNanos() - 1) / every.toNanos();
    List<ScheduledChange> changes = new ArrayList<>();
    for (long i = 0; i < flaps; i++) {
      Duration cutAt = from.plus(every.multipliedBy(i));
      String note = "flap " + (i + 1) + "/" + flaps;
      changes.add(new ScheduledChange(cutAt, new Change.Cut(ab.get(0), ab.get(1)), note));
      changes.add(
          new ScheduledChange(cutAt.plus(down), new Change.Heal(ab.get(0), ab.get(1)), note));
    }
    return changes;
  }

  private interface PairChange {
    Change of(String a, String b);
  }

  private Change pair(ConfigSection e, String key, PairChange make) {
    List<String> ab = scenario.hostPair(e, key);
    return make.of(ab.get(0), ab.get(1));
  }

  private String host(ConfigSection e, String key) {
    return scenario.host(e, key, e.text(key));
  }

  private static Change healAll(ConfigSection e) {
    if (!e.value("heal-all", ScenarioReader::bool)) {
      throw e.error("heal-all", "write heal-all = true, or leave the entry out");
    }
    return new Change.HealAll();
  }

  /** A host is crashed before it is restarted, and not crashed twice without a restart. */
  private static void checkCrashes(List<ScheduledChange> changes, List<ConfigSection> origins) {
    Set<String> down = new HashSet<>();
    for (int i = 0; i < changes.size(); i++) {
      Change c = changes.get(i).change();
      if (c instanceof Change.Crash crash && !down.add(crash.host())) {
        throw origins.get(i).error("crash", "host '" + crash.host() + "' is already crashed");
      }
      if (c instanceof Change.Restart restart && !down.remove(restart.host())) {
        throw origins
            .get(i)
            .error("restart", "host '" + restart.host() + "' is not crashed at that time");
      }
    }
  }
}
