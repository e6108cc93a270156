package dev.vnetif;

import static dev.vnetif.testsupport.TcpTestSupport.endpoint;
import static dev.vnetif.testsupport.TcpTestSupport.randomBytes;
import static dev.vnetif.testsupport.TcpTestSupport.readAll;
import static dev.vnetif.testsupport.TcpTestSupport.sha256Hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.tcp.TcpState;
import dev.vnetif.testsupport.TcpTestSupport;
import dev.vnetif.testsupport.TcpTestSupport.ReadSummary;
import dev.vnetif.testsupport.TcpTestSupport.SlowReaderResult;
import dev.vnetif.testsupport.VirtualTimeKit;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * mirage-tcpip's TCP scenarios that wait for timers (test_keepalive, the slow reader, a
 * simultaneous close with data in flight), in virtual time: keepalive gives up at its exact
 * instant, the reader's pauses last exactly what the seed drew, and TIME_WAIT runs the default
 * 2·MSL. The other scenarios are {@link TcpScenarioTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120) // wall-clock bound on each test; every wait inside is bounded in virtual time
class TcpTimerScenarioTest {
  /** Bound on each wait, in virtual time. */
  static final Duration WAIT = Duration.ofSeconds(10);

  final VirtualTimeKit sim = VirtualTimeKit.create("tcp-timer-scenarios");

  VirtualNetwork net;

  VirtualNetwork network(NetworkConfig config) {
    net = VirtualNetwork.create(sim.system(), config);
    return net;
  }

  VirtualNetwork network() {
    return network(NetworkConfig.fromConfig(sim.system().settings().config()));
  }

  Stack host(String cidr) {
    return await(net.createStack(cidr), WAIT, "create host " + cidr);
  }

  @AfterEach
  void shutdown() {
    if (net != null) {
      await(net.shutdown(), WAIT, "network shutdown");
      net = null;
    }
  }

  @AfterAll
  void stopTestKit() {
    sim.close();
  }

  <T> T await(CompletionStage<T> stage, Duration limit, String what) {
    return sim.await(stage, limit, what);
  }

  Throwable failureOf(CompletionStage<?> stage, Duration limit, String what) {
    return sim.failureOf(stage, limit, what);
  }

  void awaitCondition(BooleanSupplier condition, Duration limit, Supplier<String> what) {
    sim.awaitCondition(condition, limit, what);
  }

  @Test
  @DisplayName(
      "slow reader: 5 MB in 4000-byte writes, the reader pausing as on 1% of 4000-byte reads; the writer meets a closed window, no write stalls over 5 s, content intact")
  void slowReader() {
    network();
    Stack server = host("10.0.0.3/24");
    Stack client = host("10.0.0.2/24");
    long seed = 0x510E4EADL;
    long total = 5_000_000;
    int chunk = 4000;
    double pauseProbability = 0.01;
    String replay = " (seed " + seed + ")";
    ReaderWindows windows = new ReaderWindows(server, 7000);
    TapId tap = net.addListener(windows::see);
    SlowReaderResult result =
        await(
            TcpTestSupport.slowReader(
                sim.system(),
                server,
                client,
                7000,
                total,
                chunk,
                seed,
                pauseProbability,
                Duration.ofMillis(20),
                Duration.ofMillis(200)),
            Duration.ofSeconds(40),
            "slow-reader run" + replay);
    await(net.removeListener(tap), WAIT, "tap removed");
    System.out.println("slow reader: " + result.describe() + "\nreader's windows: " + windows);
    assertTrue(result.intact(), "content" + replay + ": " + result.describe());
    long expectedPauses = TcpTestSupport.slowReaderPauseCount(total, chunk, seed, pauseProbability);
    assertTrue(expectedPauses >= 5, "about one pause per 400 KB: " + expectedPauses);
    assertEquals(
        expectedPauses,
        result.pauses(),
        "pauses, fixed by the seed" + replay + ": " + result.describe());
    // The point of the scenario: the reader's pauses closed the window on the writer (to
    // zero, or to less than a segment, which the writer must not fill: RFC 1122 §4.2.3.4).
    assertTrue(
        windows.belowOneSegment() > 0,
        "the writer met a closed window" + replay + ": " + windows + "; " + result.describe());
    assertTrue(
        result.writes().maxStall().compareTo(Duration.ofSeconds(5)) < 0,
        "longest write" + replay + ": " + result.describe());
    // Virtual time: the reader paused for exactly what the seed drew, no more (a wall clock adds
    // scheduling noise to every pause), and the run lasted at least that long.
    assertTrue(
        Duration.ofNanos(result.nanos()).compareTo(result.paused()) >= 0,
        "run time covers the pauses" + replay + ": " + result.describe());
  }

