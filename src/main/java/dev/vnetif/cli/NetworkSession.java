package dev.vnetif.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.vnetif.ConditionStats;
import dev.vnetif.LinkConditions;
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
import java.util.concurrent.CopyOnWriteArrayList;
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

  /** The scenario's hosts in its order; a restarted host takes its crashed one's place. */
  final List<Stack> hosts = new CopyOnWriteArrayList<>();

  private final PcapRecording recording;

  NetworkSession(NetworkOptions options) throws Exception {
    this(options.session, options.scenario());
  }

  NetworkSession(SessionOptions options, Scenario scenario) throws Exception {
    this.scenario = scenario;
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

  /** Puts {@code fresh}, the restart of a crashed host, in its place. */
  void replace(Stack crashed, Stack fresh) {
    hosts.set(hosts.indexOf(crashed), fresh);
  }

  /**
   * Sets the scenario's link conditions, in the file's order; {@code everywhere}, when not none
   * (the command-line flags), replaces the scenario's network-wide blocks.
   *
   * @return the blocks set, to print
   */
  List<ConditionBlock> applyConditions(LinkConditions everywhere) throws Exception {
    List<ConditionBlock> blocks = new ArrayList<>();
    if (!everywhere.isNone()) {
      blocks.add(ConditionBlock.everywhere(everywhere));
    }
    for (ConditionBlock block : scenario.conditions()) {
      if (everywhere.isNone() || !block.isEverywhere()) {
        blocks.add(block);
      }
    }
    for (ConditionBlock block : blocks) {
      block.apply(network, this::host).toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    }
    return blocks;
  }

  /** The counters of every condition step, now. */
  ConditionStats conditionStats() throws Exception {
    return network.conditionStats().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
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
