package dev.vnetif;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.vnetif.time.VirtualTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Runs a scenario twice in virtual time and proves both runs put the same frames on the wire in the
 * same order at the same virtual times — in the spirit of madsim's {@code check_determinism}. A
 * scenario that reads the wall clock, draws from an unseeded random source or depends on thread
 * timing fails with a {@link NondeterminismException} naming the first frame that differs.
 *
 * <pre>{@code
 * DeterminismCheck.Report r = DeterminismCheck.check(NetworkConfig.fromConfig(cfg).withSeed(7),
 *     net -> net.createStack("10.0.0.2/24").thenCompose(a -> ...));
 * }</pre>
 *
 * <p>Each run gets an actor system of its own made with {@link VirtualTime#config()} on top of
 * {@code ConfigFactory.load()}, and one network built from {@code config}; the scenario runs inside
 * the simulation (compose stages, never block) and the run ends when its stage completes.
 */
public final class DeterminismCheck {
  private static final Duration TERMINATION = Duration.ofSeconds(30);

  private DeterminismCheck() {}

  /**
   * What the two identical runs produced.
   *
   * @param frames frames the switch forwarded in one run
   * @param sha256 hash over every frame's virtual timestamp, ingress port and bytes, in order
   * @param virtualTime how long the scenario took in virtual time
   */
  public record Report(long frames, String sha256, Duration virtualTime) {}

  /** Runs {@code scenario} twice on a network made from {@code config} and compares the frames. */
  public static Report check(
      NetworkConfig config, Function<VirtualNetwork, CompletionStage<?>> scenario) {
    return check(ConfigFactory.load(), config, scenario);
  }

  /** As {@link #check(NetworkConfig, Function)}, with the actor systems' base configuration. */
  public static Report check(
      Config systemConfig,
      NetworkConfig config,
      Function<VirtualNetwork, CompletionStage<?>> scenario) {
    if (config == null || scenario == null || systemConfig == null) {
      throw new IllegalArgumentException("config, systemConfig and scenario must not be null");
    }
    Run first = runOnce(systemConfig, config, scenario);
    Run second = runOnce(systemConfig, config, scenario);
    int n = Math.min(first.frames.size(), second.frames.size());
    for (int i = 0; i < n; i++) {
      if (!first.frames.get(i).equals(second.frames.get(i))) {
        throw new NondeterminismException(
            "seed "
                + config.seed()
                + ": frame "
                + i
                + " differs between two runs: "
                + first.frames.get(i)
                + " vs "
                + second.frames.get(i));
      }
    }
    if (first.frames.size() != second.frames.size()) {
      throw new NondeterminismException(
          "seed "
              + config.seed()
              + ": the runs sent "
              + first.frames.size()
              + " and "
              + second.frames.size()
              + " frames; the first "
              + n
              + " agree");
    }
    if (!first.virtualTime.equals(second.virtualTime)) {
      throw new NondeterminismException(
          "seed "
              + config.seed()
              + ": the same frames, but the runs ended at "
              + first.virtualTime
              + " and "
              + second.virtualTime);
    }
    return new Report(first.frames.size(), first.sha256, first.virtualTime);
  }

  /** One frame as the check compares it. */
  private record Seen(long epochNanos, int port, String host, int length, String sha256) {
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "[at %s from port %d (%s), %d bytes, sha256 %s]",
          java.time.Instant.ofEpochSecond(0, epochNanos),
          port,
          host,
          length,
          sha256.substring(0, 16));
    }
  }

  private record Run(List<Seen> frames, String sha256, Duration virtualTime) {}

  private static Run runOnce(
      Config systemConfig,
      NetworkConfig config,
      Function<VirtualNetwork, CompletionStage<?>> scenario) {
    ActorSystem<Void> system =
        ActorSystem.create(
            Behaviors.empty(),
            "determinism-check",
            VirtualTime.config().withFallback(systemConfig));
    try {
      VirtualTime time = VirtualTime.get(system);
      VirtualNetwork net = VirtualNetwork.create(system, config);
      List<Seen> frames = new ArrayList<>();
      MessageDigest all = sha256();
      // The tap runs inside the simulation, one frame at a time; the lists are read once the
      // listener has been removed, which waits for every frame already handed to it.
      TapId tap =
          net.addListener(
              f -> {
                byte[] bytes = f.bytes().toArray();
                byte[] digest = sha256().digest(bytes);
                frames.add(
                    new Seen(
                        f.epochNanos(),
                        f.ingressPort(),
                        f.ingressHost(),
                        bytes.length,
                        HexFormat.of().formatHex(digest)));
                all.update(longBytes(f.epochNanos()));
                all.update(longBytes(f.ingressPort()));
                all.update(digest);
              });
      Duration start = time.now();
      time.run(() -> scenario.apply(net));
      Duration took = time.now().minus(start);
      time.await(net.removeListener(tap));
      time.await(net.shutdown());
      return new Run(List.copyOf(frames), HexFormat.of().formatHex(all.digest()), took);
    } finally {
      system.terminate();
      try {
        system
            .getWhenTerminated()
            .toCompletableFuture()
            .get(TERMINATION.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        // The check's result does not depend on how the system ended.
      }
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  private static byte[] longBytes(long v) {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (v >>> (56 - 8 * i));
    }
    return b;
  }
}
