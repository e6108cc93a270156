package dev.vnetif;

import static dev.vnetif.testsupport.TcpTestSupport.await;
import static dev.vnetif.testsupport.TcpTestSupport.awaitCondition;
import static dev.vnetif.testsupport.TcpTestSupport.endpoint;
import static dev.vnetif.testsupport.TcpTestSupport.loop;
import static dev.vnetif.testsupport.TcpTestSupport.readAll;
import static dev.vnetif.testsupport.TcpTestSupport.sha256Hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.stack.DropReason;
import dev.vnetif.testsupport.TcpTestSupport;
import dev.vnetif.testsupport.TcpTestSupport.ReadSummary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Many connections at once between two hosts: all complete, none corrupts another, none leaks. */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TcpConcurrencyTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final int CONNECTIONS = 1_000;
  static final int BYTES_EACH = 10 * 1024;

  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  VirtualNetwork net;

  @AfterEach
  void shutdown() {
    if (net != null) {
      await(net.shutdown(), WAIT, "network shutdown");
      net = null;
    }
  }

  /** Reads and writes back each piece (waiting for the write) until Eof, then closes. */
  static CompletionStage<?> echo(TcpFlow flow) {
    return loop(() ->
            flow.read()
                .thenCompose(
                    r -> {
                      if (r instanceof ReadResult.Data d) {
                        return flow.write(d.data()).thenApply(x -> true);
                      }
                      return CompletableFuture.completedFuture(false);
                    }))
        .thenCompose(v -> flow.close());
  }

  /** What one client checked: it wrote {@code sent}, got back {@code echoed}. */
  record Outcome(int index, String sent, ReadSummary echoed) {}

  @Test
  @DisplayName(
      "1,000 concurrent connections each echo 10 KiB intact; afterwards both hosts' tables drain to 0")
  void thousandEchoes() {
    long seed = 0xC0_FFEEL;
    // TIME_WAIT lasts 2·MSL: a short MSL lets the tables drain within the test. A backlog
    // that holds every SYN of the burst: with the default 128 the rest are dropped and
    // retried after 1 s, 3 s, 7 s..., which tests the backlog, not concurrency, and slowly.
    NetworkConfig c = TcpTestSupport.withMsl(testKit.system(), Duration.ofMillis(100));
    net = VirtualNetwork.create(testKit.system(), c.withSynBacklog(CONNECTIONS));
    Stack server = await(net.createStack("10.0.0.3/24"), WAIT, "server");
    Stack client = await(net.createStack("10.0.0.2/24"), WAIT, "client");
    AtomicInteger accepted = new AtomicInteger();
    server
        .tcp()
        .listen(
            7,
            flow -> {
              accepted.incrementAndGet();
              return echo(flow);
            });
    // Resolve ARP first, so a thousand SYNs do not wait (and overflow) behind one ARP request.
    await(client.ping(server.address(), WAIT), WAIT, "ping");

    SplittableRandom seeds = new SplittableRandom(seed);
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    List<CompletableFuture<Outcome>> outcomes = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < CONNECTIONS; i++) {
      int index = i;
      byte[] data = TcpTestSupport.randomBytes(seeds.nextLong(), BYTES_EACH);
      CompletableFuture<Outcome> outcome =
          client
              .tcp()
              .createConnection(endpoint(server, 7))
              .thenCompose(
                  flow ->
                      flow.write(ByteString.fromArray(data))
                          .thenCompose(d -> flow.shutdown(ShutdownMode.WRITE))
                          .thenCompose(d -> readAll(flow))
                          .thenCompose(echoed -> flow.close().thenApply(d -> echoed)))
              .thenApply(echoed -> new Outcome(index, sha256Hex(data), echoed))
              .toCompletableFuture();
      outcome.whenComplete(
          (o, e) -> {
            if (e != null) {
              failures.add("connection " + index + ": " + e);
            }
          });
      outcomes.add(outcome);
    }
    CompletableFuture<Void> all =
        CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
            .exceptionally(e -> null); // failures are collected one by one
    await(
        all,
        Duration.ofSeconds(60),
        "all "
            + CONNECTIONS
            + " echoes (seed "
            + seed
            + "); "
            + outcomes.stream().filter(CompletableFuture::isDone).count()
            + " done, failures "
            + failures
            + "; client "
            + client.stats()
            + "; server "
            + server.stats());
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.printf(
        "%d echoes of %d bytes in %d ms; client %s; server %s%n",
        CONNECTIONS, BYTES_EACH, millis, client.stats(), server.stats());

    assertTrue(
        failures.isEmpty(),
        failures.size()
            + " connections failed (seed "
            + seed
            + "): "
            + failures.stream().limit(10).toList());
    for (CompletableFuture<Outcome> f : outcomes) {
      Outcome o = f.join();
      assertEquals(
          BYTES_EACH,
          o.echoed().bytes(),
          "bytes echoed on connection " + o.index() + " (seed " + seed + ")");
      assertEquals(
          o.sent(),
          o.echoed().hex(),
          "SHA-256 of the echo on connection " + o.index() + " (seed " + seed + ")");
    }
    assertEquals(CONNECTIONS, accepted.get());
    assertEquals(0, server.stats().drops(DropReason.TCP_BACKLOG_FULL));
    awaitCondition(
        () ->
            client.stats().openFlows() == 0
                && server.stats().openFlows() == 0
                // TIME_WAIT is the host's table now, not a flow (issue 8 item 9)
                && client.stats().timeWaitEntries() == 0
                && server.stats().timeWaitEntries() == 0,
        WAIT,
        () -> "both tables drain: client " + client.stats() + "; server " + server.stats());
  }
}