  /** The windows one listening host advertises from {@code port}, as a tap sees them. */
  static final class ReaderWindows {
    private final dev.vnetif.wire.Ipv4Address address;
    private final int port;
    private int shift = -1;
    private long advertisements;
    private long zero;
    private long belowOneSegment;
    private long smallest = Long.MAX_VALUE;

    ReaderWindows(Stack host, int port) {
      this.address = dev.vnetif.wire.Ipv4Address.fromInet(host.address());
      this.port = port;
    }

    /** Called on the tap's actor, one frame at a time. */
    synchronized void see(Frame frame) {
      frame
          .ipv4()
          .filter(ip -> ip.source().equals(address))
          .flatMap(ip -> frame.tcp())
          .filter(seg -> seg.sourcePort() == port)
          .ifPresent(
              seg -> {
                if (seg.isSyn()) {
                  shift = Math.max(0, seg.options().windowScale()); // RFC 7323 §2.2
                  return;
                }
                if (shift < 0 || seg.isRst()) {
                  return;
                }
                long window = (long) seg.window() << shift;
                advertisements++;
                smallest = Math.min(smallest, window);
                if (window == 0) {
                  zero++;
                }
                if (window < 1460) {
                  belowOneSegment++;
                }
              });
    }

    synchronized long belowOneSegment() {
      return belowOneSegment;
    }

    @Override
    public synchronized String toString() {
      return advertisements
          + " advertised (scale "
          + shift
          + "), "
          + zero
          + " zero, "
          + belowOneSegment
          + " below one MSS, smallest "
          + smallest
          + " bytes";
    }
  }

  @Test
  @DisplayName(
      "keepalive {0 s, 1 s, 3}: the server's peer vanishes silently; its pending read returns Eof, writes fail")
  void keepaliveDetectsVanishedPeer() {
    network();
    Stack server = host("10.0.0.3/24");
    Stack client = host("10.0.0.2/24");
    CompletableFuture<TcpFlow> accepted = new CompletableFuture<>();
    CompletableFuture<ReadResult> pendingRead = new CompletableFuture<>();
    server
        .tcp()
        .listen(
            22,
            new Keepalive(Duration.ZERO, Duration.ofSeconds(1), 3),
            flow -> {
              accepted.complete(flow);
              return flow.read().thenApply(pendingRead::complete);
            });
    TcpFlow flow = await(client.tcp().createConnection(endpoint(server, 22)), WAIT, "connect");
    TcpFlow serverFlow = await(accepted, WAIT, "accept");
    // With "after" 0 the server probed at once, and the client, still there, answered: the last
    // the server heard from it, at this instant (the link has no delay).
    Duration heard = sim.now();
    await(client.disconnect(), WAIT, "client leaves the switch");
    ReadResult result =
        await(
            pendingRead,
            Duration.ofSeconds(6),
            "the server's read after its peer vanished " + serverFlow.stats());
    Duration gaveUp = sim.now().minus(heard);
    System.out.println("keepalive: Eof " + gaveUp + " after the peer left; " + serverFlow.stats());
    assertEquals(ReadResult.EOF, result);
    // Never more often than every interval: unanswered probes at +1, +2 and +3 s, and the peer is
    // dead one interval after the last (RFC 1122 §4.2.3.6, counted as Linux does).
    assertEquals(Duration.ofSeconds(4), gaveUp, "keepalive {0 s, 1 s, 3} gives up at +4 s");
    Throwable failure =
        failureOf(
            serverFlow.write(ByteString.fromString("anyone?")),
            WAIT,
            "write after keepalive failure");
    assertInstanceOf(ConnectionClosedException.class, failure);
    assertTrue(
        failure
            .getMessage()
            .contains(serverFlow.src().getPort() + " -> 10.0.0.2:" + flow.src().getPort()),
        failure.getMessage());
    awaitCondition(
        () -> server.stats().openFlows() == 0,
        WAIT,
        () -> "the server's table is empty: " + server.stats());
    awaitCondition(
        () -> serverFlow.stats().state() == TcpState.CLOSED,
        WAIT,
        () -> "the server's flow is CLOSED: " + serverFlow.stats());
  }

