package dev.vnetif.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.vnetif.StackConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * A network to build: its hosts and, optionally, a seed. Read from a HOCON file ({@code
 * conf/scenarios/*.conf}), from the built-in default, or from {@code --host} flags.
 *
 * <pre>
 * scenario {
 *   name = "two hosts"
 *   seed = 7                      # optional; overrides vnetif.seed
 *   hosts = [
 *     { name = a, cidr = "10.0.0.2/24" }
 *     { name = b, cidr = "10.0.0.3/24", mtu = 9000, gateway = "10.0.0.1" }
 *   ]
 * }
 * </pre>
 */
record Scenario(String name, OptionalLong seed, List<StackConfig> hosts) {

  static final String BUILT_IN = "scenarios/default.conf";

  Scenario {
    if (hosts.size() < 2) {
      throw new IllegalArgumentException(
          "scenario '" + name + "' needs at least two hosts, has " + hosts.size());
    }
  }

  /** The scenario shipped inside the jar. */
  static Scenario builtIn() {
    return fromConfig(ConfigFactory.parseResources(BUILT_IN), "built-in " + BUILT_IN);
  }

  static Scenario fromFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("scenario file " + file + " does not exist");
    }
    return fromConfig(ConfigFactory.parseFile(file.toFile()), file.toString());
  }

  /** Hosts given as {@code --host} CIDRs, named h1, h2, ... */
  static Scenario fromCidrs(List<String> cidrs) {
    List<StackConfig> hosts = new ArrayList<>();
    for (int i = 0; i < cidrs.size(); i++) {
      hosts.add(StackConfig.of(cidrs.get(i)).withName("h" + (i + 1)));
    }
    return new Scenario("command line", OptionalLong.empty(), hosts);
  }

  private static Scenario fromConfig(Config root, String origin) {
    try {
      Config s = root.getConfig("scenario");
      List<StackConfig> hosts = new ArrayList<>();
      for (Config h : s.getConfigList("hosts")) {
        StackConfig host = StackConfig.of(h.getString("cidr"));
        if (h.hasPath("name")) {
          host = host.withName(h.getString("name"));
        }
        if (h.hasPath("gateway")) {
          host = host.withGateway(h.getString("gateway"));
        }
        if (h.hasPath("mtu")) {
          host = host.withMtu(h.getInt("mtu"));
        }
        if (h.hasPath("checksum-offload")) {
          host = host.withChecksumOffload(h.getBoolean("checksum-offload"));
        }
        hosts.add(host);
      }
      String name = s.hasPath("name") ? s.getString("name") : origin;
      OptionalLong seed =
          s.hasPath("seed") ? OptionalLong.of(s.getLong("seed")) : OptionalLong.empty();
      return new Scenario(name, seed, hosts);
    } catch (ConfigException e) {
      throw new IllegalArgumentException("bad scenario " + origin + ": " + e.getMessage(), e);
    }
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
