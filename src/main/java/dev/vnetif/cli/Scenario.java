package dev.vnetif.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.vnetif.StackConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A network to build and, for {@code vnetif run}, what to do with it: hosts, optionally a seed, the
 * link conditions from the start, the traffic and a timed schedule of changes. Read from a HOCON
 * file ({@code conf/scenarios/*.conf}, see {@link ScenarioReader} for every key), from the built-in
 * default, or from {@code --host} flags.
 *
 * <pre>
 * scenario {
 *   name = "two hosts"
 *   seed = 7                      # optional; overrides vnetif.seed
 *   hosts = [
 *     { name = a, cidr = "10.0.0.2/24" }
 *     { name = b, cidr = "10.0.0.3/24", mtu = 9000, gateway = "10.0.0.1" }
 *   ]
 *   conditions { delay = 50ms, loss = 1% }                    # optional
 *   traffic = [ { type = iperf, from = a, to = b, size = 1M } ] # vnetif run only
 *   schedule = [ { at = 2s, cut = [a, b] }, { at = 4s, heal = [a, b] } ]
 *   nemesis { mode = isolate-single, from = 1s, until = 9s }      # vnetif run only
 * }
 * </pre>
 *
 * @param conditions set once the hosts are up, in order
 * @param traffic what {@code vnetif run} starts; the other commands ignore it
 * @param schedule the changes {@code vnetif run} makes, by time; the other commands ignore it
 * @param nemesis random partitions {@code vnetif run} makes besides; the other commands ignore it
 */
record Scenario(
    String name,
    OptionalLong seed,
    List<StackConfig> hosts,
    List<ConditionBlock> conditions,
    List<ScenarioTraffic> traffic,
    List<ScheduledChange> schedule,
    Optional<ScenarioNemesis> nemesis) {

  static final String BUILT_IN = "scenarios/default.conf";

  Scenario {
    if (hosts.size() < 2) {
      throw new IllegalArgumentException(
          "scenario '" + name + "' needs at least two hosts, has " + hosts.size());
    }
    hosts = List.copyOf(hosts);
    conditions = List.copyOf(conditions);
    traffic = List.copyOf(traffic);
    schedule = List.copyOf(schedule);
  }

  /** Only hosts: no conditions, traffic, schedule or nemesis. */
  Scenario(String name, OptionalLong seed, List<StackConfig> hosts) {
    this(name, seed, hosts, List.of(), List.of(), List.of(), Optional.empty());
  }

  /** The scenario shipped inside the jar. */
  static Scenario builtIn() {
    return ScenarioReader.read(ConfigFactory.parseResources(BUILT_IN), "built-in " + BUILT_IN);
  }

  static Scenario fromFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("scenario file " + file + " does not exist");
    }
    Config config;
    try {
      config = ConfigFactory.parseFile(file.toFile()).resolve();
    } catch (ConfigException e) {
      throw new IllegalArgumentException("bad scenario " + file + ": " + e.getMessage(), e);
    }
    return ScenarioReader.read(config, file.toString());
  }

  /** Hosts given as {@code --host} CIDRs, named h1, h2, ... */
  static Scenario fromCidrs(List<String> cidrs) {
    List<StackConfig> hosts = new ArrayList<>();
    for (int i = 0; i < cidrs.size(); i++) {
      hosts.add(StackConfig.of(cidrs.get(i)).withName("h" + (i + 1)));
    }
    return new Scenario("command line", OptionalLong.empty(), hosts);
  }

  /** This scenario with other hosts (iperf's {@code --mtu}). */
  Scenario withHosts(List<StackConfig> newHosts) {
    return new Scenario(name, seed, newHosts, conditions, traffic, schedule, nemesis);
  }

  /** The host with this name or address, or an error listing the ones that exist. */
  StackConfig find(String nameOrAddress) {
    for (StackConfig host : hosts) {
      if (host.name().equals(nameOrAddress)
          || host.cidr().address().toString().equals(nameOrAddress)) {
        return host;
      }
    }
    List<String> known = new ArrayList<>();
    hosts.forEach(h -> known.add(h.name() + " (" + h.cidr().address() + ")"));
    throw new IllegalArgumentException(
        "no host '"
            + nameOrAddress
            + "' in scenario '"
            + name
            + "'; hosts: "
            + String.join(", ", known));
  }
}
