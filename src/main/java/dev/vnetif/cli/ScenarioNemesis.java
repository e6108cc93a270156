package dev.vnetif.cli;

import dev.vnetif.Nemesis;
import dev.vnetif.NemesisMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A scenario's {@code nemesis} block: a seeded random schedule of partitions ({@link Nemesis}) that
 * {@code vnetif run} starts at {@code from} and stops — healing what it cut — at {@code until}, or
 * when the traffic has ended if that comes first.
 *
 * <pre>
 * nemesis {
 *   mode = uniform-size            # or uniform-partition, isolate-single (default uniform-size)
 *   tick = 100ms                   # how often it draws
 *   partition-probability = 0.05   # per tick, while healed (5% works too)
 *   heal-probability = 0.2         # per tick, while partitioned
 *   partition-stability = 1s       # the least time a partition lasts
 *   heal-stability = 2s            # the least time between partitions (and before the first)
 *   asymmetric-probability = 0.3   # a partition cuts one direction only
 *   from = 2s, until = 20s         # from the scenario's start; until is optional
 *   hosts = [a, b, c]              # optional, default: every host
 * }
 * </pre>
 *
 * @param nemesis the settings, without hosts
 * @param hosts the names of the hosts it acts on, in order; empty: every host of the scenario
 * @param until empty: until the traffic has ended
 */
record ScenarioNemesis(
    Nemesis nemesis, List<String> hosts, Duration from, Optional<Duration> until) {

  ScenarioNemesis {
    hosts = List.copyOf(hosts);
  }

  /** Reads the block, naming hosts through {@code scenario}; every key checked. */
  static ScenarioNemesis read(ConfigSection n, ScenarioReader scenario) {
    Nemesis nemesis =
        Nemesis.of(n.optional("mode", ScenarioNemesis::mode, NemesisMode.UNIFORM_SIZE));
    nemesis =
        nemesis.withTick(n.optional("tick", ConditionValues::positiveDuration, nemesis.tick()));
    nemesis =
        nemesis
            .withPartitionProbability(
                n.optional(
                    "partition-probability",
                    ConditionValues::probability,
                    nemesis.partitionProbability()))
            .withHealProbability(
                n.optional(
                    "heal-probability", ConditionValues::probability, nemesis.healProbability()))
            .withPartitionStability(
                n.optional(
                    "partition-stability", ConditionValues::duration, nemesis.partitionStability()))
            .withHealStability(
                n.optional("heal-stability", ConditionValues::duration, nemesis.healStability()))
            .withAsymmetricProbability(
                n.optional(
                    "asymmetric-probability",
                    ConditionValues::probability,
                    nemesis.asymmetricProbability()));
    Duration from = n.optional("from", ConditionValues::duration, Duration.ZERO);
    Optional<Duration> until = Optional.ofNullable(n.optional("until", ConditionValues::duration));
    if (until.isPresent() && until.get().compareTo(from) <= 0) {
      throw n.error("until", "must be after 'from' (" + ConditionValues.durationText(from) + ")");
    }
    List<String> hosts = new ArrayList<>();
    if (n.has("hosts")) {
      for (String text : n.texts("hosts")) {
        String host = scenario.host(n, "hosts", text);
        if (hosts.contains(host)) {
          throw n.error("hosts", "names host '" + host + "' twice");
        }
        hosts.add(host);
      }
      if (hosts.size() < 2) {
        throw n.error(
            "hosts", "a nemesis needs at least two hosts to partition, got " + hosts.size());
      }
    }
    n.checkNoOtherKeys();
    return new ScenarioNemesis(nemesis, hosts, from, until);
  }

  private static NemesisMode mode(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "uniform-size" -> NemesisMode.UNIFORM_SIZE;
      case "uniform-partition" -> NemesisMode.UNIFORM_PARTITION;
      case "isolate-single" -> NemesisMode.ISOLATE_SINGLE;
      default ->
          throw new IllegalArgumentException(
              "'"
                  + text
                  + "' is not a nemesis mode; expected uniform-size, uniform-partition or"
                  + " isolate-single");
    };
  }

  /** The mode as the file writes it: {@code uniform-size}. */
  static String modeText(NemesisMode mode) {
    return mode.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * As the plan prints it: {@code uniform-size on every host, from 2s until 20s: tick 100ms,
   * partition 5% after 2s healed, heal 20% after 1s partitioned, 30% one way}.
   */
  String describe() {
    return modeText(nemesis.mode())
        + " on "
        + (hosts.isEmpty() ? "every host" : String.join(", ", hosts))
        + ", from "
        + ConditionValues.durationText(from)
        + until.map(u -> " until " + ConditionValues.durationText(u)).orElse(" until the end")
        + ": tick "
        + ConditionValues.durationText(nemesis.tick())
        + ", partition "
        + ConditionValues.percent(nemesis.partitionProbability())
        + " after "
        + ConditionValues.durationText(nemesis.healStability())
        + " healed, heal "
        + ConditionValues.percent(nemesis.healProbability())
        + " after "
        + ConditionValues.durationText(nemesis.partitionStability())
        + " partitioned, "
        + ConditionValues.percent(nemesis.asymmetricProbability())
        + " one way";
  }
}
