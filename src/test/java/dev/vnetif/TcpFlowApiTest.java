package dev.vnetif;

import static dev.vnetif.testsupport.TcpTestSupport.endpoint;
import static dev.vnetif.testsupport.TcpTestSupport.randomBytes;
import static dev.vnetif.testsupport.TcpTestSupport.readAll;
import static dev.vnetif.testsupport.TcpTestSupport.readExactly;
import static dev.vnetif.testsupport.TcpTestSupport.sha256Hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.tcp.TcpState;
import dev.vnetif.testsupport.RawPeer;
import dev.vnetif.testsupport.TcpTestSupport;
import dev.vnetif.testsupport.TcpTestSupport.ReadSummary;
import dev.vnetif.testsupport.VirtualTimeKit;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The contract of {@link TcpFlow}'s writes and shutdowns as API.md and the seed state it: {@code
 * write} completes once its data is in the send buffer, {@code writeNodelay} once it is
 * acknowledged (shown against a scripted peer that holds its ACKs back); {@code writev} and {@code
 * writevNodelay} deliver their pieces in order; each {@link ShutdownMode} as the peer sees it. In
 * virtual time: "still pending" is watched for {@link #QUIET} of virtual time, and a {@code
 * writeNodelay} completes at the very instant the ACK covering it arrives.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60) // wall-clock bound on each test; every wait inside is bounded in virtual time
class TcpFlowApiTest {
  /** Bound on each wait, in virtual time. */
  static final Duration WAIT = Duration.ofSeconds(10);

  /**
   * How long "still pending" is watched: many round trips on the virtual network. (The client may
   * retransmit meanwhile, its RTO at the 200 ms minimum after a zero round trip; the scripted
   * server reads past duplicates.)
   */
  static final Duration QUIET = Duration.ofMillis(300);

  static final int PEER_PORT = 80;
  static final int PEER_ISS = 500_000;

  final VirtualTimeKit sim = VirtualTimeKit.create("tcp-flow-api");

  VirtualNetwork net;

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

  // ------------------------------------------------------------ write vs writeNodelay

  @Test
  @DisplayName(
      "write completes with its data unacknowledged; writeNodelay and writevNodelay stay pending until the ACK covering them arrives, not before")
  void writeCompletesAtOnceNodelayWaitsForTheAck() throws Exception {
    net = VirtualNetwork.create(sim.system());
    Stack client = await(net.createStack("10.0.0.2/24"), WAIT, "client");
    ScriptedServer peer =
        new ScriptedServer(
            new RawPeer(
                await(net.attachRawPort("peer"), WAIT, "raw port"),
                Ipv4Address.of("10.0.0.9"),
                sim.time()),
            client);
    TcpFlow flow = peer.accept();

    // write: done while the peer has acknowledged nothing.
    await(flow.write(ByteString.fromString("hello")), WAIT, "write without any ACK");
    assertEquals("hello", peer.receive(5), "the write went out");
    assertEquals(0, flow.stats().bytesAcked(), "nothing was acknowledged: " + flow.stats());

    // writeNodelay: sent at once (Nagle bypassed though "hello" is unacknowledged), but
    // pending until acknowledged.
    CompletableFuture<Done> nodelay =
        flow.writeNodelay(ByteString.fromString("world!")).toCompletableFuture();
    assertEquals("world!", peer.receive(6), "writeNodelay bypasses Nagle");
    // A plain write behind it completes at once: it only needs send-buffer room.
    await(flow.write(ByteString.fromString("later")), WAIT, "write behind a pending writeNodelay");
    assertStillPending(nodelay, "writeNodelay with no ACK at all");

    peer.ack(5); // "hello" only
    awaitCondition(
        () -> flow.stats().bytesAcked() == 5,
        WAIT,
        () -> "the ACK of 'hello' was processed: " + flow.stats());
    assertStillPending(nodelay, "writeNodelay after an ACK that does not cover it");

    peer.ack(11); // "hello" + "world!", not "later"
    sim.runUntilIdle();
    assertTrue(nodelay.isDone(), "writeNodelay completes at the instant the ACK covering it came");
    await(nodelay, WAIT, "writeNodelay once the ACK covers it");
    // Nagle held "later" until everything in flight was acknowledged.
    assertEquals("later", peer.receive(5));

    CompletableFuture<Done> nodelayV =
        flow.writevNodelay(
                List.of(
                    ByteString.fromString("ab"),
                    ByteString.emptyByteString(),
                    ByteString.fromString("cd")))
            .toCompletableFuture();
    assertEquals("abcd", peer.receive(4), "writevNodelay sends its pieces in order");
    peer.ack(16); // up to "later"
    awaitCondition(
        () -> flow.stats().bytesAcked() == 16,
        WAIT,
        () -> "the ACK of 'later' was processed: " + flow.stats());
    assertStillPending(nodelayV, "writevNodelay after an ACK that does not cover it");
    peer.ack(20);
    sim.runUntilIdle();
    assertTrue(nodelayV.isDone(), "writevNodelay completes at the instant the ACK came");
    await(nodelayV, WAIT, "writevNodelay once the ACK covers it");
  }

