package dev.vnetif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.stack.DropReason;
import dev.vnetif.testsupport.GatewayArp;
import dev.vnetif.testsupport.VirtualTimeKit;
import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.Ipv4Packet;
import dev.vnetif.wire.MacAddress;
import dev.vnetif.wire.MalformedPacketException;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import dev.vnetif.wire.Timestamps;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A SYN flood (issue 12; RFC 4987): 100,000 SYNs that never complete, from random spoofed addresses
 * and ports, against a listener with a backlog of 128, while 100 legitimate clients connect and
 * exchange a few bytes. In virtual time: 10 s of flood at 10,000 SYNs/s.
 *
 * <p>The flood comes from the internet: the server (10.0.0.2) reaches every flood source through
 * its gateway, a {@link RawPort} at 10.0.0.1 that plays the router — it injects the spoofed SYNs
 * (source addresses in 198.18.0.0/15, the benchmarking range of RFC 2544) and swallows the SYN-ACKs
 * sent back to them, as the internet would lose them. Spoofing on-link addresses instead would test
 * the ARP cache, not TCP: every SYN-ACK would wait on an ARP request for a host that does not exist
 * (and be dropped after three), and the cache's bound, not the listener's, would be what held the
 * memory. Through a gateway, the one cost a SYN can leave is the listener's.
 *
 * <p>With SYN cookies (the default), the 128 first SYNs fill the backlog and every later one is
 * answered with a cookie and forgotten: the heap, measured after full GCs before, during and after
 * the flood, does not grow with the SYNs, and every legitimate client connects through a cookie.
 * With cookies off the heap stays flat as well — SYNs beyond the backlog are simply dropped — but
 * no legitimate client gets in: their SYNs are dropped with the flood's, until their retries run
 * out. The seed of the flood is printed ({@code -Dsynflood.seed=N} replays another).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120) // wall clock; the flood itself takes a few seconds
class SynFloodTest {
  static final long SEED = Long.getLong("synflood.seed", 20_261_205L);
  static final int FLOOD = 100_000;
  static final int BACKLOG = 128;
  static final int LEGITIMATE = 100;
  static final int PORT = 80;

  /** SYNs per step of virtual time, and the step: 10,000 SYNs per second. */
  static final int BATCH = 100;

  static final Duration STEP = Duration.ofMillis(10);

  /** SYNs before the baseline heap measurement: the backlog is full, every path warmed up. */
  static final int WARM_UP = 2_000;

  /**
   * Heap growth allowed over the flood: 4 MB for 98,000 SYNs, about 40 bytes a SYN, where keeping
   * each SYN's half-open flow would take some 5 KB a SYN (the measured growth is under 0.5 MB).
   */
  static final long HEAP_BOUND = 4_000_000;

  static final Ipv4Address GATEWAY = Ipv4Address.of("10.0.0.1");
  static final Duration WAIT = Duration.ofSeconds(5);

  final VirtualTimeKit sim = VirtualTimeKit.create("syn-flood");
  VirtualNetwork net;

  @AfterEach
  void tearDown() {
    if (net != null) {
      sim.await(net.shutdown(), WAIT, "network shutdown");
    }
  }

  @AfterAll
  void stopTestKit() {
    sim.close();
  }

  /** The network: server behind nothing, client on the same link, the router at the gateway. */
  final class Scene {
    final Stack server;
    final Stack client;
    final RawPort router;
    final AtomicLong synAcksToFlood = new AtomicLong();
    final AtomicLong otherToFlood = new AtomicLong();

    Scene(boolean synCookies) {
      NetworkConfig defaults = NetworkConfig.fromConfig(sim.system().settings().config());
      net =
          VirtualNetwork.create(
              sim.system(),
              defaults.withSynBacklog(BACKLOG).withTcp(defaults.tcp().withSynCookies(synCookies)));
      server =
          sim.await(
              net.createStack(StackConfig.of("10.0.0.2/24").withGateway("10.0.0.1")),
              WAIT,
              "server");
      client = sim.await(net.createStack("10.0.0.3/24"), WAIT, "client");
      router = sim.await(net.attachRawPort("router"), WAIT, "router");
      router.onDelivery(this::route);
      System.out.printf(
          "SynFloodTest [cookies %s]: flood seed %d (-Dsynflood.seed=N to replay another)%n",
          synCookies ? "on" : "off", SEED);
      server.tcp().listen(PORT, SynFloodTest::echoOnce);
      sim.awaitCondition(() -> server.stats().listeners() == 1, WAIT, () -> "listening");
    }

