package dev.vnetif;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.stack.FlowCommand;
import dev.vnetif.stack.FlowEvent;
import dev.vnetif.tcp.TcpState;
import dev.vnetif.testsupport.VirtualTimeKit;
import dev.vnetif.wire.Ipv4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The typed actor protocol of one TCP connection ({@link FlowCommand} / {@link FlowEvent}), shaped
 * after Pekko IO's {@code Tcp}: a {@link TestProbe} registers as the handler of one end while the
 * other end is driven through the {@code CompletionStage} API of {@link TcpFlow}. In virtual time:
 * "nothing happens" is watched for {@link #QUIET} of virtual time, and a handler slower than a
 * closed flow's linger costs no wall time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60) // wall-clock bound on each test; every wait inside is bounded in virtual time
class FlowProtocolTest {
  /** Bound on each wait, in virtual time. */
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** How long "nothing happens" is watched: many round trips on the virtual network. */
  static final Duration QUIET = Duration.ofMillis(300);

  static final int PORT = 80;

  final VirtualTimeKit sim = VirtualTimeKit.create("flow-protocol");

  VirtualNetwork net;
  Stack clientHost;
  Stack serverHost;

  /** Both ends of one connection: {@code client} opened it, {@code server} accepted it. */
  record Connection(TcpFlow client, TcpFlow server) {}

  @BeforeEach
  void newNetwork() {
    net = VirtualNetwork.create(sim.system());
    serverHost = await(net.createStack("10.0.0.3/24"));
    clientHost = await(net.createStack("10.0.0.2/24"));
  }

  @AfterEach
  void shutdown() {
    await(net.shutdown());
  }

  @AfterAll
  void stopTestKit() {
    sim.close();
  }

  <T> T await(CompletionStage<T> stage) {
    return sim.await(stage, TIMEOUT, "stage");
  }

  Throwable failureOf(CompletionStage<?> stage) {
    return sim.failureOf(stage, TIMEOUT, "stage");
  }

  /** The handler's next event, virtual time passing while none has come. */
  FlowEvent next(TestProbe<FlowEvent> handler) {
    return sim.receive(handler, TIMEOUT);
  }

  /** The handler's next event, which must be a {@code type}. */
  <E extends FlowEvent> E expect(TestProbe<FlowEvent> handler, Class<E> type) {
    return assertInstanceOf(type, next(handler));
  }

  /** Nothing reaches the handler while {@link #QUIET} of virtual time passes. */
  void expectNothing(TestProbe<FlowEvent> handler) {
    sim.expectNoMessage(handler, QUIET);
  }

  // ------------------------------------------------------------ Register / Connected

  @Test
  @DisplayName("Register on the connecting side answers Connected with both ends exactly")
  void registerOnClientGivesConnected() {
    Connection c = connect();
    TestProbe<FlowEvent> handler = sim.testKit().createTestProbe(FlowEvent.class);
    c.client().ref().tell(new FlowCommand.Register(handler.ref(), false, false));
    FlowEvent.Connected connected = expect(handler, FlowEvent.Connected.class);
    assertEquals(
        new FlowEvent.Connected(
            address(serverHost), PORT, address(clientHost), c.client().src().getPort()),
        connected);
    assertTrue(connected.localPort() >= 49152, "ephemeral port: " + connected);
    expectNothing(handler);
  }

  @Test
  @DisplayName(
      "a Write before Register has nobody to answer: it is dropped with a warning naming the flow, and the flow stays usable")
  void writeBeforeRegisterIsDroppedWithAWarning() {
    Connection c = connect();
    org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit.warn(
            "Write before Register dropped (5 bytes)")
        .withMessageContains(flowName(c.client()))
        .expect(
            sim.system(),
            () -> {
              c.client().ref().tell(new FlowCommand.Write(ByteString.fromString("early"), "ack"));
              return null;
            });
    TestProbe<FlowEvent> handler = sim.testKit().createTestProbe(FlowEvent.class);
    c.client().ref().tell(new FlowCommand.Register(handler.ref(), false, false));
    expect(handler, FlowEvent.Connected.class);
    c.client().ref().tell(new FlowCommand.Write(ByteString.fromString("later"), "ack"));
    assertEquals(new FlowEvent.Ack("ack"), expect(handler, FlowEvent.Ack.class));
    assertEquals(
        "later", readBytes(c.server(), 5).utf8String(), "only the registered write went out");
  }

  @Test
  @DisplayName("Register on the accepting side answers Connected with the client's port as remote")
  void registerOnServerGivesConnected() {
    Connection c = connect();
    TestProbe<FlowEvent> handler = sim.testKit().createTestProbe(FlowEvent.class);
    c.server().ref().tell(new FlowCommand.Register(handler.ref(), false, false));
    assertEquals(
        new FlowEvent.Connected(
            address(clientHost), c.client().src().getPort(), address(serverHost), PORT),
        expect(handler, FlowEvent.Connected.class));
  }

  @Test
  @DisplayName(
      "Connected gives both ends as InetSocketAddress (remote(), local()), equal to each flow's dst() and src()")
  void connectedGivesSocketAddresses() {
    Connection c = connect();
    TestProbe<FlowEvent> clientHandler = sim.testKit().createTestProbe(FlowEvent.class);
    TestProbe<FlowEvent> serverHandler = sim.testKit().createTestProbe(FlowEvent.class);
    c.client().ref().tell(new FlowCommand.Register(clientHandler.ref(), false, false));
    c.server().ref().tell(new FlowCommand.Register(serverHandler.ref(), false, false));
    FlowEvent.Connected atClient = expect(clientHandler, FlowEvent.Connected.class);
    FlowEvent.Connected atServer = expect(serverHandler, FlowEvent.Connected.class);

    InetSocketAddress server = new InetSocketAddress(serverHost.address(), PORT);
    InetSocketAddress client =
        new InetSocketAddress(clientHost.address(), c.client().src().getPort());
    assertEquals(server, atClient.remote());
    assertEquals(client, atClient.local());
    assertEquals(client, atServer.remote());
    assertEquals(server, atServer.local());
    assertEquals(c.client().dst(), atClient.remote());
    assertEquals(c.client().src(), atClient.local());
    assertEquals(c.server().dst(), atServer.remote());
    assertEquals(c.server().src(), atServer.local());
    // plain java.net types, as Pekko IO users hold them: resolved, no host name lookup needed
    assertEquals("10.0.0.3", atClient.remote().getAddress().getHostAddress());
    assertInstanceOf(java.net.Inet4Address.class, atServer.local().getAddress());
  }

  // ------------------------------------------------------------ push mode

  @Test
  @DisplayName("push mode: bytes the peer writes arrive as Received, in order")
  void pushModeDeliversPeerWrites() {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.server(), false, false);
    await(c.client().write(ByteString.fromString("hello, ")));
    await(c.client().write(ByteString.fromString("actor")));
    assertEquals("hello, actor", receiveBytes(handler, 12).utf8String());
    expectNothing(handler);
  }

  @Test
  @DisplayName("push mode: bytes that arrived before Register follow Connected as one Received")
  void pushModeDeliversBytesBufferedBeforeRegister() {
    Connection c = connect();
    await(c.client().writeNodelay(ByteString.fromString("early"))); // acknowledged: it is there
    TestProbe<FlowEvent> handler = register(c.server(), false, false);
    assertEquals(new FlowEvent.Received(ByteString.fromString("early")), next(handler));
  }

  @Test
  @DisplayName(
      "push mode: 1 MiB written by the peer arrives intact (SHA-256 of the Received events)")
  void pushModeMebibyteIntact() throws Exception {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.server(), false, false);
    byte[] data = randomBytes(1 << 20, 7);
    List<CompletableFuture<Done>> writes = new ArrayList<>();
    for (int off = 0; off < data.length; off += 10_000) {
      writes.add(
          c.client()
              .write(ByteString.fromArray(data, off, Math.min(10_000, data.length - off)))
              .toCompletableFuture());
    }
    MessageDigest sha = sha256();
    long total = 0;
    while (total < data.length) {
      ByteString got = expect(handler, FlowEvent.Received.class).data();
      assertFalse(got.isEmpty(), "a Received carries at least one byte");
      update(sha, got);
      total += got.length();
    }
    assertEquals(data.length, total);
    assertArrayEquals(sha256().digest(data), sha.digest());
    await(CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)));
    expectNothing(handler);
  }

  @Test
  @DisplayName("push mode: data before the peer's FIN is Received before PeerClosed")
  void pushModeDataThenPeerClosed() {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.server(), true, false);
    c.client().write(ByteString.fromString("last words"));
    c.client().shutdown(ShutdownMode.WRITE);
    assertEquals("last words", receiveBytes(handler, 10).utf8String());
    assertEquals(FlowEvent.PEER_CLOSED, next(handler));
  }

  // ------------------------------------------------------------ Write / Ack

  @Test
  @DisplayName("Write(data, ack) answers Ack(ack) and the peer reads the data")
  void writeWithAckIsAcknowledged() {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.client(), false, false);
    c.client().ref().tell(new FlowCommand.Write(ByteString.fromString("ping"), "ack-1"));
    assertEquals(new FlowEvent.Ack("ack-1"), next(handler));
    assertEquals("ping", readBytes(c.server(), 4).utf8String());
  }

  @Test
  @DisplayName("Write with a null ack is sent but answers nothing")
  void writeWithoutAckAnswersNothing() {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.client(), false, false);
    c.client().ref().tell(new FlowCommand.Write(ByteString.fromString("quiet"), null));
    assertEquals("quiet", readBytes(c.server(), 5).utf8String());
    expectNothing(handler);
  }

  @Test
  @DisplayName("several Writes: Acks come in order and the peer reads the concatenation")
  void severalWritesAckInOrder() {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.client(), false, false);
    for (int i = 0; i < 5; i++) {
      c.client().ref().tell(new FlowCommand.Write(ByteString.fromString("w" + i + ";"), i));
    }
    for (int i = 0; i < 5; i++) {
      assertEquals(new FlowEvent.Ack(i), next(handler));
    }
    assertEquals("w0;w1;w2;w3;w4;", readBytes(c.server(), 15).utf8String());
  }

  @Test
  @DisplayName("Ack waits until the send buffer took all of the Write (a stalled reader holds it)")
  void ackWaitsForSendBufferRoom() throws Exception {
    Connection c = connect();
    TestProbe<FlowEvent> reader = register(c.server(), false, true); // pull mode, never resumed
    TestProbe<FlowEvent> writer = register(c.client(), false, false);
    // receive buffer + send buffer are 256 KiB each: 768 KiB cannot all be taken
    byte[] data = randomBytes(768 << 10, 11);
    FlowCommand.Write write = new FlowCommand.Write(ByteString.fromArray(data), "all-buffered");
    c.client().ref().tell(write);
    expectNothing(writer);
    MessageDigest sha = sha256();
    long total = pullUntil(reader, c.server(), data.length, sha);
    assertEquals(data.length, total);
    assertArrayEquals(sha256().digest(data), sha.digest());
    assertEquals(new FlowEvent.Ack("all-buffered"), next(writer));
  }

  @Test
  @DisplayName("a Write after Close fails with CommandFailed naming the command and the flow")
  void writeAfterCloseFails() {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.client(), false, false);
    c.client().ref().tell(new FlowCommand.Close());
    FlowCommand.Write early = new FlowCommand.Write(ByteString.fromString("too late"), "never");
    c.client().ref().tell(early); // before or after the FIN is acknowledged: both events come
    List<FlowEvent> events = List.of(next(handler), next(handler));
    assertTrue(events.contains(FlowEvent.CLOSED), events.toString());
    FlowEvent.CommandFailed failed =
        events.stream()
            .filter(FlowEvent.CommandFailed.class::isInstance)
            .map(FlowEvent.CommandFailed.class::cast)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no CommandFailed in " + events));
    assertSame(early, failed.command());
    assertTrue(failed.cause().contains(flowName(c.client())), failed.cause());

    FlowCommand.Write late = new FlowCommand.Write(ByteString.fromString("later"), "never");
    c.client().ref().tell(late); // in FIN_WAIT_2, after Closed
    failed = expect(handler, FlowEvent.CommandFailed.class);
    assertSame(late, failed.command());
    assertTrue(failed.cause().contains(flowName(c.client())), failed.cause());
    assertInstanceOf(ReadResult.Eof.class, await(c.server().read()), "the peer got no data");
  }

  @Test
  @DisplayName("a Write after the connection was aborted fails with CommandFailed")
  void writeAfterAbortFails() {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.client(), false, false);
    c.client().ref().tell(new FlowCommand.Abort());
    assertEquals(FlowEvent.ABORTED, next(handler));
    FlowCommand.Write late = new FlowCommand.Write(ByteString.fromString("x"), "never");
    c.client().ref().tell(late);
    FlowEvent.CommandFailed failed = expect(handler, FlowEvent.CommandFailed.class);
    assertSame(late, failed.command());
    assertTrue(failed.cause().contains(flowName(c.client())), failed.cause());
  }

  // ------------------------------------------------------------ pull mode

  @Test
  @DisplayName("pull mode: nothing is delivered before ResumeReading")
  void pullModeWaitsForResumeReading() {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.server(), false, true);
    await(c.client().writeNodelay(ByteString.fromString("held"))); // acknowledged: it arrived
    expectNothing(handler);
    c.server().ref().tell(new FlowCommand.ResumeReading());
    assertEquals(new FlowEvent.Received(ByteString.fromString("held")), next(handler));
  }

  @Test
  @DisplayName("pull mode: each ResumeReading gives exactly one Received with everything buffered")
  void pullModeOneReceivedPerResume() {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.server(), false, true);
    for (String part : List.of("a", "b", "c")) {
      await(c.client().writeNodelay(ByteString.fromString(part)));
    }
    c.server().ref().tell(new FlowCommand.ResumeReading());
    assertEquals(new FlowEvent.Received(ByteString.fromString("abc")), next(handler));
    expectNothing(handler);

    // resumed with nothing buffered: the next arrival is delivered, and only that one
    c.server().ref().tell(new FlowCommand.ResumeReading());
    expectNothing(handler);
    await(c.client().writeNodelay(ByteString.fromString("d")));
    assertEquals(new FlowEvent.Received(ByteString.fromString("d")), next(handler));
    await(c.client().writeNodelay(ByteString.fromString("e")));
    expectNothing(handler);
    c.server().ref().tell(new FlowCommand.ResumeReading());
    assertEquals(new FlowEvent.Received(ByteString.fromString("e")), next(handler));
  }

  @Test
  @DisplayName(
      "pull mode: a reader that never resumes closes the window; resuming reopens it, data intact")
  void pullModeBackpressureClosesAndReopensWindow() throws Exception {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.server(), false, true);
    byte[] data = randomBytes(1 << 20, 13);
    int chunk = 16 << 10;
    List<CompletableFuture<Done>> writes = new ArrayList<>();
    for (int off = 0; off < data.length; off += chunk) {
      writes.add(c.client().write(ByteString.fromArray(data, off, chunk)).toCompletableFuture());
    }
    sim.awaitCondition(
        () -> c.client().stats().sendWindow() == 0,
        TIMEOUT,
        () -> "sender sees a zero window: " + c.client().stats());
    expectNothing(handler); // nothing delivered, and the sender settles
    long doneBefore = writes.stream().filter(CompletableFuture::isDone).count();
    expectNothing(handler);
    long doneAfter = writes.stream().filter(CompletableFuture::isDone).count();
    assertEquals(doneBefore, doneAfter, "writes kept completing with the window closed");
    assertTrue(doneAfter < writes.size(), "all " + writes.size() + " writes completed");
    assertFalse(writes.get(writes.size() - 1).isDone(), "the last write completed");
    assertEquals(0, c.client().stats().sendWindow());

    MessageDigest sha = sha256();
    long total = pullUntil(handler, c.server(), data.length, sha);
    assertEquals(data.length, total);
    assertArrayEquals(sha256().digest(data), sha.digest());
    await(CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)));
  }

  @Test
  @DisplayName("pull mode: data before the peer's FIN is pulled first, then PeerClosed")
  void pullModeDataThenPeerClosed() {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.server(), true, true);
    await(c.client().writeNodelay(ByteString.fromString("tail")));
    await(c.client().shutdown(ShutdownMode.WRITE));
    awaitState(c.server(), TcpState.CLOSE_WAIT);
    expectNothing(handler); // PeerClosed waits behind the unread data
    c.server().ref().tell(new FlowCommand.ResumeReading());
    assertEquals(new FlowEvent.Received(ByteString.fromString("tail")), next(handler));
    assertEquals(FlowEvent.PEER_CLOSED, next(handler));
  }

  @Test
  @DisplayName(
      "pull mode: Register after the peer's data and FIN arrived — ResumeReading gives data, then PeerClosed")
  void pullModeRegisterAfterDataAndFin() {
    Connection c = connect();
    await(c.client().writeNodelay(ByteString.fromString("before")));
    await(c.client().shutdown(ShutdownMode.WRITE));
    awaitState(c.server(), TcpState.CLOSE_WAIT);
    TestProbe<FlowEvent> handler = register(c.server(), true, true);
    c.server().ref().tell(new FlowCommand.ResumeReading());
    assertEquals(new FlowEvent.Received(ByteString.fromString("before")), next(handler));
    assertEquals(FlowEvent.PEER_CLOSED, next(handler));
  }

  // ------------------------------------------------------------ peer FIN

  @Test
  @DisplayName(
      "peer FIN without keepOpenOnPeerClosed: PeerClosed, and we close too (peer reads Eof, its close completes)")
  void peerClosedClosesOurSide() {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.server(), false, false);
    await(c.client().shutdown(ShutdownMode.WRITE));
    assertEquals(FlowEvent.PEER_CLOSED, next(handler));
    assertInstanceOf(ReadResult.Eof.class, await(c.client().read()));
    await(c.client().close());
  }

  @Test
  @DisplayName(
      "peer FIN without keepOpenOnPeerClosed: PeerClosed is the only closing event (as in Pekko IO)")
  void peerClosedIsTheOnlyClosingEvent() {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.server(), false, false);
    await(c.client().shutdown(ShutdownMode.WRITE));
    assertEquals(FlowEvent.PEER_CLOSED, next(handler));
    await(c.client().close()); // our FIN was acknowledged: the connection is over
    awaitState(c.server(), TcpState.CLOSED);
    // FlowEvent.Closed is documented as the answer to Close, which the handler never sent
    expectNothing(handler);
  }

  @Test
  @DisplayName(
      "pull mode without keepOpenOnPeerClosed: unread data and the peer's FIN wait for ResumeReading, then data, PeerClosed, and only then our FIN (as Pekko IO, which reads the FIN only when resumed)")
  void pullModeUnreadDataAndFinWithoutKeepOpen() {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.server(), false, true);
    await(c.client().writeNodelay(ByteString.fromString("unread")));
    await(c.client().shutdown(ShutdownMode.WRITE));
    expectNothing(handler); // the handler has not pulled the data yet
    awaitState(c.server(), TcpState.CLOSE_WAIT); // and our side waits for it
    c.server().ref().tell(new FlowCommand.ResumeReading());
    assertEquals(new FlowEvent.Received(ByteString.fromString("unread")), next(handler));
    assertEquals(FlowEvent.PEER_CLOSED, next(handler));
    assertInstanceOf(ReadResult.Eof.class, await(c.client().read()), "we closed too");
  }

  @Test
  @DisplayName(
      "pull mode without keepOpenOnPeerClosed: unread data outlasts a slow handler (longer than a closed flow lingers); then our side closes")
  void pullModeUnreadDataOutlivesLinger() {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.server(), false, true);
    await(c.client().writeNodelay(ByteString.fromString("unread")));
    await(c.client().shutdown(ShutdownMode.WRITE));
    awaitState(c.server(), TcpState.CLOSE_WAIT);
    // the handler is slow to pull: longer than a closed flow would linger (FlowTimers.LINGER)
    sim.advance(Duration.ofMillis(2500));
    c.server().ref().tell(new FlowCommand.ResumeReading());
    FlowEvent e = next(handler);
    while (e instanceof FlowEvent.Closed) {
      e = next(handler); // ignored, as before the data
    }
    FlowEvent.Received r = assertInstanceOf(FlowEvent.Received.class, e, "unexpected " + e);
    assertEquals("unread", r.data().utf8String(), "wrong data " + r);
    assertEquals(FlowEvent.PEER_CLOSED, next(handler));
    assertInstanceOf(ReadResult.Eof.class, await(c.client().read()), "we closed after the pull");
  }

  @Test
  @DisplayName(
      "Register after the peer's FIN arrived, without keepOpenOnPeerClosed: PeerClosed and we close too")
  void registerAfterPeerFinClosesOurSide() {
    Connection c = connect();
    await(c.client().shutdown(ShutdownMode.WRITE));
    awaitState(c.server(), TcpState.CLOSE_WAIT);
    TestProbe<FlowEvent> handler = register(c.server(), false, false);
    assertEquals(FlowEvent.PEER_CLOSED, next(handler));
    assertInstanceOf(
        ReadResult.Eof.class,
        await(c.client().read()),
        "our side should have sent FIN after PeerClosed");
  }

  @Test
  @DisplayName(
      "peer FIN with keepOpenOnPeerClosed: we can still Write, the peer reads it, then Close")
  void keepOpenOnPeerClosedAllowsWrites() {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.server(), true, false);
    await(c.client().shutdown(ShutdownMode.WRITE));
    assertEquals(FlowEvent.PEER_CLOSED, next(handler));
    expectNothing(handler); // and our side stays open
    assertEquals(TcpState.CLOSE_WAIT, c.server().stats().state());

    c.server().ref().tell(new FlowCommand.Write(ByteString.fromString("still here"), "late"));
    assertEquals(new FlowEvent.Ack("late"), next(handler));
    assertEquals("still here", readBytes(c.client(), 10).utf8String());

    c.server().ref().tell(new FlowCommand.Close());
    assertEquals(FlowEvent.CLOSED, next(handler));
    assertInstanceOf(ReadResult.Eof.class, await(c.client().read()));
    await(c.client().close());
  }

  // ------------------------------------------------------------ Close / ConfirmedClose / Abort

  @Test
  @DisplayName("Close: Closed once our FIN is acknowledged; the peer reads Eof")
  void closeGivesClosed() {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.client(), false, false);
    c.client().ref().tell(new FlowCommand.Close());
    assertEquals(FlowEvent.CLOSED, next(handler));
    // the FIN reached the peer and was acknowledged: we wait in FIN_WAIT_2 for the peer's
    awaitState(c.server(), TcpState.CLOSE_WAIT);
    awaitState(c.client(), TcpState.FIN_WAIT_2);
    assertInstanceOf(ReadResult.Eof.class, await(c.server().read()));
    expectNothing(handler);
  }

  @Test
  @DisplayName(
      "after Close -> Closed, the peer's later FIN brings no further event (Closed is final, as in Pekko IO)")
  void closedIsFinal() {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.client(), false, false);
    c.client().ref().tell(new FlowCommand.Close());
    assertEquals(FlowEvent.CLOSED, next(handler));
    assertInstanceOf(ReadResult.Eof.class, await(c.server().read()));
    await(c.server().close());
    awaitState(c.client(), TcpState.TIME_WAIT);
    expectNothing(handler);
  }

  @Test
  @DisplayName("Close flushes queued Writes before the FIN: the peer reads all of them, then Eof")
  void closeFlushesWrites() throws Exception {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.client(), false, false);
    byte[] data = randomBytes(300_000, 17); // more than the send buffer takes at once
    c.client().ref().tell(new FlowCommand.Write(ByteString.fromArray(data), "flushed"));
    c.client().ref().tell(new FlowCommand.Close());
    MessageDigest sha = sha256();
    long total = 0;
    while (true) {
      ReadResult r = await(c.server().read());
      if (r instanceof ReadResult.Data d) {
        update(sha, d.data());
        total += d.data().length();
      } else {
        break;
      }
    }
    assertEquals(data.length, total);
    assertArrayEquals(sha256().digest(data), sha.digest());
    assertEquals(new FlowEvent.Ack("flushed"), next(handler));
    assertEquals(FlowEvent.CLOSED, next(handler));
  }

  @Test
  @DisplayName("ConfirmedClose: ConfirmedClosed only after the peer closed too")
  void confirmedCloseWaitsForPeer() {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.client(), false, false);
    c.client().ref().tell(new FlowCommand.ConfirmedClose());
    assertInstanceOf(ReadResult.Eof.class, await(c.server().read()));
    awaitState(c.client(), TcpState.FIN_WAIT_2);
    expectNothing(handler); // our FIN is acknowledged, the peer's is not sent
    CompletableFuture<Done> peerClose = c.server().close().toCompletableFuture();
    FlowEvent e = next(handler);
    while (e instanceof FlowEvent.PeerClosed) {
      e = next(handler); // ignored on the way to ConfirmedClosed
    }
    assertInstanceOf(FlowEvent.ConfirmedClosed.class, e, "unexpected " + e);
    await(peerClose);
  }

  @Test
  @DisplayName(
      "ConfirmedClose: the peer's FIN yields ConfirmedClosed alone, not PeerClosed first (as in Pekko IO)")
  void confirmedCloseEndsWithConfirmedClosedOnly() {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.client(), false, false);
    c.client().ref().tell(new FlowCommand.ConfirmedClose());
    assertInstanceOf(ReadResult.Eof.class, await(c.server().read()));
    await(c.server().close());
    assertEquals(FlowEvent.CONFIRMED_CLOSED, next(handler));
    expectNothing(handler);
  }

  @Test
  @DisplayName(
      "ConfirmedClose after PeerClosed (keepOpenOnPeerClosed): ConfirmedClosed once our FIN is acknowledged")
  void confirmedCloseAfterPeerClosed() {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.server(), true, false);
    CompletableFuture<Done> clientClose = c.client().close().toCompletableFuture();
    assertEquals(FlowEvent.PEER_CLOSED, next(handler));
    c.server().ref().tell(new FlowCommand.ConfirmedClose());
    assertEquals(FlowEvent.CONFIRMED_CLOSED, next(handler));
    await(clientClose);
  }

  @Test
  @DisplayName(
      "Abort: Aborted, and the peer's read fails with ConnectionResetException naming its flow")
  void abortResetsPeer() {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.client(), false, false);
    CompletableFuture<ReadResult> peerRead = c.server().read().toCompletableFuture();
    c.client().ref().tell(new FlowCommand.Abort());
    assertEquals(FlowEvent.ABORTED, next(handler));
    Throwable t = failureOf(peerRead);
    assertInstanceOf(ConnectionResetException.class, t);
    assertTrue(t.getMessage().contains(flowName(c.server())), t.getMessage());
    expectNothing(handler);
  }

  @Test
  @DisplayName("the peer aborting: ErrorClosed whose cause names the flow and says reset")
  void peerAbortGivesErrorClosed() {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.server(), false, false);
    c.client().abort();
    FlowEvent.ErrorClosed closed = expect(handler, FlowEvent.ErrorClosed.class);
    assertTrue(closed.cause().contains("reset"), closed.cause());
    assertTrue(closed.cause().contains(flowName(c.server())), closed.cause());
    expectNothing(handler);
  }

  // ------------------------------------------------------------ mixing both APIs

  @Test
  @DisplayName("TcpFlow.write and Write commands on one flow keep their order at the receiver")
  void completionStageAndActorWritesKeepOrder() {
    Connection c = connect();
    TestProbe<FlowEvent> handler = register(c.client(), false, false);
    CompletableFuture<Done> first =
        c.client().write(ByteString.fromString("one,")).toCompletableFuture();
    c.client().ref().tell(new FlowCommand.Write(ByteString.fromString("two,"), "two"));
    CompletableFuture<Done> third =
        c.client().write(ByteString.fromString("three")).toCompletableFuture();
    c.client().ref().tell(new FlowCommand.Write(ByteString.fromString("!"), "four"));
    assertEquals("one,two,three!", readBytes(c.server(), 14).utf8String());
    assertEquals(new FlowEvent.Ack("two"), next(handler));
    assertEquals(new FlowEvent.Ack("four"), next(handler));
    await(first);
    await(third);
  }

  @Test
  @DisplayName(
      "a registered handler and TcpFlow.close coexist: close completes, the handler hears PeerClosed")
  void closeFromStageApiWithHandlerRegistered() {
    Connection c = connect();
    TestProbe<FlowEvent> serverHandler = register(c.server(), false, false);
    await(c.client().write(ByteString.fromString("bye")));
    await(c.client().close());
    assertEquals("bye", receiveBytes(serverHandler, 3).utf8String());
    assertEquals(FlowEvent.PEER_CLOSED, next(serverHandler));
  }

  // ------------------------------------------------------------ helpers

  Connection connect() {
    CompletableFuture<TcpFlow> accepted = new CompletableFuture<>();
    serverHost
        .tcp()
        .listen(
            PORT,
            flow -> {
              accepted.complete(flow);
              return CompletableFuture.completedFuture(null);
            });
    TcpFlow client =
        await(clientHost.tcp().createConnection(new InetSocketAddress(serverHost.address(), PORT)));
    return new Connection(client, await(accepted));
  }

  TestProbe<FlowEvent> register(TcpFlow flow, boolean keepOpenOnPeerClosed, boolean pullMode) {
    TestProbe<FlowEvent> handler = sim.testKit().createTestProbe(FlowEvent.class);
    flow.ref().tell(new FlowCommand.Register(handler.ref(), keepOpenOnPeerClosed, pullMode));
    expect(handler, FlowEvent.Connected.class);
    return handler;
  }

  /** Concatenates Received events until {@code n} bytes came; fails on any other event. */
  ByteString receiveBytes(TestProbe<FlowEvent> handler, int n) {
    ByteString all = ByteString.emptyByteString();
    while (all.length() < n) {
      all = all.concat(expect(handler, FlowEvent.Received.class).data());
    }
    assertEquals(n, all.length(), "received more than was written: " + all.utf8String());
    return all;
  }

  /** Reads through the CompletionStage API until {@code n} bytes came. */
  ByteString readBytes(TcpFlow flow, int n) {
    ByteString all = ByteString.emptyByteString();
    while (all.length() < n) {
      ReadResult r = await(flow.read());
      if (!(r instanceof ReadResult.Data d)) {
        throw new AssertionError("Eof after " + all.length() + " of " + n + " bytes");
      }
      all = all.concat(d.data());
    }
    assertEquals(n, all.length());
    return all;
  }

  /** Pull mode: one ResumeReading per Received until {@code n} bytes came, hashing them. */
  long pullUntil(TestProbe<FlowEvent> handler, TcpFlow flow, int n, MessageDigest sha) {
    long total = 0;
    while (total < n) {
      flow.ref().tell(new FlowCommand.ResumeReading());
      ByteString got = expect(handler, FlowEvent.Received.class).data();
      assertFalse(got.isEmpty());
      update(sha, got);
      total += got.length();
    }
    return total;
  }

  void awaitState(TcpFlow flow, TcpState state) {
    sim.awaitCondition(
        () -> flow.stats().state() == state, TIMEOUT, () -> state + " expected: " + flow);
  }

  static String flowName(TcpFlow flow) {
    return flow.src().getAddress().getHostAddress()
        + ":"
        + flow.src().getPort()
        + " -> "
        + flow.dst().getAddress().getHostAddress()
        + ":"
        + flow.dst().getPort();
  }

  static Ipv4Address address(Stack stack) {
    return Ipv4Address.fromInet(stack.address());
  }

  static byte[] randomBytes(int n, long seed) {
    byte[] data = new byte[n];
    new SplittableRandom(seed).nextBytes(data);
    return data;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static void update(MessageDigest sha, ByteString data) {
    for (ByteBuffer b : data.getByteBuffers()) {
      sha.update(b);
    }
  }
}
