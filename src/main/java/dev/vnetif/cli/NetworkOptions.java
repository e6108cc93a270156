package dev.vnetif.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** How a command builds its network: config, scenario or hosts, seed, capture. */
final class NetworkOptions {

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Runtime config (HOCON). Default: conf/application.conf when present.")
  Path config;

  @Option(
      names = "--scenario",
      paramLabel = "FILE",
      description =
          "Scenario file with the hosts to build (see conf/scenarios). "
              + "Default: the built-in three-host scenario.")
  Path scenario;

  @Option(
      names = "--host",
      paramLabel = "CIDR",
      description =
          "A host to build instead of a scenario, e.g. --host 10.0.0.2/24 "
              + "--host 10.0.0.3/24 (named h1, h2, ...).")
  List<String> hosts;

  @Option(
      names = "--seed",
      paramLabel = "N",
      description = "Seed for MACs, identifiers, ports and faults (overrides config and scenario).")
  Long seed;

  @Option(
      names = "--pcap",
      paramLabel = "FILE",
      description = "Write every frame the switch forwards to FILE (libpcap, for Wireshark).")
  Path pcap;

  Scenario scenario() {
    if (hosts != null && !hosts.isEmpty()) {
      if (scenario != null) {
        throw new IllegalArgumentException("give either --scenario or --host, not both");
      }
      return Scenario.fromCidrs(hosts);
    }
    return scenario != null ? Scenario.fromFile(scenario) : Scenario.builtIn();
  }
}
