package dev.vnetif.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.vnetif.NetworkConfig;
import dev.vnetif.PcapRecording;
import dev.vnetif.Stack;
import dev.vnetif.StackConfig;
import dev.vnetif.VirtualNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** An actor system, a virtual network and the scenario's hosts, torn down on close. */
final class NetworkSession implements AutoCloseable {
  static final Path DEFAULT_CONFIG = Path.of("conf", "application.conf");
  private static final long WAIT_SECONDS = 30;

  final Scenario scenario;
  final ActorSystem<Void> system;
  final VirtualNetwork network;
  final List<Stack> hosts = new ArrayList<>();
  private final PcapRecording recording;

  NetworkSession(NetworkOptions options) throws Exception {
    this.scenario = options.scenario();
    this.system = ActorSystem.create(Behaviors.empty(), "vnetif", loadConfig(options.config));
    NetworkConfig config = NetworkConfig.fromConfig(system.settings().config());
    if (options.seed != null) {
      config = config.withSeed(options.seed);
    } else if (scenario.seed().isPresent()) {
      config = config.withSeed(scenario.seed().getAsLong());
    }
    this.network = VirtualNetwork.create(system, config);
    this.recording = options.pcap != null ? network.recordPcap(options.pcap) : null;
    for (StackConfig host : scenario.hosts()) {
      hosts.add(
          network.createStack(host).toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS));
    }
  }

  static Config loadConfig(Path file) {
    Config defaults = ConfigFactory.load();
    if (file != null) {
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("config file " + file + " does not exist");
      }
      return ConfigFactory.parseFile(file.toFile()).withFallback(defaults).resolve();
    }
    if (Files.isRegularFile(DEFAULT_CONFIG)) {
      return ConfigFactory.parseFile(DEFAULT_CONFIG.toFile()).withFallback(defaults).resolve();
    }
    return defaults;
  }

  Stack host(String nameOrAddress) {
    StackConfig wanted = scenario.find(nameOrAddress);
    return hosts.get(scenario.hosts().indexOf(wanted));
  }

  long seed() {
    return network.config().seed();
  }

  /** Where the capture went, or null. */
  Path pcapFile() {
    return recording != null ? recording.file() : null;
  }

  @Override
  public void close() throws Exception {
    try {
      if (recording != null) {
        recording.stop().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
      }
      network.shutdown().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    } finally {
      system.terminate();
      system
          .getWhenTerminated()
          .toCompletableFuture()
          .get(Duration.ofSeconds(WAIT_SECONDS).toSeconds(), TimeUnit.SECONDS);
    }
  }
}
