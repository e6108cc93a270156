package dev.vnetif;

import static dev.vnetif.testsupport.TcpTestSupport.endpoint;
import static dev.vnetif.testsupport.TcpTestSupport.randomBytes;
import static dev.vnetif.testsupport.TcpTestSupport.readAll;
import static dev.vnetif.testsupport.TcpTestSupport.sha256Hex;
import static dev.vnetif.testsupport.TcpTestSupport.writeAll;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.testsupport.TcpTestSupport;
import dev.vnetif.testsupport.VirtualTimeKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every byte arrives intact under every condition: for each of mirage-tcpip's test backends and a
 * netem mix, 1 MiB each way over one connection, for many seeds. Each run checks SHA-256 both ways,
 * that the run ends, and that no flow (nor TIME_WAIT entry) is left in either host's table.
 *
 * <p>In virtual time: the delays, RTOs and the mirage 1 s outage cost no wall time, so the runs go
 * one after another, each alone in an idle simulation: a seed's run does not depend on the runs
 * before it, and {@code -Dvnetif.integrity.seed=N} replays the run the batch made.
 *
 * <p>{@code mvn verify} runs {@value #DEFAULT_SEEDS} seeds per backend; the soak runs 500 (README,
 * "Breaking the network"): {@code -Dvnetif.integrity.seeds=500}. One failing run is replayed with
 * {@code -Dvnetif.integrity.backend=NAME -Dvnetif.integrity.seed=N}, which every failure prints.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConditionsIntegrityTest {
  static final int DEFAULT_SEEDS = 50;
  static final int SIZE = 1 << 20;

  /**
   * One run's bound, in virtual time: the slowest backend (1 s outage after 1 MB) finishes in a few
   * seconds of it.
   */
  static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

  /**
   * Wall-clock bound on one backend's runs, per seed: a run takes a few tens of milliseconds of
   * CPU; this only catches a simulation that stopped making progress.
   */
  static final Duration WALL_PER_SEED = Duration.ofSeconds(2);

  final VirtualTimeKit sim = VirtualTimeKit.create("conditions-integrity");

  @AfterAll
  void stopTestKit() {
    sim.close();
  }

  record Backend(String name, Supplier<LinkConditions> conditions) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Backend> backends() {
    List<Backend> all =
        List.of(
            new Backend("mirage-basic", () -> LinkConditions.mirage().basic()),
            new Backend("mirage-trailing-bytes", () -> LinkConditions.mirage().trailingBytes()),
            new Backend("mirage-uniform-loss", () -> LinkConditions.mirage().uniformLoss()),
            new Backend(
                "mirage-no-payload-loss", () -> LinkConditions.mirage().uniformNoPayloadLoss()),
            new Backend(
                "mirage-drop-1s-after-1MB",
                () -> LinkConditions.mirage().dropOneSecondAfterOneMegabyte()),
            new Backend(
                "netem-mix",
                () ->
                    LinkConditions.none()
                        .loss(0.02)
                        .delay(Duration.ofMillis(10), Duration.ofMillis(5))
                        .reorder(0.01, 1)
                        .duplicate(0.005)
                        .corrupt(0.001)));
    String only = System.getProperty("vnetif.integrity.backend");
    return all.stream().filter(b -> only == null || only.isEmpty() || b.name().equals(only));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void everyByteArrivesUnderEveryCondition(Backend backend) {
    List<Long> seeds = seeds();
    acted.set(0);
    List<String> failures = new ArrayList<>();
    Duration wallBound = Duration.ofSeconds(30).plus(WALL_PER_SEED.multipliedBy(seeds.size()));
    long wallStart = System.nanoTime();
    Duration virtualStart = sim.now();
    assertTimeoutPreemptively(
        wallBound,
        () -> {
          for (long seed : seeds) {
            String failure = runOne(backend, seed);
            if (failure != null) {
              failures.add(
                  "seed "
                      + seed
                      + ": "
                      + failure
                      + "\n  replay: mvn -B test -Dtest=ConditionsIntegrityTest"
                      + " -Dvnetif.integrity.backend="
                      + backend.name()
                      + " -Dvnetif.integrity.seed="
                      + seed);
            }
          }
        },
        backend.name() + ": the runs did not end within " + wallBound + " of wall time");
    System.out.printf(
        "integrity %s: %d seeds, %d failed, %d frames acted on by the conditions;"
            + " %s of virtual time in %d ms%n",
        backend.name(),
        seeds.size(),
        failures.size(),
        acted.get(),
        sim.now().minus(virtualStart),
        (System.nanoTime() - wallStart) / 1_000_000);
    assertTrue(
        failures.isEmpty(),
        backend.name()
            + ": "
            + failures.size()
            + " of "
            + seeds.size()
            + " runs failed:\n"
            + String.join("\n", failures));
    if (!backend.name().equals("mirage-basic") && !backend.name().equals("mirage-trailing-bytes")) {
      assertTrue(acted.get() > 0, backend.name() + ": the conditions never acted");
    }
  }

  /**
   * One seed on a network of its own, shut down (and that awaited) before the next starts, so no
   * run leaves actors or timers behind for the ones that follow. The network's creation, the run
   * and the shutdown are one composition inside the simulation, started once it is idle: nothing
   * the test thread does interleaves with them (a network created from the test thread while the
   * previous run's last messages were still being handled ran differently from the same seed
   * alone). Returns what went wrong, or null.
   */
  String runOne(Backend backend, long seed) {
    NetworkConfig config =
        TcpTestSupport.withMsl(sim.system(), Duration.ofMillis(20)).withSeed(seed);
    CompletableFuture<String> outcome = new CompletableFuture<>();
    VirtualNetwork[] net = new VirtualNetwork[1];
    sim.runUntilIdle();
    sim.time()
        .run(
            () -> {
              net[0] = VirtualNetwork.create(sim.system(), config);
              run(net[0], backend, seed)
                  .handle((ok, failure) -> failure)
                  .thenCompose(
                      failure ->
                          net[0]
                              .shutdown()
                              .handle(
                                  (done, shutdownFailure) -> describe(failure, shutdownFailure)))
                  .thenAccept(outcome::complete);
              return CompletableFuture.completedFuture(null);
            });
    try {
      return sim.time().await(outcome, RUN_TIMEOUT);
    } catch (CompletionException e) {
      // Past the bound: the run is still going; end it so it does not load the next one.
      sim.time().await(net[0].shutdown());
      return String.valueOf(e.getCause());
    }
  }

  private static String describe(Throwable failure, Throwable shutdownFailure) {
    if (failure == null && shutdownFailure == null) {
      return null;
    }
    String text = failure == null ? "" : String.valueOf(unwrap(failure));
    if (shutdownFailure != null) {
      text += (text.isEmpty() ? "" : "; ") + "shutdown: " + unwrap(shutdownFailure);
    }
    return text;
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  static List<Long> seeds() {
    String one = System.getProperty("vnetif.integrity.seed");
    if (one != null && !one.isEmpty()) {
      return List.of(Long.parseLong(one));
    }
    int count = Integer.getInteger("vnetif.integrity.seeds", DEFAULT_SEEDS);
    List<Long> seeds = new ArrayList<>();
    for (long s = 1; s <= count; s++) {
      seeds.add(s);
    }
    return seeds;
  }

  /** Frames the conditions of the current backend dropped, delayed, duplicated... in all runs. */
  final AtomicLong acted = new AtomicLong();

  /** One network, one connection, 1 MiB each way at once; fails with what went wrong. */
  CompletionStage<Void> run(VirtualNetwork net, Backend backend, long seed) {
    byte[] up = randomBytes(seed * 2, SIZE);
    byte[] down = randomBytes(seed * 2 + 1, SIZE);
    CompletableFuture<TcpTestSupport.ReadSummary> serverGot = new CompletableFuture<>();
    CompletionStage<Void> result =
        net.setConditions(backend.conditions().get())
            .thenCompose(d -> net.createStack("10.0.0.2/24"))
            .thenCompose(
                client ->
                    net.createStack("10.0.0.3/24")
                        .thenCompose(
                            server -> {
                              server
                                  .tcp()
                                  .listen(
                                      80,
                                      flow -> {
                                        CompletionStage<?> sent =
                                            writeAll(flow, down, 16 * 1024)
                                                .thenCompose(
                                                    w -> flow.shutdown(ShutdownMode.WRITE));
                                        return readAll(flow)
                                            .thenCombine(sent, (got, w) -> got)
                                            .whenComplete(
                                                (got, e) -> {
                                                  if (e != null) {
                                                    serverGot.completeExceptionally(e);
                                                  } else {
                                                    serverGot.complete(got);
                                                  }
                                                })
                                            .thenCompose(got -> flow.close());
                                      });
                              return client
                                  .tcp()
                                  .createConnection(endpoint(server, 80))
                                  .thenCompose(
                                      flow -> {
                                        CompletionStage<?> sent =
                                            writeAll(flow, up, 16 * 1024)
                                                .thenCompose(
                                                    w -> flow.shutdown(ShutdownMode.WRITE));
                                        return readAll(flow)
                                            .thenCombine(sent, (got, w) -> got)
                                            .thenCompose(got -> flow.close().thenApply(d -> got));
                                      })
                                  .thenCombine(
                                      serverGot,
                                      (clientGot, serverGotIt) -> {
                                        check("server received", up, serverGotIt);
                                        check("client received", down, clientGot);
                                        return List.of(client, server);
                                      })
                                  .thenCompose(hosts -> tablesEmpty(hosts));
                            }));
    return result
        .thenCompose(v -> net.conditionStats())
        .thenAccept(
            stats ->
                acted.addAndGet(
                    stats.dropped()
                        + stats.tailDropped()
                        + stats.delayed()
                        + stats.duplicated()
                        + stats.corrupted()
                        + stats.reordered()));
  }

  static void check(String what, byte[] sent, TcpTestSupport.ReadSummary got) {
    String expected = sha256Hex(sent);
    if (got.bytes() != sent.length || !expected.equals(got.hex())) {
      throw new AssertionError(
          what
              + " "
              + got.bytes()
              + " bytes, SHA-256 "
              + got.hex()
              + "; sent "
              + sent.length
              + " bytes, SHA-256 "
              + expected);
    }
  }

  /** Both hosts end with no flow and no TIME_WAIT entry (2 MSL = 40 ms here), within 10 s. */
  CompletionStage<Void> tablesEmpty(List<Stack> hosts) {
    Duration deadline = sim.now().plus(Duration.ofSeconds(10));
    return TcpTestSupport.loop(
        () -> {
          boolean empty =
              hosts.stream()
                  .map(Stack::stats)
                  .allMatch(s -> s.openFlows() == 0 && s.timeWaitEntries() == 0);
          if (empty) {
            return CompletableFuture.completedFuture(false);
          }
          if (sim.now().compareTo(deadline) > 0) {
            Map<String, String> left = new LinkedHashMap<>();
            hosts.forEach(h -> left.put(h.name(), h.stats().toString()));
            throw new AssertionError("flows left in the tables: " + left);
          }
          return sim.after(Duration.ofMillis(20)).thenApply(v -> true);
        });
  }
}