  @Test
  @DisplayName(
      "when the host disconnects, a pending read fails as aborted, a pending close completes and a later write fails: no stage waits for the ask's safety net")
  void pendingStagesCompleteWhenTheFlowEnds() throws Exception {
    net = VirtualNetwork.create(sim.system());
    Stack client = await(net.createStack("10.0.0.2/24"), WAIT, "client");
    Stack server = await(net.createStack("10.0.0.3/24"), WAIT, "server");
    server.tcp().listen(80, flow -> new CompletableFuture<>()); // accepts, then stays silent
    TcpFlow flow =
        await(
            client.tcp().createConnection(new InetSocketAddress(server.address(), 80)),
            WAIT,
            "connect");
    CompletableFuture<ReadResult> read = flow.read().toCompletableFuture();
    CompletableFuture<Done> close = flow.close().toCompletableFuture(); // the peer never closes
    assertStillPending(read, "read with nothing sent");
    assertStillPending(close, "close before the peer's FIN");

    await(client.disconnect(), WAIT, "the client host leaves");
    Throwable readError = failureOf(read, WAIT, "the pending read");
    assertInstanceOf(ConnectionClosedException.class, readError, "read: " + readError);
    assertTrue(readError.getMessage().contains("aborted"), readError.getMessage());
    await(close, WAIT, "the pending close");
    Throwable error = failureOf(flow.write(ByteString.fromString("late")), WAIT, "late write");
    assertInstanceOf(ConnectionClosedException.class, error, "write after the end: " + error);
  }

  /** Watches {@code stage} for {@link #QUIET} of virtual time: it must not complete meanwhile. */
  private void assertStillPending(CompletableFuture<?> stage, String what) {
    sim.advance(QUIET);
    assertFalse(stage.isDone(), what + ": completed as " + stage);
  }

  /**
   * A server played by hand on a raw port: completes the handshake of the host's connection and
   * then acknowledges exactly what the test says, nothing on its own.
   */
  final class ScriptedServer {
    private final RawPeer peer;
    private final Stack client;
    private final Ipv4Address clientIp;
    private int clientPort;
    private int clientIss;

    /** Bytes of the client's stream received so far (retransmissions skipped). */
    private final ByteArrayOutputStream stream = new ByteArrayOutputStream();

    private int consumed;

    ScriptedServer(RawPeer peer, Stack client) {
      this.peer = peer;
      this.client = client;
      this.clientIp = Ipv4Address.fromInet(client.address());
    }

    TcpFlow accept() throws InterruptedException {
      CompletionStage<TcpFlow> connect =
          client.tcp().createConnection(new InetSocketAddress(peer.address().toInet(), PEER_PORT));
      TcpSegment syn = peer.nextTcp(WAIT);
      assertNotNull(syn, "the client's SYN");
      assertEquals(TcpSegment.SYN, syn.flags(), syn.toString());
      clientPort = syn.sourcePort();
      clientIss = syn.seq();
      // No window scale offered: the client's windows are what the fields say.
      send(
          TcpSegment.of(
                  PEER_PORT,
                  clientPort,
                  PEER_ISS,
                  clientIss + 1,
                  TcpSegment.SYN | TcpSegment.ACK,
                  65535)
              .withOptions(TcpOptions.NONE.withMss(1460)));
      TcpFlow flow = await(connect, WAIT, "connect to the scripted server");
      TcpSegment ack = peer.nextTcp(WAIT);
      assertNotNull(ack, "the client's ACK of our SYN");
      assertEquals(PEER_ISS + 1, ack.ack(), ack.toString());
      return flow;
    }

    /** The next {@code n} bytes of the client's stream, as text. */
    String receive(int n) throws InterruptedException {
      Duration deadline = sim.now().plus(WAIT);
      while (stream.size() - consumed < n) {
        TcpSegment seg = peer.nextTcp(deadline.minus(sim.now()));
        assertNotNull(seg, "waiting for " + n + " bytes; have " + (stream.size() - consumed));
        int offset = seg.seq() - (clientIss + 1);
        int length = seg.payload().length();
        if (length > 0 && offset <= stream.size() && offset + length > stream.size()) {
          byte[] bytes = seg.payload().drop(stream.size() - offset).toArray();
          stream.write(bytes, 0, bytes.length);
        }
      }
      String text =
          new String(stream.toByteArray(), consumed, n, java.nio.charset.StandardCharsets.UTF_8);
      consumed += n;
      return text;
    }

