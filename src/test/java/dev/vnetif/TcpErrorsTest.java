package dev.vnetif;

import static dev.vnetif.testsupport.TcpTestSupport.endpoint;
import static dev.vnetif.testsupport.TcpTestSupport.loop;
import static dev.vnetif.testsupport.TcpTestSupport.readAll;
import static dev.vnetif.testsupport.TcpTestSupport.readExactly;
import static dev.vnetif.testsupport.TcpTestSupport.sha256Hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.tcp.LossDetection;
import dev.vnetif.tcp.TcpConfig;
import dev.vnetif.testsupport.TcpTestSupport.ReadSummary;
import dev.vnetif.testsupport.VirtualTimeKit;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * How TCP fails over a virtual network, and that each failure is the documented exception. In
 * virtual time: the timeouts (SYN and data retransmissions given up) happen at their exact RFC 6298
 * instants, at no cost in wall time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60) // wall-clock bound on each test; every wait inside is bounded in virtual time
class TcpErrorsTest {
  /** Bound on each wait, in virtual time. */
  static final Duration WAIT = Duration.ofSeconds(10);

  final VirtualTimeKit sim = VirtualTimeKit.create("tcp-errors");

  VirtualNetwork net;

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

  void awaitCondition(
      java.util.function.BooleanSupplier condition,
      Duration limit,
      java.util.function.Supplier<String> what) {
    sim.awaitCondition(condition, limit, what);
  }

  void network(NetworkConfig config) {
    net = VirtualNetwork.create(sim.system(), config);
  }

