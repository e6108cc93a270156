package dev.vnetif;

import static dev.vnetif.testsupport.TcpTestSupport.endpoint;
import static dev.vnetif.testsupport.TcpTestSupport.randomBytes;
import static dev.vnetif.testsupport.TcpTestSupport.readAll;
import static dev.vnetif.testsupport.TcpTestSupport.sha256Hex;
import static dev.vnetif.testsupport.TcpTestSupport.writeAll;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.testsupport.TcpTestSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every byte arrives intact under every condition: for each of mirage-tcpip's test backends and a
 * netem mix, 1 MiB each way over one connection, for many seeds. Each run checks SHA-256 both ways,
 * that the run ends, and that no flow (nor TIME_WAIT entry) is left in either host's table.
 *
 * <p>{@code mvn verify} runs {@value #DEFAULT_SEEDS} seeds per backend; the soak runs 500 (README,
 * "Breaking the network"): {@code -Dvnetif.integrity.seeds=500}. One failing run is replayed with
 * {@code -Dvnetif.integrity.backend=NAME -Dvnetif.integrity.seed=N}, which every failure prints.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConditionsIntegrityTest {
  static final int DEFAULT_SEEDS = 50;
  static final int SIZE = 1 << 20;

  /** Runs at once: each is mostly waiting on timers (delays, RTOs), not on the CPU. */
  static final int PARALLEL = 32;

  /** One run's bound: the slowest backend (1 s outage after 1 MB) finishes in a few seconds. */
  static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

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
  void everyByteArrivesUnderEveryCondition(Backend backend) throws Exception {
    List<Long> seeds = seeds();
    acted.set(0);
    Semaphore slots = new Semaphore(PARALLEL);
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    List<CompletableFuture<Void>> runs = new ArrayList<>();
    for (long seed : seeds) {
      slots.acquire();
      CompletableFuture<Void> run =
          run(backend, seed)
              .toCompletableFuture()
              .orTimeout(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
              .handle(
                  (ok, error) -> {
                    if (error != null) {
                      failures.add(
                          "seed "
                              + seed
                              + ": "
                              + error
                              + "\n  replay: mvn -B test -Dtest=ConditionsIntegrityTest"
                              + " -Dvnetif.integrity.backend="
                              + backend.name()
                              + " -Dvnetif.integrity.seed="
                              + seed);
                    }
                    slots.release();
                    return null;
                  });
      runs.add(run);
    }
    CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).join();
    System.out.printf(
        "integrity %s: %d seeds, %d failed, %d frames acted on by the conditions%n",
        backend.name(), seeds.size(), failures.size(), acted.get());
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

  /** One network, one connection, 1 MiB each way at once; fails with what went wrong. */
  /** Frames the conditions of the current backend dropped, delayed, duplicated... in all runs. */
  final java.util.concurrent.atomic.AtomicLong acted = new java.util.concurrent.atomic.AtomicLong();

  CompletionStage<Void> run(Backend backend, long seed) {
    NetworkConfig base = TcpTestSupport.withMsl(testKit.system(), Duration.ofMillis(20));
    VirtualNetwork net = VirtualNetwork.create(testKit.system(), base.withSeed(seed));
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
                        + stats.reordered()))
        // The network is shut down, and that awaited, before the run counts as ended: no run
        // leaves actors behind to load the tests that follow.
        .handle((ok, e) -> e)
        .thenCompose(
            e ->
                net.shutdown()
                    .handle((d, ignored) -> e)
                    .thenApply(
                        failure -> {
                          if (failure != null) {
                            throw failure instanceof java.util.concurrent.CompletionException ce
                                ? ce
                                : new java.util.concurrent.CompletionException(failure);
                          }
                          return null;
                        }));
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
  static CompletionStage<Void> tablesEmpty(List<Stack> hosts) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    return TcpTestSupport.loop(
        () -> {
          boolean empty =
              hosts.stream()
                  .map(Stack::stats)
                  .allMatch(s -> s.openFlows() == 0 && s.timeWaitEntries() == 0);
          if (empty) {
            return CompletableFuture.completedFuture(false);
          }
          if (System.nanoTime() - deadline > 0) {
            Map<String, String> left = new java.util.LinkedHashMap<>();
            hosts.forEach(h -> left.put(h.name(), h.stats().toString()));
            throw new AssertionError("flows left in the tables: " + left);
          }
          return TcpTestSupport.after(Duration.ofMillis(20)).thenApply(v -> true);
        });
  }
}