    /** Acknowledges the client's first {@code bytes} bytes. */
    void ack(int bytes) {
      send(
          TcpSegment.of(
              PEER_PORT, clientPort, PEER_ISS + 1, clientIss + 1 + bytes, TcpSegment.ACK, 65535));
    }

    private void send(TcpSegment segment) {
      peer.sendTcp(client.mac(), clientIp, segment);
    }
  }

  // ------------------------------------------------------------ writev

  @Test
  @DisplayName(
      "writev and writevNodelay: many pieces (empty ones, one larger than the send buffer) arrive in order, SHA-256 equal")
  void writevPiecesArriveInOrder() {
    net = VirtualNetwork.create(sim.system());
    Stack server = await(net.createStack("10.0.0.3/24"), WAIT, "server");
    Stack client = await(net.createStack("10.0.0.2/24"), WAIT, "client");
    CompletableFuture<ReadSummary> received = new CompletableFuture<>();
    server
        .tcp()
        .listen(
            7,
            flow ->
                readAll(flow).thenCompose(r -> flow.close().thenApply(d -> received.complete(r))));
    long seed = new SplittableRandom().nextLong();
    String replay = " (seed " + seed + ")";
    SplittableRandom random = new SplittableRandom(seed);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    List<ByteString> first = pieces(random, 200, all);
    first.add(ByteString.fromArray(randomBytes(seed, 300_000))); // > the 256 KiB send buffer
    all.writeBytes(first.get(first.size() - 1).toArray());
    List<ByteString> second = pieces(random, 200, all);

    TcpFlow flow = await(client.tcp().createConnection(endpoint(server, 7)), WAIT, "connect");
    await(flow.writev(first), WAIT, "writev" + replay);
    await(flow.writevNodelay(second), WAIT, "writevNodelay" + replay);
    await(flow.close(), WAIT, "close" + replay);
    ReadSummary got = await(received, WAIT, "the server reads to Eof" + replay);
    assertEquals(all.size(), got.bytes(), "bytes" + replay);
    assertEquals(sha256Hex(all.toByteArray()), got.hex(), "content" + replay);
  }

