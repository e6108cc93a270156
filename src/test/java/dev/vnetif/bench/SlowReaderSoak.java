package dev.vnetif.bench;

import dev.vnetif.NetworkConfig;
import dev.vnetif.Stack;
import dev.vnetif.VirtualNetwork;
import dev.vnetif.testsupport.TcpTestSupport;
import dev.vnetif.testsupport.TcpTestSupport.SlowReaderResult;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The slow-reader soak: mirage-tcpip's "slow reader" scenario at 100 MB. One host writes 100 MB of
 * seeded random data in 4000-byte writes; the other reads it, pausing for 20–200 ms as if on 1% of
 * 4000-byte reads (about every 400 KB, at offsets fixed by the seed), so the receive window closes
 * and reopens again and again. Prints MB/s, the longest single write, and whether the SHA-256 of
 * what was read equals that of what was written; exits 1 on corruption or a write stalled longer
 * than the bound.
 *
 * <p>Not part of {@code mvn test} (surefire excludes {@code bench}). Run it with the bench profile,
 * e.g. {@code mvn -B -Pbench test-compile exec:exec -Dexec.executable=java
 * -Dexec.classpathScope=test -Dexec.args="-cp %classpath dev.vnetif.bench.SlowReaderSoak"};
 * arguments: {@code [megabytes] [seed]} (defaults 100 and 1).
 */
public final class SlowReaderSoak {
  static final int CHUNK = 4000;
  static final double PAUSE_PROBABILITY = 0.01;
  static final Duration MIN_PAUSE = Duration.ofMillis(20);
  static final Duration MAX_PAUSE = Duration.ofMillis(200);

  /** The longest one write may wait for send-buffer room before the run counts as stalled. */
  static final Duration MAX_WRITE_STALL = Duration.ofSeconds(5);

  static final Duration RUN_LIMIT = Duration.ofMinutes(15);

  private SlowReaderSoak() {}

  public static void main(String[] args) {
    long megabytes = args.length > 0 ? Long.parseLong(args[0]) : 100;
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "slow-reader-soak");
    int status;
    try {
      status = run(system, megabytes * 1_000_000L, seed);
    } catch (Throwable t) {
      t.printStackTrace();
      status = 2;
    } finally {
      system.terminate();
      try {
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("actor system did not terminate: " + e);
      }
    }
    System.exit(status);
  }

  static int run(ActorSystem<?> system, long bytes, long seed) {
    VirtualNetwork net =
        VirtualNetwork.create(system, NetworkConfig.fromConfig(system.settings().config()));
    try {
      Stack reader =
          TcpTestSupport.await(
              net.createStack("10.0.0.3/24"), Duration.ofSeconds(10), "reader host");
      Stack writer =
          TcpTestSupport.await(
              net.createStack("10.0.0.2/24"), Duration.ofSeconds(10), "writer host");
      System.out.printf(
          "slow-reader soak: %d bytes in %d-byte writes, reader pauses %s–%s "
              + "as on %.0f%% of %d-byte reads (%d pauses), seed %d%n",
          bytes,
          CHUNK,
          MIN_PAUSE.toMillis() + " ms",
          MAX_PAUSE.toMillis() + " ms",
          PAUSE_PROBABILITY * 100,
          CHUNK,
          TcpTestSupport.slowReaderPauseCount(bytes, CHUNK, seed, PAUSE_PROBABILITY),
          seed);
      SlowReaderResult result =
          TcpTestSupport.await(
              TcpTestSupport.slowReader(
                  system,
                  reader,
                  writer,
                  7000,
                  bytes,
                  CHUNK,
                  seed,
                  PAUSE_PROBABILITY,
                  MIN_PAUSE,
                  MAX_PAUSE),
              RUN_LIMIT,
              "slow-reader run (seed " + seed + ")");
      double mbPerSecond = TcpTestSupport.mbPerSecond(result.bytes(), result.nanos());
      boolean intact = result.intact();
      boolean noStall = result.writes().maxStall().compareTo(MAX_WRITE_STALL) < 0;
      System.out.println(result.describe());
      System.out.printf("throughput:      %.1f MB/s%n", mbPerSecond);
      System.out.printf(
          "max write stall: %d ms (bound %d ms) %s%n",
          result.writes().maxStall().toMillis(),
          MAX_WRITE_STALL.toMillis(),
          noStall ? "OK" : "FAILED");
      System.out.printf("SHA-256 match:   %s%n", intact ? "yes" : "NO");
      return intact && noStall ? 0 : 1;
    } finally {
      TcpTestSupport.await(net.shutdown(), Duration.ofSeconds(30), "network shutdown");
    }
  }
}
