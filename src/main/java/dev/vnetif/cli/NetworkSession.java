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
import dev.vnetif.tcp.CongestionControlFactory;
import dev.vnetif.tcp.LossDetection;
import dev.vnetif.time.VirtualTime;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * An actor system, a virtual network and the scenario's hosts, torn down on close; over the wall
 * clock or, with {@code virtualTime}, as a simulation in virtual time ({@link VirtualTime}). Every
 * wait of a command on its network goes through {@link #await} or {@link #run}, which in virtual
 * time are what lets time move.
 */
final class NetworkSession implements AutoCloseable {
  static final Path DEFAULT_CONFIG = Path.of("conf", "application.conf");
  private static final Duration WAIT = Duration.ofSeconds(30);

  final Scenario scenario;
  final ActorSystem<Void> system;
  final VirtualNetwork network;

  /** The scenario's hosts in its order; a restarted host takes its crashed one's place. */
  final List<Stack> hosts = new CopyOnWriteArrayList<>();

  /** The time the traffic runs on: the network's clock, and where the command's steps run. */
  final TrafficClock clock;

  /** The simulation, or null over the wall clock. */
  private final VirtualTime virtualTime;

  private final PcapRecording recording;

  NetworkSession(NetworkOptions options) throws Exception {
    this(options.session, options.scenario());
  }

  NetworkSession(SessionOptions options, Scenario scenario) throws Exception {
    this(options, scenario, false);
  }

  /**
   * @param virtualTime run the network as a simulation in virtual time rather than over the wall
   *     clock
   */
  NetworkSession(SessionOptions options, Scenario scenario, boolean virtualTime) throws Exception {
    this.scenario = scenario;
    Config settings = loadConfig(options.config);
    if (virtualTime) {
      settings = VirtualTime.config().withFallback(settings);
    }
    this.system = ActorSystem.create(Behaviors.empty(), "vnetif", settings);
    if (virtualTime) {
      TrafficClock.Simulated simulated = TrafficClock.simulated(system);
      this.clock = simulated;
      this.virtualTime = simulated.time();
    } else {
      this.clock = TrafficClock.wall();
      this.virtualTime = null;
    }
    try {
      NetworkConfig config = NetworkConfig.fromConfig(system.settings().config());
      if (options.seed != null) {
        config = config.withSeed(options.seed);
      } else if (scenario.seed().isPresent()) {
        config = config.withSeed(scenario.seed().getAsLong());
      }
      if (options.congestionControl != null) {
        config =
            config.withTcp(
                config.tcp().withCongestionControl(congestionControl(options.congestionControl)));
      }
      if (options.lossDetection != null) {
        config =
            config.withTcp(config.tcp().withLossDetection(lossDetection(options.lossDetection)));
      }
      this.network = VirtualNetwork.create(system, config);
      this.recording = options.pcap != null ? record(network, options.pcap) : null;
      for (StackConfig host : scenario.hosts()) {
        hosts.add(await(network.createStack(host), WAIT));
      }
    } catch (Exception | Error e) {
      // No one will close a session that was never made: end its actor system here.
      try {
        stopSystem();
      } catch (Exception stopFailure) {
        e.addSuppressed(stopFailure);
      }
      throw e;
    }
  }

  /** Starts the capture {@code --pcap} asks for; a file that cannot be written is a usage error. */
  private static PcapRecording record(VirtualNetwork network, Path file) {
    try {
      return network.recordPcap(file);
    } catch (UncheckedIOException e) {
      throw OutputPaths.cannotWrite("--pcap", file, e.getCause());
    }
  }

  /** Whether the network runs in virtual time. */
  boolean isVirtual() {
    return virtualTime != null;
  }

  /**
   * Waits for {@code stage} at most {@code limit} of the session's time: wall-clock time, or
   * virtual time, which moves only while this waits and the simulation has nothing else to do. In
   * virtual time it returns once the simulation has done everything due at that instant ({@link
   * VirtualTime#await}), so that what the caller does next starts from the same state every run.
   *
   * @throws ExecutionException when the stage fails, with its failure as the cause
   * @throws TimeoutException when {@code limit} passes first
   */
  <T> T await(CompletionStage<T> stage, Duration limit)
      throws ExecutionException, TimeoutException, InterruptedException {
    CompletableFuture<T> future = stage.toCompletableFuture();
    if (virtualTime == null) {
      return future.get(limit.toNanos(), TimeUnit.NANOSECONDS);
    }
    try {
      virtualTime.await(future, limit);
    } catch (CompletionException | CancellationException e) {
      if (!future.isDone()) {
        throw new TimeoutException(
            "not done after " + limit + " of virtual time: " + e.getCause().getMessage());
      }
    }
    return future.get();
  }

  /**
   * Runs {@code body}, which starts traffic and returns a stage that completes when it has ended,
   * and waits for that stage as {@link #await} does. In virtual time the body runs inside the
   * simulation, as one of its tasks, so that every message it sends is in the simulation's order.
   *
   * @throws ExecutionException when the body throws or its stage fails, with that as the cause
   */
  <T> T run(Supplier<? extends CompletionStage<T>> body, Duration limit)
      throws ExecutionException, TimeoutException, InterruptedException {
    if (virtualTime == null) {
      CompletionStage<T> stage;
      try {
        stage = body.get();
      } catch (RuntimeException e) {
        throw new ExecutionException(e);
      }
      return await(stage, limit);
    }
    CompletableFuture<T> ended =
        CompletableFuture.supplyAsync(body, system.executionContext()).thenCompose(s -> s);
    return await(ended, limit);
  }

  /** The factory {@code -C/--congestion-control} names; a usage error names the option. */
  static CongestionControlFactory congestionControl(String name) {
    try {
      return CongestionControlFactory.named(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--congestion-control must be cubic or newreno, got '" + name + "'", e);
    }
  }

  /** The way {@code --loss-detection} names; a usage error names the option. */
  static LossDetection lossDetection(String name) {
    try {
      return LossDetection.named(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--loss-detection must be rack or dupack, got '" + name + "'", e);
    }
  }

  /** The name of the congestion control the network's TCP senders run, e.g. {@code "cubic"}. */
  String congestionControlName() {
    return network.config().tcp().congestionControl().create(1460, 14_600).name();
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
      await(block.apply(network, this::host), WAIT);
    }
    return blocks;
  }

  /** The counters of every condition step, now. */
  ConditionStats conditionStats() throws Exception {
    return await(network.conditionStats(), WAIT);
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
        await(recording.stop(), WAIT);
      }
      await(network.shutdown(), WAIT);
    } finally {
      stopSystem();
    }
  }

  private void stopSystem() throws Exception {
    if (clock instanceof TrafficClock.Wall wall) {
      wall.close();
    }
    // Termination needs no timer, so a wall-clock wait serves in virtual time too.
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }
}