  /**
   * {@code n} pieces of 0..3000 random bytes (about one in ten empty), also appended to {@code
   * all}.
   */
  private static List<ByteString> pieces(
      SplittableRandom random, int n, ByteArrayOutputStream all) {
    List<ByteString> pieces = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] piece = new byte[random.nextInt(10) == 0 ? 0 : random.nextInt(1, 3001)];
      random.nextBytes(piece);
      all.writeBytes(piece);
      pieces.add(ByteString.fromArray(piece));
    }
    return pieces;
  }

  // ------------------------------------------------------------ shutdown

  /** Both ends of one connection between two hosts. */
  record Pair(Stack clientHost, Stack serverHost, TcpFlow client, TcpFlow server) {}

  Pair connectedPair() {
    net =
        VirtualNetwork.create(
            sim.system(), TcpTestSupport.withMsl(sim.system(), Duration.ofMillis(100)));
    Stack server = await(net.createStack("10.0.0.3/24"), WAIT, "server");
    Stack client = await(net.createStack("10.0.0.2/24"), WAIT, "client");
    CompletableFuture<TcpFlow> accepted = new CompletableFuture<>();
    server
        .tcp()
        .listen(
            9,
            flow -> {
              accepted.complete(flow);
              return new CompletableFuture<>(); // the test drives the flow
            });
    TcpFlow flow = await(client.tcp().createConnection(endpoint(server, 9)), WAIT, "connect");
    return new Pair(client, server, flow, await(accepted, WAIT, "accept"));
  }

  @Test
  @DisplayName(
      "shutdown(READ): our reads return Eof; the peer's data (more than a receive buffer) is still acknowledged and discarded; the peer sees no FIN and still gets our writes")
  void shutdownRead() {
    Pair p = connectedPair();
    CompletionStage<ReadResult> peerRead = p.server().read();
    await(p.client().shutdown(ShutdownMode.READ), WAIT, "shutdown(READ)");
    assertEquals(ReadResult.EOF, await(p.client().read(), WAIT, "read after shutdown(READ)"));

    // 1 MB, four times the receive buffer: it all gets through only if discarded data
    // still opens the window.
    byte[] data = randomBytes(0x5EAD, 1_000_000);
    await(
        p.server().writeNodelay(ByteString.fromArray(data)),
        WAIT,
        "the peer's writeNodelay, acknowledged by a flow that no longer reads "
            + p.client().stats());
    awaitCondition(
        () -> p.client().stats().bytesReceived() == data.length,
        WAIT,
        () -> "all of it arrived: " + p.client().stats());
    assertEquals(ReadResult.EOF, await(p.client().read(), WAIT, "read after data arrived"));

    assertFalse(
        peerRead.toCompletableFuture().isDone(),
        "the peer saw no FIN (its read is still pending): " + peerRead);
    assertEquals(TcpState.ESTABLISHED, p.client().stats().state());
    await(
        p.client().write(ByteString.fromString("still writing")),
        WAIT,
        "write after shutdown(READ)");
    ReadResult got = await(peerRead, WAIT, "the peer reads our write");
    assertEquals("still writing", assertInstanceOf(ReadResult.Data.class, got).data().utf8String());
  }

  @Test
  @DisplayName(
      "shutdown(WRITE): the peer reads our data then Eof, and can still write to us; we read it, then our writes fail")
  void shutdownWrite() {
    Pair p = connectedPair();
    await(p.client().write(ByteString.fromString("request")), WAIT, "write");
    await(p.client().shutdown(ShutdownMode.WRITE), WAIT, "shutdown(WRITE)");
    ReadSummary atPeer = await(readAll(p.server()), WAIT, "the peer reads to Eof");
    assertEquals(
        sha256Hex("request".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        atPeer.hex(),
        "what the peer read before Eof");
    awaitCondition(
        () -> p.client().stats().state() == TcpState.FIN_WAIT_2,
        WAIT,
        () -> "our FIN acknowledged, the peer's side still open: " + p.client().stats());

    byte[] response = randomBytes(0xAE5, 100_000);
    await(p.server().write(ByteString.fromArray(response)), WAIT, "the peer writes after our FIN");
    assertEquals(
        ByteString.fromArray(response),
        await(
            readExactly(p.client(), response.length),
            WAIT,
            "we read the peer's data after shutdown(WRITE)"));
    assertInstanceOf(
        ConnectionClosedException.class,
        failureOf(
            p.client().write(ByteString.fromString("late")), WAIT, "write after shutdown(WRITE)"));
    await(p.server().close(), WAIT, "the peer closes");
    assertEquals(ReadResult.EOF, await(p.client().read(), WAIT, "Eof after the peer's FIN"));
    awaitCondition(
        () ->
            p.clientHost().stats().openFlows() == 0
                && p.serverHost().stats().openFlows() == 0
                // TIME_WAIT is the host's table now, not a flow (issue 8 item 9)
                && p.clientHost().stats().timeWaitEntries() == 0
                && p.serverHost().stats().timeWaitEntries() == 0,
        WAIT,
        () -> "both tables empty: " + p.clientHost().stats() + " / " + p.serverHost().stats());
  }

  @Test
  @DisplayName(
      "shutdown(READ_WRITE): the peer reads Eof; our reads return Eof and writes fail; the peer's late data is acknowledged and discarded; its close completes")
  void shutdownReadWrite() {
    Pair p = connectedPair();
    await(p.client().shutdown(ShutdownMode.READ_WRITE), WAIT, "shutdown(READ_WRITE)");
    assertEquals(ReadResult.EOF, await(p.server().read(), WAIT, "the peer reads our FIN"));
    assertEquals(ReadResult.EOF, await(p.client().read(), WAIT, "our read"));
    assertInstanceOf(
        ConnectionClosedException.class,
        failureOf(p.client().write(ByteString.fromString("late")), WAIT, "our write"));

    byte[] late = randomBytes(0x1A7E, 600_000);
    await(
        p.server().writeNodelay(ByteString.fromArray(late)),
        WAIT,
        "the peer's data to a flow closed both ways, acknowledged " + p.client().stats());
    awaitCondition(
        () -> p.client().stats().bytesReceived() == late.length,
        WAIT,
        () -> "all of it arrived: " + p.client().stats());
    assertEquals(ReadResult.EOF, await(p.client().read(), WAIT, "still Eof"));
    await(p.server().close(), WAIT, "the peer's close " + p.server().stats());
    awaitCondition(
        () ->
            p.clientHost().stats().openFlows() == 0
                && p.serverHost().stats().openFlows() == 0
                // TIME_WAIT is the host's table now, not a flow (issue 8 item 9)
                && p.clientHost().stats().timeWaitEntries() == 0
                && p.serverHost().stats().timeWaitEntries() == 0,
        WAIT,
        () -> "both tables empty: " + p.clientHost().stats() + " / " + p.serverHost().stats());
    assertEquals(TcpState.CLOSED, p.client().stats().state());
  }
}