  @Test
  @DisplayName(
      "simultaneous close with 256 KiB in flight each way: each side reads all of the other's data, then Eof; tables drain")
  void simultaneousCloseWithDataInFlight() {
    // The default MSL (30 s): TIME_WAIT lasts the full 60 s, free in virtual time.
    NetworkConfig config = network().config();
    Duration twoMsl = Duration.ofNanos(2 * config.tcp().mslNanos());
    Stack server = host("10.0.0.3/24");
    Stack client = host("10.0.0.2/24");
    long seed = 0x51C105EL;
    byte[] fromClient = randomBytes(seed, 256 * 1024);
    byte[] fromServer = randomBytes(seed + 1, 256 * 1024);
    CompletableFuture<TcpFlow> accepted = new CompletableFuture<>();
    CompletableFuture<Void> release = new CompletableFuture<>();
    server
        .tcp()
        .listen(
            9,
            flow -> {
              accepted.complete(flow);
              return release;
            });
    TcpFlow flow = await(client.tcp().createConnection(endpoint(server, 9)), WAIT, "connect");
    TcpFlow serverFlow = await(accepted, WAIT, "accept");

    // Both write, both close, both read: nothing waits for the other side first.
    CompletionStage<?> clientWrite = flow.write(ByteString.fromArray(fromClient));
    CompletionStage<?> serverWrite = serverFlow.write(ByteString.fromArray(fromServer));
    CompletionStage<?> clientClose = flow.close();
    CompletionStage<?> serverClose = serverFlow.close();
    CompletionStage<ReadSummary> clientRead = readAll(flow);
    CompletionStage<ReadSummary> serverRead = readAll(serverFlow);
    String state = " (seed " + seed + ")";
    await(clientWrite, WAIT, "client write" + state);
    await(serverWrite, WAIT, "server write" + state);
    ReadSummary atClient = await(clientRead, WAIT, "client reads to Eof" + state + flow.stats());
    ReadSummary atServer =
        await(serverRead, WAIT, "server reads to Eof" + state + serverFlow.stats());
    await(clientClose, WAIT, "client close" + state + flow.stats());
    await(serverClose, WAIT, "server close" + state + serverFlow.stats());
    release.complete(null);
    assertEquals(sha256Hex(fromServer), atClient.hex(), "what the client read" + state);
    assertEquals(sha256Hex(fromClient), atServer.hex(), "what the server read" + state);
    // Both closes completed: both sides are in TIME_WAIT (RFC 9293 §3.6, CLOSING -> TIME_WAIT),
    // and both entries outlive 2·MSL less a nanosecond from now, and no more than 2·MSL.
    Duration closed = sim.now();
    sim.runUntilIdle();
    assertEquals(1, client.stats().timeWaitEntries(), "client " + client.stats());
    assertEquals(1, server.stats().timeWaitEntries(), "server " + server.stats());
    sim.advance(twoMsl.minusNanos(1));
    assertEquals(
        2,
        client.stats().timeWaitEntries() + server.stats().timeWaitEntries(),
        "both entries 1 ns before 2·MSL");
    awaitCondition(
        () ->
            client.stats().openFlows() == 0
                && server.stats().openFlows() == 0
                // TIME_WAIT is the host's table now, not a flow (issue 8 item 9)
                && client.stats().timeWaitEntries() == 0
                && server.stats().timeWaitEntries() == 0,
        Duration.ofNanos(1),
        () ->
            "both tables empty: client "
                + client.stats()
                + " "
                + flow.stats()
                + "; server "
                + server.stats()
                + " "
                + serverFlow.stats());
    assertEquals(twoMsl, sim.now().minus(closed), "TIME_WAIT lasted exactly 2·MSL");
  }
}
