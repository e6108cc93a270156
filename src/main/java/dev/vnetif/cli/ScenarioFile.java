package dev.vnetif.cli;

import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import dev.vnetif.StackConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link Scenario} written back in the form {@link Scenario#fromFile} reads, so that a command
 * can build a modified copy of the scenario it was given (iperf's {@code --mtu}) through the same
 * {@link NetworkOptions} path as any scenario file.
 */
final class ScenarioFile {
  private ScenarioFile() {}

  static void write(Scenario scenario, Path file) {
    List<Map<String, Object>> hosts = new ArrayList<>();
    for (StackConfig host : scenario.hosts()) {
      Map<String, Object> h = new LinkedHashMap<>();
      h.put("name", host.name());
      h.put("cidr", host.cidr().toString());
      host.gateway().ifPresent(gateway -> h.put("gateway", gateway.toString()));
      host.mtu().ifPresent(mtu -> h.put("mtu", mtu));
      host.checksumOffload().ifPresent(offload -> h.put("checksum-offload", offload));
      hosts.add(h);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", scenario.name());
    scenario.seed().ifPresent(seed -> body.put("seed", seed));
    body.put("hosts", hosts);
    String text =
        ConfigValueFactory.fromMap(Map.of("scenario", body))
            .render(ConfigRenderOptions.concise().setFormatted(true));
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write scenario " + file, e);
    }
  }
}
