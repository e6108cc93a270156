package dev.vnetif.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** How a command builds its network: scenario or hosts, and the session's config, seed, capture. */
final class NetworkOptions {

  @Mixin SessionOptions session;

  @Option(
      names = "--scenario",
      paramLabel = "FILE",
      description =
          "Scenario file with the hosts to build and their link conditions (see conf/scenarios; "
              + "its traffic and schedule are for 'vnetif run'). "
              + "Default: the built-in three-host scenario.")
  Path scenario;

  @Option(
      names = "--host",
      paramLabel = "CIDR",
      description =
          "A host to build instead of a scenario, e.g. --host 10.0.0.2/24 "
              + "--host 10.0.0.3/24 (named h1, h2, ...).")
  List<String> hosts;

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
