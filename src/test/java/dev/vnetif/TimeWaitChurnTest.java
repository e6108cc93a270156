package dev.vnetif;

import static dev.vnetif.testsupport.TcpTestSupport.endpoint;
import static dev.vnetif.testsupport.TcpTestSupport.readExactly;
import static dev.vnetif.testsupport.TcpTestSupport.readToEof;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.link.NetworkClock;
import dev.vnetif.stack.DropReason;
import dev.vnetif.testsupport.TcpTestSupport;
import dev.vnetif.testsupport.VirtualTimeKit;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Connection churn through one server port with client ports reused while the server still holds
 * their 4-tuples in TIME_WAIT (issue 8 item 9): every reused 4-tuple is reopened by its SYN (RFC
 * 6191), so no connect waits for a SYN retransmission.
 *
 * <p>In virtual time, on links without delay: a connection, from SYN to the last ACK, takes no
 * virtual time, so a 4-tuple is reused at the very instant its previous connection ended. Neither
 * RFC 6528's 4 µs clock nor the 1 ms timestamp clock has ticked in between; the reuse works because
 * {@code IsnGenerator} moves both on with every connection, with timestamps (TSval above the old
 * TS.Recent) and without (ISS above the old RCV.NXT).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120) // wall-clock bound on each test; every wait inside is bounded in virtual time
class TimeWaitChurnTest {
  static final Duration WAIT = Duration.ofSeconds(15);
  static final int CLIENT_HOSTS = 4;
  static final int AT_A_TIME = 32;
  static final int CONNECTIONS = 2_000;
  static final int BYTES = 1024;

  /** 128 client ports: each is reused ~4 times, always while the server holds it in TIME_WAIT. */
  static final int EPHEMERAL_LOW = 50_000;

  static final int EPHEMERAL_HIGH = 50_127;

  final VirtualTimeKit sim = VirtualTimeKit.create("time-wait-churn");

  VirtualNetwork net;

  @AfterEach
  void shutdown() {
    if (net != null) {
      sim.await(net.shutdown(), WAIT, "network shutdown");
      net = null;
    }
  }

  @AfterAll
  void stopTestKit() {
    sim.close();
  }

  <T> T await(CompletionStage<T> stage, String what) {
    return sim.await(stage, WAIT, what);
  }

  /** The server's side: echo 1 KB, then close first — so the server ends in TIME_WAIT. */
  static CompletionStage<?> echoThenClose(TcpFlow flow) {
    return readExactly(flow, BYTES).thenCompose(flow::write).thenCompose(d -> flow.close());
  }

  /**
   * The seed's network with {@code timestamps} on or off and no delayed ACK: every connection then
   * runs from SYN to last ACK without a timer, at one virtual instant.
   */
  NetworkConfig config(long seed, boolean timestamps) {
    NetworkConfig base = NetworkConfig.fromConfig(sim.system().settings().config());
    return base.withSeed(seed).withTcp(base.tcp().withTimestamps(timestamps).withDelayedAck(0));
  }

  @ParameterizedTest(name = "timestamps {0}")
  @ValueSource(booleans = {true, false})
  @DisplayName(
      "same-instant reuse: one client port, each connection reopens the server's TIME_WAIT of the one before at the very instant it ended, without a SYN retransmission")
  void sameInstantReuseOfOneFourTuple(boolean timestamps) {
    net =
        VirtualNetwork.create(
            sim.system(), config(7, timestamps).withEphemeralPorts(50_000, 50_000));
    Stack server = await(net.createStack("10.0.0.100/24"), "server");
    Stack client = await(net.createStack("10.0.0.10/24"), "client");
    await(client.ping(server.address(), WAIT), "ARP and ping");
    server.tcp().listen(7, TimeWaitChurnTest::echoThenClose);
    InetSocketAddress echo = endpoint(server, 7);
    Duration instant = sim.now();
    SplittableRandom payloads = new SplittableRandom(7);
    for (int i = 0; i < 5; i++) {
      TcpFlow flow = await(client.tcp().createConnection(echo), "connect " + i);
      assertEquals(instant, sim.now(), "connect " + i + " waited for a SYN retransmission");
      assertEquals(0, flow.stats().retransmits(), "connect " + i);
      assertEquals(50_000, flow.src().getPort());
      ByteString data =
          ByteString.fromArray(TcpTestSupport.randomBytes(payloads.nextLong(), BYTES));
      await(flow.write(data), "write " + i);
      assertEquals(data, await(readToEof(flow), "echo " + i));
      await(flow.close(), "close " + i);
      sim.awaitCondition(
          () -> client.stats().openFlows() == 0 && server.stats().timeWaitEntries() == 1,
          WAIT,
          () -> "the client's flow ended, the server holds the 4-tuple in TIME_WAIT");
      assertEquals(instant, sim.now(), "connection " + i + " took no virtual time");
    }
    assertEquals(4, server.stats().timeWaitReopened(), server.stats().toString());
    assertEquals(0, server.stats().drops(DropReason.TCP_SYN_FOR_OPEN_FLOW));
  }

