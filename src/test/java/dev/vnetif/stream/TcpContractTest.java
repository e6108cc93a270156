package dev.vnetif.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.vnetif.testsupport.AllowErrorLogs;
import dev.vnetif.time.VirtualTime;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BindFailedException;
import org.apache.pekko.stream.StreamTcpException;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.stream.scaladsl.TcpIdleTimeoutException;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pekko Streams TCP's contract, one test body per behaviour, run on Pekko's own {@code Tcp} over
 * 127.0.0.1 (real time), on {@link VirtualTcp} between two virtual hosts in virtual time, and on
 * {@code VirtualTcp} once more in real time. The cases are those of Pekko's {@code TcpSpec} and
 * {@code TcpTest}, rewritten against {@link ContractTransport}: the same steps, the same bytes, the
 * same exception types and, where the contract names them, messages. A peer that is not a stream
 * ({@link Peer}: a blocking socket, or a virtual {@code TcpFlow}) shows what went on the wire:
 * data, FIN or RST. What one transport shows and the other does not is a difference in {@code
 * VirtualTcp} to fix, not a case to weaken. {@code -Dcontract.only=Pekko} (or "virtual time") runs
 * the transports whose name has that text.
 *
 * <p>For a connect timeout, the real side connects to a listener whose accept queue is full: Linux
 * then drops the SYN. On a machine that answers instead, that case is skipped there (an assumption
 * says why).
 *
 * <p>Where Pekko's {@code Tcp} 1.7.0 does other than its documentation says, or says nothing of
 * what it does (each case pins what it does, and {@code VirtualTcp} does the same unless noted):
 *
 * <ul>
 *   <li>A full-closing client ({@code halfClose = false}) whose upstream completes before it is
 *       connected fails with a {@code NullPointerException} (logged at ERROR) instead of closing
 *       the connection: apache/pekko#3255, fixed after 1.7. {@code VirtualTcp} closes it.
 *   <li>An upstream failure does not reach downstream: the connection is aborted and downstream
 *       fails with {@code StreamTcpException("The connection has been aborted")}, the cause lost.
 *   <li>The connect timeout's {@code ConnectException} reads "Connect timeout of Some(1 second)
 *       expired" (a Scala {@code Option} printed into the message).
 *   <li>The idle timeout counts from materialization, not from the connection's establishment, and
 *       fires up to an eighth of the timeout (at least 100 ms) late: it is checked on a tick.
 *   <li>A failed bind is logged at ERROR by Pekko IO's listener besides failing the stream.
 *   <li>A closing connection is a socket's {@code close()}: data it had not read, or that comes
 *       after, is answered with RST, so a peer still writing sees a reset, not an end of stream.
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TcpContractTest {
  private static final ByteString DATA = ByteString.fromArray(new byte[] {1, 2, 3, 4, 5});

  /**
   * Pekko IO's register timeout (5 s by default), which both transports honour, shortened so that
   * the case of an accepted connection never run waits 1 s, not 5.
   */
  private static final Config CONFIG =
      ConfigFactory.parseString("pekko.io.tcp.register-timeout = 1s")
          .withFallback(ConfigFactory.load("application-test"));

  private final ActorTestKit realTime = ActorTestKit.create("tcp-contract-real", CONFIG);
  private final ActorTestKit virtualTime =
      ActorTestKit.create("tcp-contract-virtual", VirtualTime.config().withFallback(CONFIG));

  @AfterAll
  void stopSystems() {
    realTime.shutdownTestKit();
    virtualTime.shutdownTestKit();
  }

  /** Opened one at a time, as each invocation starts; JUnit closes each after its invocation. */
  Stream<ContractTransport> transports() {
    return Stream.<Supplier<ContractTransport>>of(
            () -> new PekkoTcpTransport(realTime.system()),
            () -> new VirtualTcpTransport(virtualTime.system()),
            () -> new VirtualTcpTransport(realTime.system()))
        .map(Supplier::get)
        .filter(t -> keep(t, System.getProperty("contract.only", "")));
  }

  private static boolean keep(ContractTransport t, String only) {
    if (only.isEmpty() || t.toString().contains(only)) {
      return true;
    }
    t.close();
    return false;
  }

  private static ByteString bytes(String text) {
    return ByteString.fromString(text);
  }

  /** 0, 1, ..., 255 as 256 one-byte ByteStrings: chunk boundaries that TCP does not keep. */
  private static List<ByteString> singleBytes() {
    List<ByteString> singles = new ArrayList<>();
    for (int i = 0; i <= 255; i++) {
      singles.add(ByteString.fromArray(new byte[] {(byte) i}));
    }
    return singles;
  }

  private static ByteString allBytes() {
    byte[] all = new byte[256];
    for (int i = 0; i <= 255; i++) {
      all[i] = (byte) i;
    }
    return ByteString.fromArray(all);
  }

  private static CompletionStage<ByteString> concatenated(
      Source<ByteString, ?> source, ContractTransport t) {
    return source.runFold(ByteString.emptyByteString(), ByteString::concat, t.system());
  }

  private static Tcp.ServerBinding echoServer(ContractTransport t, int port) {
    return t.await(
        t.bind(port)
            .to(Sink.foreach(c -> c.handleWith(Flow.<ByteString>create(), t.system())))
            .run(t.system()));
  }

  // ------------------------------------------------------------------ outgoing connections

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void happyCaseCarriesBytesBothWays(ContractTransport t) {
    PeerServer server = t.peerServer();
    ClientStream client = ClientStream.run(t, t.outgoingConnection(server.address().getPort()));
    Peer peer = server.accept();

    peer.write(DATA);
    client.expect(DATA);
    client.write(DATA);
    peer.expect(DATA);

    Tcp.OutgoingConnection connection = t.await(client.connection());
    assertEquals(server.address(), connection.remoteAddress());
    assertEquals(peer.remoteAddress(), connection.localAddress());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void writesASequenceOfByteStrings(ContractTransport t) {
    PeerServer server = t.peerServer();
    Source.from(singleBytes())
        .via(t.outgoingConnection(server.address().getPort()))
        .to(Sink.ignore())
        .run(t.system());
    Peer peer = server.accept();
    peer.expect(allBytes());
    peer.expectEof(); // the source completed: half-close sends FIN
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void readsASequenceOfByteStrings(ContractTransport t) {
    PeerServer server = t.peerServer();
    Pair<CompletableFuture<Optional<ByteString>>, CompletionStage<ByteString>> running =
        Source.<ByteString>maybe()
            .via(t.outgoingConnection(server.address().getPort()))
            .toMat(Sink.fold(ByteString.emptyByteString(), ByteString::concat), Keep.both())
            .run(t.system());
    Peer peer = server.accept();
    singleBytes().forEach(peer::write);
    peer.closeWrite();
    // The read side completes on the peer's FIN while the write side is still open.
    assertEquals(allBytes(), t.await(running.second()));
    running.first().complete(Optional.empty());
    peer.expectEof();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void clientClosesWriteThenRemoteClosesWrite(ContractTransport t) {
    PeerServer server = t.peerServer();
    ClientStream client = ClientStream.run(t, t.outgoingConnection(server.address().getPort()));
    Peer peer = server.accept();

    client.write(DATA);
    peer.expect(DATA);
    client.completeWriting();
    peer.expectEof();
    // Half-closed: the client still reads.
    peer.write(DATA);
    client.expect(DATA);
    peer.closeWrite();
    client.expectComplete();
    peer.expectEof(); // both FINs, and no RST after them
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void remoteClosesWriteThenClientClosesWrite(ContractTransport t) {
    PeerServer server = t.peerServer();
    ClientStream client = ClientStream.run(t, t.outgoingConnection(server.address().getPort()));
    Peer peer = server.accept();

    peer.write(DATA);
    client.expect(DATA);
    peer.closeWrite();
    client.expectComplete();
    // The peer's FIN closes only the read side: the client still writes.
    client.write(DATA);
    peer.expect(DATA);
    client.completeWriting();
    peer.expectEof();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void clientClosesReadThenClientClosesWrite(ContractTransport t) {
    PeerServer server = t.peerServer();
    ClientStream client = ClientStream.run(t, t.outgoingConnection(server.address().getPort()));
    Peer peer = server.accept();

    peer.write(DATA);
    client.expect(DATA);
    client.cancelReading();
    client.write(DATA);
    peer.expect(DATA);
    // Upstream completes with reading already cancelled: Close, the socket's close(). FIN, and
    // what the peer sends after it is answered with RST.
    client.completeWriting();
    peer.expectEof();
    peer.expectReset(DATA);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void clientClosesWriteThenClientClosesRead(ContractTransport t) {
    PeerServer server = t.peerServer();
    ClientStream client = ClientStream.run(t, t.outgoingConnection(server.address().getPort()));
    Peer peer = server.accept();

    client.write(DATA);
    peer.expect(DATA);
    client.completeWriting();
    peer.expectEof();
    peer.write(DATA);
    client.expect(DATA);
    // Nothing more to write and now nothing more to read: Close, and the peer's next data is reset.
    client.cancelReading();
    peer.expectReset(DATA);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void clientClosesReadThenServerClosesWriteThenClientClosesWrite(ContractTransport t) {
    PeerServer server = t.peerServer();
    ClientStream client = ClientStream.run(t, t.outgoingConnection(server.address().getPort()));
    Peer peer = server.accept();

    peer.write(DATA);
    client.expect(DATA);
    client.cancelReading();
    client.write(DATA);
    peer.expect(DATA);
    peer.closeWrite();
    client.completeWriting();
    peer.expectEof(); // a clean close: both FINs, no RST
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void upstreamErrorAbortsTheConnection(ContractTransport t) {
    PeerServer server = t.peerServer();
    ClientStream client = ClientStream.run(t, t.outgoingConnection(server.address().getPort()));
    Peer peer = server.accept();

    peer.write(DATA);
    client.expect(DATA);
    client.write(DATA);
    peer.expect(DATA);
    client.failWriting(new IllegalStateException("test"));

    Throwable downstream = client.expectError();
    assertSame(StreamTcpException.class, downstream.getClass(), downstream.toString());
    assertEquals("The connection has been aborted", downstream.getMessage());
    peer.expectReset(DATA);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void upstreamErrorAfterTheRemoteClosedWriteAbortsTheConnection(ContractTransport t) {
    PeerServer server = t.peerServer();
    ClientStream client = ClientStream.run(t, t.outgoingConnection(server.address().getPort()));
    Peer peer = server.accept();

    peer.write(DATA);
    client.expect(DATA);
    peer.closeWrite();
    client.expectComplete();
    client.write(DATA);
    peer.expect(DATA);
    client.failWriting(new IllegalStateException("test"));
    peer.expectReset(DATA);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void remoteAbortFailsDownstreamAndCancelsUpstream(ContractTransport t) {
    PeerServer server = t.peerServer();
    ClientStream client = ClientStream.run(t, t.outgoingConnection(server.address().getPort()));
    Peer peer = server.accept();
    t.await(client.connection());

    peer.abort();
    assertInstanceOf(StreamTcpException.class, client.expectError());
    client.expectWriterCancelled();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void oneOutgoingFlowMaterializesIntoSeparateConnections(ContractTransport t) {
    PeerServer server = t.peerServer();
    Flow<ByteString, ByteString, CompletionStage<Tcp.OutgoingConnection>> flow =
        t.outgoingConnection(server.address().getPort());
    ClientStream first = ClientStream.run(t, flow);
    Peer firstPeer = server.accept();
    ClientStream second = ClientStream.run(t, flow);
    Peer secondPeer = server.accept();

    for (Pair<ClientStream, Peer> pair :
        List.of(Pair.create(first, firstPeer), Pair.create(second, secondPeer))) {
      pair.second().write(DATA);
      pair.first().expect(DATA);
      pair.first().write(DATA);
      pair.second().expect(DATA);
    }
    Tcp.OutgoingConnection one = t.await(first.connection());
    Tcp.OutgoingConnection two = t.await(second.connection());
    assertEquals(server.address().getPort(), one.remoteAddress().getPort());
    assertEquals(server.address().getPort(), two.remoteAddress().getPort());
    assertNotEquals(one.localAddress().getPort(), two.localAddress().getPort());
  }

  // ------------------------------------------------------------------ half-close and full close

  /** TcpSpec "properly half-close by default": the client's FIN does not end its reading. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void aClientHalfClosesByDefault(ContractTransport t) {
    Flow<ByteString, ByteString, NotUsed> writeButDoNotRead =
        Flow.fromSinkAndSource(Sink.cancelled(), Source.single(bytes("Early response")));
    Tcp.ServerBinding binding =
        t.await(
            t.bind(0, VirtualTcp.DEFAULT_BACKLOG, true, Optional.empty())
                .to(Sink.foreach(c -> c.flow().join(writeButDoNotRead).run(t.system())))
                .run(t.system()));

    CompletionStage<ByteString> response =
        concatenated(
            Source.<ByteString>empty().via(t.outgoingConnection(binding.localAddress().getPort())),
            t);
    assertEquals(bytes("Early response"), t.await(response));
    t.await(binding.unbind());
  }

  /** TcpSpec "properly full-close if requested": the server's completion closes both ways. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void aFullClosingServerEndsTheConnectionWhenItsWriterCompletes(ContractTransport t) {
    Flow<ByteString, ByteString, NotUsed> writeButIgnoreRead =
        Flow.fromSinkAndSource(Sink.ignore(), Source.single(bytes("Early response")));
    Tcp.ServerBinding binding =
        t.await(
            t.bind(0, VirtualTcp.DEFAULT_BACKLOG, false, Optional.empty())
                .to(Sink.foreach(c -> c.flow().join(writeButIgnoreRead).run(t.system())))
                .run(t.system()));

    Pair<CompletableFuture<Optional<ByteString>>, CompletionStage<ByteString>> running =
        Source.<ByteString>maybe()
            .via(t.outgoingConnection(binding.localAddress().getPort()))
            .toMat(Sink.fold(ByteString.emptyByteString(), ByteString::concat), Keep.both())
            .run(t.system());
    // The client never completes its side, yet its read side ends: the server closed fully.
    assertEquals(bytes("Early response"), t.await(running.second()));
    running.first().complete(Optional.empty());
    t.await(binding.unbind());
  }

  /**
   * The default server closes fully: once its writer completes, its reader completes too, while the
   * client is still open. A half-closing server's reader goes on until the client's FIN.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void aServerClosesFullyByDefaultAndHalfClosesOnRequest(ContractTransport t) {
    for (boolean halfClose : new boolean[] {false, true}) {
      Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> bind =
          halfClose ? t.bind(0, VirtualTcp.DEFAULT_BACKLOG, true, Optional.empty()) : t.bind(0);
      CompletableFuture<CompletionStage<ByteString>> serverRead = new CompletableFuture<>();
      Tcp.ServerBinding binding =
          t.await(
              bind.to(Sink.foreach(c -> serverRead.complete(answerTheRequest(c, t))))
                  .run(t.system()));

      ClientStream client =
          ClientStream.run(t, t.outgoingConnection(binding.localAddress().getPort()));
      client.write(bytes("request"));
      client.expect(bytes("response"));
      client.expectComplete(); // the server's FIN, either way
      CompletionStage<ByteString> read = t.await(serverRead);
      if (halfClose) {
        t.assertPendingFor(read, Duration.ofMillis(300));
        client.write(bytes(" and more"));
        client.completeWriting();
        assertEquals(bytes("request and more"), t.await(read));
      } else {
        assertEquals(bytes("request"), t.await(read));
      }
      t.await(binding.unbind());
    }
  }

  /**
   * Serves {@code connection} with "response" once something arrived, then completes its writer;
   * the stage completes with everything the server read.
   */
  private static CompletionStage<ByteString> answerTheRequest(
      Tcp.IncomingConnection connection, ContractTransport t) {
    CompletableFuture<ByteString> request = new CompletableFuture<>();
    return connection
        .flow()
        .joinMat(
            Flow.fromSinkAndSourceMat(
                Flow.<ByteString>create()
                    .wireTap(request::complete)
                    .toMat(
                        Sink.fold(ByteString.emptyByteString(), ByteString::concat), Keep.right()),
                Source.completionStage(request.thenApply(r -> bytes("response"))),
                Keep.left()),
            Keep.right())
        .run(t.system());
  }

  /** TcpSpec #3255: a full-closing client whose upstream completes before it is connected. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @AllowErrorLogs("Pekko 1.7.0's stage fails there with a NullPointerException, logged at ERROR")
  void aFullClosingClientWithAnEmptyUpstreamCompletes(ContractTransport t) {
    Tcp.ServerBinding binding = echoServer(t, 0);
    CompletionStage<Done> done =
        Source.<ByteString>empty()
            .via(
                t.outgoingConnection(
                    t.address(binding.localAddress().getPort()),
                    false,
                    Optional.empty(),
                    Optional.empty()))
            .runWith(Sink.ignore(), t.system());
    if (t instanceof PekkoTcpTransport) {
      // Pekko 1.7.0 still has the bug (fixed after it, in apache/pekko#3255): the close goes to a
      // connection not made yet. Pinned, so that the upgrade that fixes it shows here.
      assertInstanceOf(NullPointerException.class, t.failure(done));
    } else {
      assertEquals(Done.getInstance(), t.await(done));
    }
    t.await(binding.unbind());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void echoWorksWithAFullClosingServer(ContractTransport t) {
    Tcp.ServerBinding binding = echoServer(t, 0);
    CompletionStage<Integer> echoed =
        Source.from(Collections.nCopies(1000, ByteString.fromArray(new byte[] {0})))
            .via(
                t.outgoingConnection(
                    t.address(binding.localAddress().getPort()),
                    true,
                    Optional.empty(),
                    Optional.empty()))
            .runFold(0, (n, b) -> n + b.size(), t.system());
    assertEquals(1000, t.await(echoed));
    t.await(binding.unbind());
  }

  // ------------------------------------------------------------------ the listen side

  /** TcpTest mustWorkInHappyCase, with TcpSpec's chain of echoes and whenUnbound. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void anEchoServerAnswersAChainOfConnectionsAndUnbinds(ContractTransport t) {
    Pair<CompletionStage<Tcp.ServerBinding>, CompletionStage<Done>> running =
        t.bind(0)
            .toMat(
                Sink.foreach(c -> c.handleWith(Flow.<ByteString>create(), t.system())), Keep.both())
            .run(t.system());
    Tcp.ServerBinding binding = t.await(running.first());
    int port = binding.localAddress().getPort();
    assertEquals(t.address(port), binding.localAddress());

    List<ByteString> letters = new ArrayList<>();
    for (char c = 'a'; c <= 'z'; c++) {
      letters.add(bytes(String.valueOf(c)));
    }
    assertEquals(
        bytes("abcdefghijklmnopqrstuvwxyz"),
        t.await(concatenated(Source.from(letters).via(t.outgoingConnection(port)), t)));

    Flow<ByteString, ByteString, CompletionStage<Tcp.OutgoingConnection>> echo =
        t.outgoingConnection(port); // reusable: each via is a connection of its own
    assertEquals(
        allBytes(),
        t.await(
            concatenated(Source.from(singleBytes()).via(echo).via(echo).via(echo).via(echo), t)));

    assertFalse(binding.whenUnbound().toCompletableFuture().isDone(), "unbound too early");
    t.await(binding.unbind());
    assertEquals(Done.getInstance(), t.await(running.second()));
    assertEquals(Done.getInstance(), t.await(binding.whenUnbound()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @AllowErrorLogs("Pekko IO's TcpListener logs every failed bind at ERROR")
  void bindUnbindAndRebind(ContractTransport t) {
    Pair<CompletionStage<Tcp.ServerBinding>, CompletionStage<Done>> first =
        t.bind(0).toMat(Sink.ignore(), Keep.both()).run(t.system());
    Tcp.ServerBinding binding = t.await(first.first());
    int port = binding.localAddress().getPort();

    // The port is taken: the binding and the source fail with one BindFailedException.
    for (int attempt = 0; attempt < 2; attempt++) {
      Pair<CompletionStage<Tcp.ServerBinding>, CompletionStage<Done>> taken =
          t.bind(port).toMat(Sink.ignore(), Keep.both()).run(t.system());
      Throwable failed = t.failure(taken.first());
      assertInstanceOf(BindFailedException.class, failed);
      assertSame(failed, t.failure(taken.second()));
    }
    t.awaitBindFailuresLogged(2);

    t.await(binding.unbind());
    assertEquals(Done.getInstance(), t.await(first.second()));
    assertEquals(Done.getInstance(), t.await(binding.whenUnbound()));

    Tcp.ServerBinding again = t.await(t.bind(port).to(Sink.ignore()).run(t.system()));
    assertEquals(port, again.localAddress().getPort());
    t.await(again.unbind());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @AllowErrorLogs("Pekko IO's TcpListener logs every failed bind at ERROR")
  void aBindFailureNamesHostAndPort(ContractTransport t) {
    Tcp.ServerBinding binding = t.await(t.bind(0).to(Sink.ignore()).run(t.system()));
    int port = binding.localAddress().getPort();

    Throwable failed = t.failure(t.bind(port).to(Sink.ignore()).run(t.system()));
    assertInstanceOf(BindFailedException.class, failed);
    assertTrue(
        failed.getMessage().contains(t.host() + ":" + port),
        "the message names " + t.host() + ":" + port + ": " + failed.getMessage());
    t.awaitBindFailuresLogged(1);
    t.await(binding.unbind());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void connectionsSurviveTheListenSourceBeingCancelled(ContractTransport t) {
    CompletableFuture<Tcp.IncomingConnection> accepted = new CompletableFuture<>();
    Tcp.ServerBinding binding =
        t.await(
            t.bind(0)
                .take(1) // one connection, then the source is cancelled: the port closes
                .to(Sink.foreach(accepted::complete))
                .run(t.system()));
    int port = binding.localAddress().getPort();

    CompletionStage<Integer> total =
        Source.from(Collections.nCopies(100, ByteString.fromArray(new byte[] {0})))
            .via(t.outgoingConnection(port))
            .runFold(0, (n, b) -> n + b.size(), t.system());
    Tcp.IncomingConnection connection = t.await(accepted);
    assertEquals(Done.getInstance(), t.await(binding.whenUnbound()));

    // Nothing listens any more...
    Throwable refused =
        t.failure(
            Source.<ByteString>maybe()
                .viaMat(t.outgoingConnection(port), Keep.right())
                .to(Sink.ignore())
                .run(t.system()));
    assertInstanceOf(StreamTcpException.class, refused);
    // ...and the connection accepted before is served all the same.
    connection.handleWith(Flow.<ByteString>create(), t.system());
    assertEquals(100, t.await(total));
  }

  /** TcpSpec "handle single connection when connection flow is immediately cancelled". */
  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void aConnectionOutlivesItsImmediatelyCancelledSource(ContractTransport t) {
    Pair<CompletionStage<Tcp.ServerBinding>, CompletionStage<Tcp.IncomingConnection>> running =
        t.bind(0).toMat(Sink.head(), Keep.both()).run(t.system());
    Tcp.ServerBinding binding = t.await(running.first());
    // On the system's dispatcher: Pekko's stage is Scala's adapter, whose thenApply would run on
    // the common pool, outside the simulation in virtual time.
    CompletionStage<NotUsed> served =
        running
            .second()
            .thenApplyAsync(
                c -> c.handleWith(Flow.<ByteString>create(), t.system()),
                t.system().executionContext());

    CompletionStage<ByteString> echoed =
        Source.single(bytes("test"))
            .via(t.outgoingConnection(binding.localAddress().getPort()))
            .runWith(Sink.head(), t.system());
    t.await(served);
    assertEquals(bytes("test"), t.await(echoed));
    assertEquals(Done.getInstance(), t.await(binding.whenUnbound()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void anIncomingConnectionsFlowMaterializesOnlyOnce(ContractTransport t) {
    Pair<CompletionStage<Tcp.ServerBinding>, CompletionStage<Tcp.IncomingConnection>> running =
        t.bind(0).toMat(Sink.head(), Keep.both()).run(t.system());
    Tcp.ServerBinding binding = t.await(running.first());
    CompletionStage<ByteString> echoed =
        Source.single(bytes("once"))
            .via(t.outgoingConnection(binding.localAddress().getPort()))
            .runWith(Sink.head(), t.system());
    Tcp.IncomingConnection connection = t.await(running.second());
    connection.handleWith(Flow.<ByteString>create(), t.system());

    IllegalStateException twice =
        assertThrows(
            IllegalStateException.class,
            () -> connection.handleWith(Flow.<ByteString>create(), t.system()));
    assertEquals("Cannot materialize an incoming connection Flow twice.", twice.getMessage());
    assertEquals(bytes("once"), t.await(echoed));
  }

  /** TcpSpec "shut down properly even if some accepted connection Flows have not been run". */
  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void anAcceptedConnectionNeverRunIsClosedAfterTheRegisterTimeout(ContractTransport t) {
    CompletableFuture<Tcp.IncomingConnection> ignored = new CompletableFuture<>();
    Tcp.ServerBinding binding =
        t.await(t.bind(0).to(Sink.foreach(ignored::complete)).run(t.system()));
    Duration start = t.now();
    CompletionStage<List<ByteString>> rejected =
        Source.single(bytes("unheard"))
            .via(t.outgoingConnection(binding.localAddress().getPort()))
            .runWith(Sink.seq(), t.system());
    t.await(ignored);
    // Its data unread, the connection's close is a RST.
    assertInstanceOf(StreamTcpException.class, t.failure(rejected));
    assertTrue(
        t.now().minus(start).compareTo(Duration.ofSeconds(1)) >= 0,
        "closed before pekko.io.tcp.register-timeout (1 s): " + t.now().minus(start));
    t.await(binding.unbind());
  }

  // ------------------------------------------------------------------ failures and timeouts

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void aRefusedConnectionFailsWithAStreamTcpExceptionCausedByConnectException(ContractTransport t) {
    Pair<CompletionStage<Tcp.OutgoingConnection>, CompletionStage<Done>> running =
        Source.<ByteString>maybe()
            .viaMat(t.outgoingConnection(t.unusedPort()), Keep.right())
            .toMat(Sink.ignore(), Keep.both())
            .run(t.system());
    Throwable refused = t.failure(running.first());
    assertInstanceOf(StreamTcpException.class, refused);
    assertInstanceOf(ConnectException.class, refused.getCause(), refused.toString());
    assertSame(refused, t.failure(running.second()));
  }

  /**
   * TcpSpec "provide full exceptions when connection attempt fails because name cannot be
   * resolved": a name under .invalid (RFC 6761), which no resolver knows and the virtual network
   * does not look up at all.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void anUnresolvableHostFailsWithAStreamTcpExceptionCausedByUnknownHostException(
      ContractTransport t) {
    Pair<CompletionStage<Tcp.OutgoingConnection>, CompletionStage<Done>> running =
        Source.<ByteString>maybe()
            .viaMat(
                t.outgoingConnection(
                    InetSocketAddress.createUnresolved("vnetif-contract.invalid", 80),
                    true,
                    Optional.empty(),
                    Optional.empty()),
                Keep.right())
            .toMat(Sink.ignore(), Keep.both())
            .run(t.system());
    Throwable unresolved = t.failure(running.first());
    assertInstanceOf(StreamTcpException.class, unresolved);
    assertInstanceOf(UnknownHostException.class, unresolved.getCause(), unresolved.toString());
    assertSame(unresolved, t.failure(running.second()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void aConnectTimeoutFailsWithAStreamTcpExceptionCausedByConnectException(ContractTransport t) {
    InetSocketAddress silent = t.silentAddress();
    Duration start = t.now();
    CompletionStage<Tcp.OutgoingConnection> connection =
        Source.<ByteString>maybe()
            .viaMat(
                t.outgoingConnection(
                    silent, true, Optional.of(Duration.ofSeconds(1)), Optional.empty()),
                Keep.right())
            .to(Sink.ignore())
            .run(t.system());
    Throwable timedOut = t.failure(connection);
    assertInstanceOf(StreamTcpException.class, timedOut);
    assertInstanceOf(ConnectException.class, timedOut.getCause(), timedOut.toString());
    assertEquals("Connect timeout of Some(1 second) expired", timedOut.getCause().getMessage());
    assertFiredAfter(t, start, Duration.ofSeconds(1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void anIdleClientConnectionFailsWithTcpIdleTimeoutException(ContractTransport t) {
    PeerServer server = t.peerServer();
    Duration start = t.now();
    CompletionStage<Done> done =
        Source.<ByteString>maybe()
            .via(
                t.outgoingConnection(
                    server.address(), true, Optional.empty(), Optional.of(Duration.ofSeconds(1))))
            .runWith(Sink.ignore(), t.system());
    Peer peer = server.accept();

    Throwable idle = t.failure(done);
    assertInstanceOf(TcpIdleTimeoutException.class, idle);
    assertInstanceOf(TimeoutException.class, idle);
    assertEquals(
        "TCP idle-timeout encountered on connection to ["
            + server.address()
            + "], no bytes passed in the last 1 second",
        idle.getMessage());
    assertFiredAfter(t, start, Duration.ofSeconds(1));
    peer.expectReset(DATA); // the timeout aborts the connection
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void anIdleServerConnectionFailsWithTcpIdleTimeoutException(ContractTransport t) {
    CompletableFuture<Pair<Tcp.IncomingConnection, CompletionStage<Done>>> served =
        new CompletableFuture<>();
    Tcp.ServerBinding binding =
        t.await(
            t.bind(0, VirtualTcp.DEFAULT_BACKLOG, false, Optional.of(Duration.ofSeconds(1)))
                .to(
                    Sink.foreach(
                        c ->
                            served.complete(
                                Pair.create(
                                    c,
                                    c.flow()
                                        .joinMat(
                                            Flow.fromSinkAndSourceMat(
                                                Sink.ignore(), Source.maybe(), Keep.left()),
                                            Keep.right())
                                        .run(t.system())))))
                .run(t.system()));
    Duration start = t.now();
    CompletionStage<Done> client =
        Source.<ByteString>maybe()
            .via(t.outgoingConnection(binding.localAddress().getPort()))
            .runWith(Sink.ignore(), t.system());

    Pair<Tcp.IncomingConnection, CompletionStage<Done>> connection = t.await(served);
    Throwable idle = t.failure(connection.second());
    assertInstanceOf(TcpIdleTimeoutException.class, idle);
    assertEquals(
        "TCP idle-timeout encountered on connection to ["
            + connection.first().remoteAddress()
            + "], no bytes passed in the last 1 second",
        idle.getMessage());
    assertFiredAfter(t, start, Duration.ofSeconds(1));
    assertInstanceOf(StreamTcpException.class, t.failure(client)); // reset by the server
    t.await(binding.unbind());
  }

  /** The timer fired no earlier than {@code timeout} and no later than the transport's slack. */
  private static void assertFiredAfter(ContractTransport t, Duration start, Duration timeout) {
    Duration elapsed = t.now().minus(start);
    assertTrue(elapsed.compareTo(timeout) >= 0, "fired early, after " + elapsed);
    assertTrue(
        elapsed.compareTo(timeout.plus(t.timerSlack())) <= 0,
        "fired late, after " + elapsed + " (slack " + t.timerSlack() + ")");
  }

  // ------------------------------------------------------------------ backpressure

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void aSlowReaderHoldsTheWriterWithinTheBuffers(ContractTransport t, TestReporter report) {
    SlowReaderRun.Result result = new SlowReaderRun(t).run();
    report.publishEntry(result.figures());
    result.assertWithinBuffers();
  }
}