  void network() {
    network(NetworkConfig.fromConfig(sim.system().settings().config()));
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

  /** "10.0.0.2:49152 -> 10.0.0.3:80" with any ephemeral port. */
  static Pattern flowName(String local, String remote, int remotePort) {
    return Pattern.compile(
        Pattern.quote(local) + ":\\d{1,5} -> " + Pattern.quote(remote) + ":" + remotePort + "\\b");
  }

  static void assertNamesFlow(Pattern flow, Throwable failure) {
    assertTrue(
        failure.getMessage() != null && flow.matcher(failure.getMessage()).find(),
        "message should name the flow " + flow + ", got: " + failure.getMessage());
  }

  /** Reads whatever arrives and writes it back until Eof, then closes. */
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

  /** Sends {@code text} and expects it echoed back. */
  void assertEchoes(TcpFlow flow, String text) {
    await(flow.write(ByteString.fromString(text)), WAIT, "write '" + text + "'");
    assertEquals(
        text, await(readExactly(flow, text.length()), WAIT, "echo of '" + text + "'").utf8String());
  }

  @Test
  @DisplayName("connect to a port nobody listens on: ConnectionRefusedException naming the flow")
  void refused() {
    network();
    Stack server = host("10.0.0.3/24");
    Stack client = host("10.0.0.2/24");
    Throwable failure =
        failureOf(
            client.tcp().createConnection(endpoint(server, 81)), WAIT, "connect to a closed port");
    assertInstanceOf(ConnectionRefusedException.class, failure);
    assertNamesFlow(flowName("10.0.0.2", "10.0.0.3", 81), failure);
    // the failure is reported from the flow; its removal from the host's table follows
    awaitCondition(
        () -> client.stats().openFlows() == 0,
        WAIT,
        () -> "the refused flow leaves the table: " + client.stats());
  }

  @Test
  @DisplayName(
      "connect to an on-link address nobody answers: ConnectionTimeoutException after the SYN retries")
  void connectTimesOut() {
    NetworkConfig base = NetworkConfig.fromConfig(sim.system().settings().config());
    TcpConfig tcp =
        base.tcp()
            .withRetransmissions(12, 2)
            .withRto(
                Duration.ofMillis(200).toNanos(),
                Duration.ofMillis(200).toNanos(),
                Duration.ofSeconds(60).toNanos());
    network(base.withTcp(tcp));
    Stack client = host("10.0.0.2/24");
    Duration start = sim.now();
    // SYN at 0, retries at 0.2 s and 0.6 s, gives up at 1.4 s (ARP for it fails meanwhile).
    Throwable failure =
        failureOf(
            client.tcp().createConnection(new InetSocketAddress("10.0.0.99", 80)),
            WAIT,
            "connect to a silent address");
    Duration took = sim.now().minus(start);
    assertInstanceOf(ConnectionTimeoutException.class, failure, failure.toString());
    assertNamesFlow(flowName("10.0.0.2", "10.0.0.99", 80), failure);
    assertEquals(Duration.ofMillis(1_400), took, "gave up 0.2 + 0.4 + 0.8 s after the SYN");
    awaitCondition(
        () -> client.stats().openFlows() == 0,
        WAIT,
        () -> "the client's table is empty: " + client.stats());
  }

  @Test
  @DisplayName(
      "the peer vanishes with data unacknowledged: ConnectionTimeoutException on read and write after the retransmissions")
  void dataRetransmissionsExhausted() {
    NetworkConfig base = NetworkConfig.fromConfig(sim.system().settings().config());
    long ms200 = Duration.ofMillis(200).toNanos();
    network(
        base.withTcp(
            base.tcp()
                .withRetransmissions(3, 2)
                .withRto(ms200, ms200, Duration.ofSeconds(60).toNanos())
                // RFC 6298's schedule alone: with RACK-TLP a tail loss probe would go first, at
                // the first RTO's instant, and every RTO after it one RTO later (TailLossTest).
                .withLossDetection(LossDetection.DUP_ACK)));
    Stack server = host("10.0.0.3/24");
    Stack client = host("10.0.0.2/24");
    server.tcp().listen(80, TcpErrorsTest::echo);
    TcpFlow flow = await(client.tcp().createConnection(endpoint(server, 80)), WAIT, "connect");
    assertEchoes(flow, "hello");
    await(server.disconnect(), WAIT, "the server leaves the switch");
    // When the first byte of the write goes out, as the switch sees it (the tap runs inside the
    // simulation; the list is read once the flow gave up).
    List<Long> sentAt = new java.util.concurrent.CopyOnWriteArrayList<>();
    net.addListener(
        f ->
            f.tcp()
                .filter(t -> t.sourcePort() == flow.src().getPort() && t.payload().length() > 0)
                .ifPresent(t -> sentAt.add(f.epochNanos())));
    sim.runUntilIdle();
    Duration start = sim.now();
    long startEpoch = sim.time().clock().epochNanos();
    await(flow.write(ByteString.fromArray(new byte[10_000])), WAIT, "write into the buffer");
    // RTO 0.2 s doubling: retransmissions at 0.2, 0.6 and 1.4 s, given up at 3.0 s.
    Throwable failure =
        failureOf(flow.read(), WAIT, "read while the data goes unanswered " + flow.stats());
    Duration took = sim.now().minus(start);
    assertInstanceOf(ConnectionTimeoutException.class, failure, String.valueOf(failure));
    assertNamesFlow(flowName("10.0.0.2", "10.0.0.3", 80), failure);
    assertEquals(
        Duration.ofMillis(3_000), took, "given up 0.2 + 0.4 + 0.8 + 1.6 s after the write");
    // Seven segments (10 000 bytes at MSS 1460) at once, then the first one again at each RTO.
    List<Duration> offsets = sentAt.stream().map(t -> Duration.ofNanos(t - startEpoch)).toList();
    List<Duration> expected =
        new java.util.ArrayList<>(java.util.Collections.nCopies(7, Duration.ZERO));
    expected.addAll(
        List.of(Duration.ofMillis(200), Duration.ofMillis(600), Duration.ofMillis(1_400)));
    assertEquals(expected, offsets, "data segments on the wire, after the write");
    assertTrue(flow.stats().retransmits() >= 3, flow.stats().toString());
    assertInstanceOf(
        ConnectionTimeoutException.class,
        failureOf(flow.write(ByteString.fromString("x")), WAIT, "write after the timeout"));
    await(flow.close(), WAIT, "close after the timeout completes at once");
    awaitCondition(
        () -> client.stats().openFlows() == 0,
        WAIT,
        () -> "the client's table is empty: " + client.stats());
  }

  @Test
  @DisplayName("connect off-link with no gateway: NoRouteException naming both addresses")
  void noRoute() {
    network();
    Stack client = host("10.0.0.2/24");
    Throwable failure =
        failureOf(
            client.tcp().createConnection(new InetSocketAddress("192.168.1.1", 80)),
            WAIT,
            "connect off-link");
    assertInstanceOf(NoRouteException.class, failure);
    assertTrue(
        failure.getMessage().contains("10.0.0.2")
            && failure.getMessage().contains("192.168.1.1:80"),
        failure.getMessage());
    assertEquals(0, client.stats().openFlows());
  }

  @Test
  @DisplayName(
      "write after close, and after shutdown(WRITE): ConnectionClosedException naming the flow")
  void writeAfterClose() {
    network();
    Stack server = host("10.0.0.3/24");
    Stack client = host("10.0.0.2/24");
    server.tcp().listen(80, TcpErrorsTest::echo);
    Pattern name = flowName("10.0.0.2", "10.0.0.3", 80);

    TcpFlow closed = await(client.tcp().createConnection(endpoint(server, 80)), WAIT, "connect");
    assertEchoes(closed, "before close");
    await(closed.close(), WAIT, "close");
    Throwable failure =
        failureOf(closed.write(ByteString.fromString("late")), WAIT, "write after close");
    assertInstanceOf(ConnectionClosedException.class, failure);
    assertNamesFlow(name, failure);
    assertInstanceOf(
        ConnectionClosedException.class,
        failureOf(
            closed.writeNodelay(ByteString.fromString("late")), WAIT, "writeNodelay after close"));

    TcpFlow halfClosed =
        await(client.tcp().createConnection(endpoint(server, 80)), WAIT, "connect again");
    await(halfClosed.write(ByteString.fromString("last words")), WAIT, "write");
    await(halfClosed.shutdown(ShutdownMode.WRITE), WAIT, "shutdown(WRITE)");
    failure =
        failureOf(
            halfClosed.write(ByteString.fromString("late")), WAIT, "write after shutdown(WRITE)");
    assertInstanceOf(ConnectionClosedException.class, failure);
    assertNamesFlow(name, failure);
    // Reading still works: the echo of what was written before the FIN, then Eof.
    assertReadsThenEof(halfClosed, "last words");
  }

  private void assertReadsThenEof(TcpFlow flow, String expected) {
    ReadSummary summary = await(readAll(flow), WAIT, "read to Eof");
    assertEquals(expected.length(), summary.bytes());
    assertEquals(sha256Hex(expected.getBytes(StandardCharsets.UTF_8)), summary.hex());
  }

  @Test
  @DisplayName(
      "the peer aborts: a pending read fails with ConnectionResetException naming the flow")
  void peerAbortResets() {
    network();
    Stack server = host("10.0.0.3/24");
    Stack client = host("10.0.0.2/24");
    CompletableFuture<TcpFlow> accepted = new CompletableFuture<>();
    server
        .tcp()
        .listen(
            80,
            flow -> {
              accepted.complete(flow);
              return new CompletableFuture<>(); // the test decides this flow's fate
            });
    TcpFlow flow = await(client.tcp().createConnection(endpoint(server, 80)), WAIT, "connect");
    CompletionStage<ReadResult> pending = flow.read();
    await(accepted, WAIT, "accept").abort();
    Throwable failure = failureOf(pending, WAIT, "read when the peer aborted");
    assertInstanceOf(ConnectionResetException.class, failure, String.valueOf(failure));
    assertNamesFlow(flowName("10.0.0.2", "10.0.0.3", 80), failure);
    // Later reads say the same; writes fail too.
    assertInstanceOf(ConnectionResetException.class, failureOf(flow.read(), WAIT, "read again"));
    assertInstanceOf(
        TcpException.class,
        failureOf(flow.write(ByteString.fromString("x")), WAIT, "write after reset"));
    await(flow.close(), WAIT, "close after a reset completes");
    awaitCondition(
        () -> client.stats().openFlows() == 0 && server.stats().openFlows() == 0,
        WAIT,
        () -> "both tables empty: " + client.stats() + " / " + server.stats());
  }

  @Test
  @DisplayName("listen on port -1 or 65536: IllegalArgumentException naming the port")
  void listenBadPort() {
    network();
    Stack server = host("10.0.0.3/24");
    Function<TcpFlow, CompletionStage<?>> callback = TcpFlow::close;
    for (int port : new int[] {-1, 65536}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> server.tcp().listen(port, callback));
      assertTrue(e.getMessage().contains(String.valueOf(port)), e.getMessage());
      e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  server
                      .tcp()
                      .listen(
                          port, new Keepalive(Duration.ZERO, Duration.ofSeconds(1), 1), callback));
      assertTrue(e.getMessage().contains(String.valueOf(port)), e.getMessage());
    }
    assertEquals(0, server.stats().listeners());
  }

  @Test
  @DisplayName(
      "createConnection with a null keepalive, a null, unresolved or non-IPv4 remote, or port 0: IllegalArgumentException naming the value")
  void createConnectionBadArguments() {
    network();
    Stack server = host("10.0.0.3/24");
    Stack client = host("10.0.0.2/24");
    server.tcp().listen(80, TcpErrorsTest::echo);
    InetSocketAddress remote = endpoint(server, 80);
    Keepalive keepalive = new Keepalive(Duration.ZERO, Duration.ofSeconds(1), 3);

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> client.tcp().createConnection(remote, null));
    assertTrue(
        e.getMessage().contains("keepalive") && e.getMessage().contains("null"), e.getMessage());
    assertTrue(e.getMessage().contains("10.0.0.3:80"), e.getMessage());

    for (InetSocketAddress bad :
        new InetSocketAddress[] {
          null,
          InetSocketAddress.createUnresolved("server.invalid", 80),
          new InetSocketAddress("::1", 80)
        }) {
      e = assertThrows(IllegalArgumentException.class, () -> client.tcp().createConnection(bad));
      assertTrue(
          e.getMessage().contains("remote") && e.getMessage().contains(String.valueOf(bad)),
          e.getMessage());
      e =
          assertThrows(
              IllegalArgumentException.class, () -> client.tcp().createConnection(bad, keepalive));
      assertTrue(e.getMessage().contains(String.valueOf(bad)), e.getMessage());
      // both wrong: the remote is named first
      e =
          assertThrows(
              IllegalArgumentException.class, () -> client.tcp().createConnection(bad, null));
      assertTrue(e.getMessage().contains("remote"), e.getMessage());
    }
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> client.tcp().createConnection(endpoint(server, 0)));
    assertTrue(e.getMessage().contains("got 0"), e.getMessage());

    // Nothing was half-opened; the same host still connects, with and without keepalive.
    assertEquals(0, client.stats().openFlows());
    assertEchoes(await(client.tcp().createConnection(remote), WAIT, "connect"), "still fine");
    assertEchoes(
        await(client.tcp().createConnection(remote, keepalive), WAIT, "connect with keepalive"),
        "with keepalive");
  }

  @Test
  @DisplayName("unlisten refuses new connections while an existing one on that port keeps working")
  void unlistenKeepsExistingConnections() {
    network();
    Stack server = host("10.0.0.3/24");
    Stack client = host("10.0.0.2/24");
    server.tcp().listen(80, TcpErrorsTest::echo);
    awaitCondition(() -> server.stats().listeners() == 1, WAIT, () -> "listening");
    TcpFlow existing = await(client.tcp().createConnection(endpoint(server, 80)), WAIT, "connect");
    assertEchoes(existing, "hello");

    server.tcp().unlisten(80);
    awaitCondition(() -> server.stats().listeners() == 0, WAIT, () -> "unlistened");
    Throwable failure =
        failureOf(
            client.tcp().createConnection(endpoint(server, 80)), WAIT, "connect after unlisten");
    assertInstanceOf(ConnectionRefusedException.class, failure);
    assertNamesFlow(flowName("10.0.0.2", "10.0.0.3", 80), failure);

    assertEchoes(existing, "still here after unlisten");
    await(existing.shutdown(ShutdownMode.WRITE), WAIT, "shutdown(WRITE)");
    assertEquals(ReadResult.EOF, await(existing.read(), WAIT, "Eof from the echo server"));
    await(existing.close(), WAIT, "close");
  }

  @Test
  @DisplayName(
      "a callback that throws, and one whose stage fails, abort only their flow; other flows of the listener go on")
  void failingCallbacksAbortOnlyTheirFlow() {
    network();
    Stack server = host("10.0.0.3/24");
    Stack client = host("10.0.0.2/24");
    AtomicInteger accepted = new AtomicInteger();
    server
        .tcp()
        .listen(
            80,
            flow -> {
              switch (accepted.incrementAndGet()) {
                case 2:
                  throw new IllegalStateException("callback bug (expected by the test)");
                case 3:
                  // Fails after the flow was used a little.
                  return readExactly(flow, 4)
                      .thenCompose(
                          r ->
                              CompletableFuture.failedFuture(
                                  new IllegalStateException(
                                      "stage failed (expected by the test)")));
                default:
                  return echo(flow);
              }
            });
    Pattern name = flowName("10.0.0.2", "10.0.0.3", 80);
    TcpFlow good = await(client.tcp().createConnection(endpoint(server, 80)), WAIT, "connect 1");
    assertEchoes(good, "first");

    TcpFlow throwing =
        await(client.tcp().createConnection(endpoint(server, 80)), WAIT, "connect 2");
    Throwable failure = failureOf(throwing.read(), WAIT, "read on the flow whose callback threw");
    assertInstanceOf(ConnectionResetException.class, failure, String.valueOf(failure));
    assertNamesFlow(name, failure);

    TcpFlow failing = await(client.tcp().createConnection(endpoint(server, 80)), WAIT, "connect 3");
    await(failing.write(ByteString.fromString("ping")), WAIT, "write to the failing flow");
    failure = failureOf(failing.read(), WAIT, "read on the flow whose callback's stage failed");
    assertInstanceOf(ConnectionResetException.class, failure, String.valueOf(failure));
    assertNamesFlow(name, failure);

    assertEchoes(good, "the first flow is unharmed");
    TcpFlow another = await(client.tcp().createConnection(endpoint(server, 80)), WAIT, "connect 4");
    assertEchoes(another, "and the listener still accepts");
    assertEquals(1, server.stats().listeners());
    await(another.close(), WAIT, "close 4");
    await(good.close(), WAIT, "close 1");
  }

  @Test
  @DisplayName(
      "Tcp.disconnect aborts every connection (the peer sees a reset) and stops every listener")
  void tcpDisconnectAborts() {
    network();
    Stack server = host("10.0.0.3/24");
    Stack client = host("10.0.0.2/24");
    CompletableFuture<TcpFlow> accepted = new CompletableFuture<>();
    CompletableFuture<ReadResult> serverRead = new CompletableFuture<>();
    CompletableFuture<Throwable> serverReadFailure = new CompletableFuture<>();
    server
        .tcp()
        .listen(
            80,
            flow -> {
              accepted.complete(flow);
              return flow.read()
                  .whenComplete(
                      (r, e) -> {
                        if (e != null) {
                          serverReadFailure.complete(
                              e instanceof CompletionException && e.getCause() != null
                                  ? e.getCause()
                                  : e);
                        } else {
                          serverRead.complete(r);
                        }
                      });
            });
    TcpFlow a = await(client.tcp().createConnection(endpoint(server, 80)), WAIT, "connect a");
    TcpFlow b = await(client.tcp().createConnection(endpoint(server, 80)), WAIT, "connect b");
    CompletionStage<ReadResult> readA = a.read();
    CompletionStage<ReadResult> readB = b.read();
    await(accepted, WAIT, "accept");
    awaitCondition(() -> server.stats().openFlows() == 2, WAIT, () -> "two server flows");

    await(server.tcp().disconnect(), WAIT, "Tcp.disconnect");
    Pattern name = flowName("10.0.0.2", "10.0.0.3", 80);
    for (CompletionStage<ReadResult> read : List.of(readA, readB)) {
      Throwable failure = failureOf(read, WAIT, "client read after the server's Tcp.disconnect");
      assertInstanceOf(ConnectionResetException.class, failure, String.valueOf(failure));
      assertNamesFlow(name, failure);
    }
    // The server's own pending read ends too (Eof or a TcpException; it must not hang).
    CompletableFuture<Object> serverReadEnded =
        CompletableFuture.anyOf(serverRead, serverReadFailure);
    Object outcome = await(serverReadEnded, WAIT, "the server's read after its Tcp.disconnect");
    assertTrue(
        outcome instanceof ReadResult.Eof || outcome instanceof TcpException,
        "server read ended with " + outcome);
    awaitCondition(
        () -> server.stats().openFlows() == 0 && client.stats().openFlows() == 0,
        WAIT,
        () -> "both tables empty: " + server.stats() + " / " + client.stats());
    assertEquals(0, server.stats().listeners());
    assertInstanceOf(
        ConnectionRefusedException.class,
        failureOf(
            client.tcp().createConnection(endpoint(server, 80)), WAIT, "connect after disconnect"));
  }
}