  @ParameterizedTest(name = "timestamps {0}")
  @ValueSource(booleans = {true, false})
  @DisplayName(
      "churn: 2,000 connections, 4 clients x 128 ports, server closes first: 4-tuples in the server's TIME_WAIT are reopened at the instant they ended, no SYN is retransmitted, every echo intact")
  void reusedFourTuplesReopenWithoutSynRetransmission(boolean timestamps) {
    long seed = Long.getLong("vnetif.test.seed", 0x7117_3A17L);
    System.out.println("TimeWaitChurnTest seed " + seed + " (-Dvnetif.test.seed=" + seed + ")");
    // Default MSL (30 s): the server holds every TIME_WAIT for the whole test.
    net =
        VirtualNetwork.create(
            sim.system(),
            config(seed, timestamps).withEphemeralPorts(EPHEMERAL_LOW, EPHEMERAL_HIGH));
    Stack server = await(net.createStack("10.0.0.100/24"), "server");
    List<Stack> clients = new ArrayList<>();
    for (int i = 0; i < CLIENT_HOSTS; i++) {
      Stack client = await(net.createStack("10.0.0." + (10 + i) + "/24"), "client " + i);
      await(client.ping(server.address(), WAIT), "ARP and ping from client " + i);
      clients.add(client);
    }
    server.tcp().listen(7, TimeWaitChurnTest::echoThenClose);
    InetSocketAddress echo = endpoint(server, 7);

    NetworkClock clock = sim.time().clock();
    SplittableRandom payloads = new SplittableRandom(seed);
    AtomicInteger next = new AtomicInteger();
    AtomicLong synRetransmissions = new AtomicLong();
    AtomicLong slowConnects = new AtomicLong();
    AtomicLong retransmissions = new AtomicLong();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    byte[][] data = new byte[CONNECTIONS][];
    for (int i = 0; i < CONNECTIONS; i++) {
      data[i] = TcpTestSupport.randomBytes(payloads.nextLong(), BYTES);
    }

    long start = clock.nanoTime();
    List<CompletableFuture<Void>> workers = new ArrayList<>();
    // Started inside the simulation, so every connect is in its order, the same every run.
    sim.time()
        .run(
            () -> {
              for (int w = 0; w < AT_A_TIME; w++) {
                Stack client = clients.get(w % CLIENT_HOSTS);
                workers.add(
                    worker(
                            client,
                            echo,
                            clock,
                            next,
                            data,
                            synRetransmissions,
                            slowConnects,
                            retransmissions,
                            failures)
                        .toCompletableFuture());
              }
              return CompletableFuture.completedFuture(null);
            });
    await(
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)),
        "all " + CONNECTIONS + " connections (seed " + seed + ")");
    long elapsed = clock.nanoTime() - start;
    sim.awaitCondition(
        () -> server.stats().openFlows() == 0,
        WAIT,
        () -> "every server flow ended: " + server.stats());

    StackStats serverStats = server.stats();
    System.out.printf(
        "TimeWaitChurnTest (timestamps %s): %d connections in %d ns of virtual time; server: %d"
            + " SYNs reopened a 4-tuple in TIME_WAIT, %d entries held; %d segments retransmitted;"
            + " seed %d%n  server %s%n",
        timestamps,
        CONNECTIONS,
        elapsed,
        serverStats.timeWaitReopened(),
        serverStats.timeWaitEntries(),
        retransmissions.get(),
        seed,
        serverStats);

    assertTrue(failures.isEmpty(), failures.size() + " failed, e.g. " + failures.peek());
    assertEquals(0, synRetransmissions.get(), "connects that needed a SYN retransmission");
    assertEquals(0, slowConnects.get(), "connects that took virtual time");
    assertEquals(0, elapsed, "the whole churn is one virtual instant");
    // Every connection after a client's first 128 reuses a 4-tuple the server holds in TIME_WAIT
    // (the ports come round in turn, RFC 6056 Algorithm 4), and each reuse reopens it.
    int ports = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
    long reuses = CONNECTIONS - (long) CLIENT_HOSTS * ports;
    assertEquals(reuses, serverStats.timeWaitReopened(), serverStats.toString());
    assertEquals(0, serverStats.drops(DropReason.TCP_SYN_FOR_OPEN_FLOW), serverStats.toString());
    assertEquals(0, serverStats.drops(DropReason.TCP_PORT_CLOSED), serverStats.toString());
  }

  /** Connects, echoes and closes one connection after another until all are taken. */
  private static CompletionStage<Void> worker(
      Stack client,
      InetSocketAddress echo,
      NetworkClock clock,
      AtomicInteger next,
      byte[][] data,
      AtomicLong synRetransmissions,
      AtomicLong slowConnects,
      AtomicLong retransmissions,
      ConcurrentLinkedQueue<String> failures) {
    return TcpTestSupport.loop(
        () -> {
          int i = next.getAndIncrement();
          if (i >= CONNECTIONS) {
            return CompletableFuture.completedFuture(false);
          }
          long t0 = clock.nanoTime();
          return client
              .tcp()
              .createConnection(echo)
              .thenCompose(
                  flow -> {
                    if (clock.nanoTime() != t0) {
                      slowConnects.incrementAndGet();
                    }
                    // A SYN retransmission shows as a retransmitted segment of a flow that has
                    // sent no data yet.
                    if (flow.stats().retransmits() > 0) {
                      synRetransmissions.incrementAndGet();
                    }
                    return flow.write(ByteString.fromArray(data[i]))
                        .thenCompose(d -> readToEof(flow))
                        .thenCompose(
                            echoed ->
                                flow.close()
                                    .thenApply(
                                        d -> {
                                          retransmissions.addAndGet(flow.stats().retransmits());
                                          if (!echoed.equals(ByteString.fromArray(data[i]))) {
                                            failures.add("connection " + i + ": echo differs");
                                          }
                                          return true;
                                        }));
                  })
              .exceptionally(
                  e -> {
                    failures.add("connection " + i + ": " + e);
                    return true;
                  });
        });
  }

  @Test
  @DisplayName(
      "RFC 6056 Algorithm 4: towards one destination the ports come round in turn, so any 8 connects in a row over 8 ports use 8 different ports")
  void portsComeRoundInTurn() {
    NetworkConfig config =
        NetworkConfig.fromConfig(sim.system().settings().config())
            .withEphemeralPorts(50_000, 50_007);
    net = VirtualNetwork.create(sim.system(), config);
    Stack server = await(net.createStack("10.0.0.100/24"), "server");
    Stack client = await(net.createStack("10.0.0.10/24"), "client");
    server.tcp().listen(7, flow -> new CompletableFuture<>());
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      TcpFlow flow = await(client.tcp().createConnection(endpoint(server, 7)), "connect");
      ports.add(flow.src().getPort());
      flow.abort(); // no TIME_WAIT: the port is free again at once
      sim.awaitCondition(
          () -> client.stats().openFlows() == 0, WAIT, () -> "the aborted flow left the table");
    }
    for (int i = 0; i + 8 <= ports.size(); i++) {
      assertEquals(8, new HashSet<>(ports.subList(i, i + 8)).size(), ports.toString());
    }
  }

  @Test
  @DisplayName(
      "a 4-tuple our own host holds in TIME_WAIT is not reused by connect (as Linux with tcp_tw_reuse off: a peer without timestamps could not tell incarnations apart): with one port, connect fails at once")
  void ownTimeWaitIsNotReused() {
    NetworkConfig config =
        NetworkConfig.fromConfig(sim.system().settings().config())
            .withEphemeralPorts(50_000, 50_000);
    net = VirtualNetwork.create(sim.system(), config);
    Stack server = await(net.createStack("10.0.0.100/24"), "server");
    Stack client = await(net.createStack("10.0.0.10/24"), "client");
    server.tcp().listen(7, flow -> readToEof(flow).thenCompose(d -> flow.close()));
    TcpFlow flow = await(client.tcp().createConnection(endpoint(server, 7)), "connect");
    await(flow.close(), "the client closes first, so it holds TIME_WAIT");
    sim.awaitCondition(
        () -> client.stats().timeWaitEntries() == 1 && client.stats().openFlows() == 0,
        WAIT,
        () -> "the client's TIME_WAIT entry: " + client.stats());
    Throwable failure =
        sim.failureOf(client.tcp().createConnection(endpoint(server, 7)), WAIT, "second connect");
    assertTrue(failure.getMessage().contains("50000..50000"), failure.getMessage());
  }
}