    /**
     * The router: answers ARP for the gateway; everything for the internet is lost there (counted).
     * Runs on the port's actor; keeps nothing.
     */
    private boolean route(ByteString frame) {
      try {
        Ipv4Packet packet = GatewayArp.answer(router, frame, GATEWAY);
        if (packet != null) {
          TcpSegment segment =
              packet.protocol() == Ipv4Packet.PROTO_TCP
                  ? TcpSegment.parse(packet.payload(), packet.source(), packet.destination(), false)
                  : null;
          if (segment != null && segment.flags() == (TcpSegment.SYN | TcpSegment.ACK)) {
            synAcksToFlood.incrementAndGet();
          } else {
            otherToFlood.incrementAndGet();
          }
        }
      } catch (MalformedPacketException e) {
        otherToFlood.incrementAndGet();
      }
      return true;
    }

    /** {@code count} spoofed SYNs, {@link #BATCH} per {@link #STEP} of virtual time. */
    void flood(SplittableRandom random, int count, Runnable everyStep) {
      MacAddress serverMac = server.mac();
      Ipv4Address serverIp = Ipv4Address.fromInet(server.address());
      for (int sent = 0; sent < count; sent += BATCH) {
        List<ByteString> frames = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH && sent + i < count; i++) {
          Ipv4Address source = Ipv4Address.fromInt(0xC612_0000 | random.nextInt(1 << 17));
          TcpOptions options = TcpOptions.NONE.withMss(1460);
          if (random.nextBoolean()) { // half of them as Linux sends them, half bare
            options =
                options
                    .withSackPermitted()
                    .withTimestamps(new Timestamps(random.nextInt(), 0))
                    .withWindowScale(7);
          }
          TcpSegment syn =
              TcpSegment.of(
                      1024 + random.nextInt(65536 - 1024),
                      PORT,
                      random.nextInt(),
                      0,
                      TcpSegment.SYN,
                      64240)
                  .withOptions(options);
          Ipv4Packet packet =
              Ipv4Packet.of(
                  source,
                  serverIp,
                  Ipv4Packet.PROTO_TCP,
                  64,
                  random.nextInt(1 << 16),
                  true,
                  syn.encode(source, serverIp));
          frames.add(
              EthernetFrame.encode(
                  serverMac, router.mac(), EthernetFrame.ETHERTYPE_IPV4, packet.encode()));
        }
        router.send(frames);
        everyStep.run();
        sim.advance(STEP);
      }
    }
  }

  /** The server: reads one message, answers "echo: " and it, closes. */
  static CompletionStage<?> echoOnce(TcpFlow flow) {
    return flow.read()
        .thenCompose(
            read ->
                read instanceof ReadResult.Data data
                    ? flow.write(ByteString.fromString("echo: ").concat(data.data()))
                    : CompletableFuture.completedFuture(null))
        .thenCompose(written -> flow.close());
  }

  /** A legitimate client: connects, sends {@code message}, reads the whole answer, closes. */
  static CompletionStage<String> converse(Stack client, Stack server, String message) {
    return client
        .tcp()
        .createConnection(new InetSocketAddress(server.address(), PORT))
        .thenCompose(
            flow ->
                flow.write(ByteString.fromString(message))
                    .thenCompose(written -> readToEnd(flow, ByteString.emptyByteString()))
                    .thenCompose(answer -> flow.close().thenApply(closed -> answer)));
  }

  static CompletionStage<String> readToEnd(TcpFlow flow, ByteString sofar) {
    return flow.read()
        .thenCompose(
            read ->
                read instanceof ReadResult.Data data
                    ? readToEnd(flow, sofar.concat(data.data()))
                    : CompletableFuture.completedFuture(sofar.utf8String()));
  }

  /** The flood with 100 clients spread over it; returns the clients' answers, in order. */
  List<CompletableFuture<String>> floodWithClients(
      Scene scene, SplittableRandom random, long[] heap) {
    List<CompletableFuture<String>> answers = new ArrayList<>();
    int stepsPerClient = (FLOOD - WARM_UP) / BATCH / LEGITIMATE;
    int[] step = {0};
    int rest = FLOOD - WARM_UP;
    int quarter = rest / 4;
    for (int q = 0; q < 4; q++) {
      scene.flood(
          random,
          quarter,
          () -> {
            if (step[0]++ % stepsPerClient == 0 && answers.size() < LEGITIMATE) {
              String message = "hello " + answers.size();
              answers.add(converse(scene.client, scene.server, message).toCompletableFuture());
            }
          });
      heap[q + 1] = usedHeapAfterGc();
    }
    return answers;
  }

  @Test
  @DisplayName(
      "SYN cookies: 100,000 SYNs without final ACK against backlog 128 leave the heap flat (measured), and 100 legitimate clients connecting during the flood all get through and exchange their bytes")
  void floodWithCookies() {
    long wallStart = System.nanoTime();
    Duration virtualStart = sim.now();
    Scene scene = new Scene(true);
    SplittableRandom random = new SplittableRandom(SEED);
    scene.flood(random, WARM_UP, () -> {});
    long[] heap = new long[5];
    heap[0] = usedHeapAfterGc();
    List<CompletableFuture<String>> answers = floodWithClients(scene, random, heap);
    for (int i = 0; i < answers.size(); i++) {
      assertEquals("echo: hello " + i, sim.await(answers.get(i), WAIT, "client " + i));
    }
    long after = usedHeapAfterGc();
    StackStats stats = scene.server.stats();
    report("cookies on", heap, after, stats, scene, wallStart, virtualStart);

    assertEquals(LEGITIMATE, answers.size());
    assertTrue(stats.synCookiesSent() >= FLOOD - BACKLOG, stats.toString());
    // Every client went through a cookie: the backlog was full of the flood's SYNs.
    assertEquals(LEGITIMATE, stats.synCookiesValidated(), stats.toString());
    assertEquals(0, stats.drops(DropReason.TCP_BACKLOG_FULL), stats.toString());
    assertEquals(0, stats.drops(DropReason.TCP_SYN_COOKIE_INVALID), stats.toString());
    assertEquals(BACKLOG, stats.openFlows(), "only the backlog's half-open connections remain");
    long growth = Math.max(heap[4], after) - heap[0];
    assertTrue(
        growth < HEAP_BOUND,
        "heap grew by " + growth + " bytes over " + (FLOOD - WARM_UP) + " SYNs");
  }

  @Test
  @DisplayName(
      "SYN cookies off: the same flood leaves the heap flat too (SYNs beyond the backlog are dropped), but no legitimate client gets in: every connect times out")
  void floodWithoutCookies() {
    long wallStart = System.nanoTime();
    Duration virtualStart = sim.now();
    Scene scene = new Scene(false);
    SplittableRandom random = new SplittableRandom(SEED);
    scene.flood(random, WARM_UP, () -> {});
    long[] heap = new long[5];
    heap[0] = usedHeapAfterGc();
    List<CompletableFuture<String>> answers = floodWithClients(scene, random, heap);
    int timedOut = 0;
    for (int i = 0; i < answers.size(); i++) {
      Throwable failure = sim.failureOf(answers.get(i), Duration.ofSeconds(120), "client " + i);
      while (failure instanceof CompletionException && failure.getCause() != null) {
        failure = failure.getCause();
      }
      assertInstanceOf(ConnectionTimeoutException.class, failure, "client " + i);
      timedOut++;
    }
    long after = usedHeapAfterGc();
    StackStats stats = scene.server.stats();
    report("cookies off", heap, after, stats, scene, wallStart, virtualStart);
    System.out.printf(
        "SynFloodTest [cookies off]: %d of %d legitimate connects timed out%n",
        timedOut, LEGITIMATE);

    assertEquals(0, stats.synCookiesSent());
    // The flood's SYNs beyond the backlog and every legitimate SYN and its 5 retries.
    assertTrue(
        stats.drops(DropReason.TCP_BACKLOG_FULL) >= FLOOD - BACKLOG + 6L * LEGITIMATE,
        stats.toString());
    long growth = Math.max(heap[4], after) - heap[0];
    assertTrue(growth < HEAP_BOUND, "heap grew by " + growth + " bytes");
  }

  void report(
      String variant,
      long[] heap,
      long after,
      StackStats stats,
      Scene scene,
      long wallStart,
      Duration virtualStart) {
    System.out.printf(
        "SynFloodTest [%s]: used heap after full GCs: %,d bytes after %,d SYNs (baseline),"
            + " %,d / %,d / %,d / %,d after each further quarter (%,d SYNs in all),"
            + " %,d once the clients were done: growth %,d bytes (%.1f bytes per SYN)%n",
        variant,
        heap[0],
        WARM_UP,
        heap[1],
        heap[2],
        heap[3],
        heap[4],
        FLOOD,
        after,
        Math.max(heap[4], after) - heap[0],
        (Math.max(heap[4], after) - heap[0]) / (double) (FLOOD - WARM_UP));
    System.out.printf(
        "SynFloodTest [%s]: server: cookies sent %,d, validated %,d, backlog drops %,d,"
            + " open flows %d; SYN-ACKs lost at the router %,d (other %,d);"
            + " virtual %.1f s, wall %.1f s%n",
        variant,
        stats.synCookiesSent(),
        stats.synCookiesValidated(),
        stats.drops(DropReason.TCP_BACKLOG_FULL),
        stats.openFlows(),
        scene.synAcksToFlood.get(),
        scene.otherToFlood.get(),
        sim.now().minus(virtualStart).toMillis() / 1000.0,
        (System.nanoTime() - wallStart) / 1e9);
  }

  /** Used heap (MemoryMXBean) once repeated full GCs stop freeing more. */
  static long usedHeapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 8; i++) {
      System.gc();
      long now = memory.getHeapMemoryUsage().getUsed();
      if (now >= used && i >= 2) {
        return Math.min(now, used);
      }
      used = Math.min(used, now);
    }
    return used;
  }
}
