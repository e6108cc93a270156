package dev.vnetif.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vnetif.Stack;
import dev.vnetif.VirtualNetwork;
import dev.vnetif.stream.VirtualTcp;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.StreamTcpException;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.FramingTruncation;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One test class, run twice: over Pekko's own {@link Tcp} on 127.0.0.1, and over {@link VirtualTcp}
 * between two hosts of a virtual network. The code under test ({@link LineService}) and every test
 * are the same for both; what differs is <b>one line</b>, in {@link #tcp(Transport)}:
 *
 * <pre>{@code
 * case PEKKO_TCP -> TcpLike.of(Tcp.get(system));
 * case VIRTUAL_TCP -> TcpLike.of(VirtualTcp.get(serverHost), VirtualTcp.get(clientHost));
 * }</pre>
 *
 * <p>{@code Tcp} and {@code VirtualTcp} have the same {@code bind} and {@code outgoingConnection}
 * methods, with the same parameters, defaults, materialized types ({@code ServerBinding}, {@code
 * IncomingConnection}, {@code OutgoingConnection}) and exceptions, but no common supertype. Code
 * that must run on both takes the methods it calls through a small interface such as {@link
 * TcpLike}, whose two adapters are plain delegation. (In code that runs on one of them only, the
 * swap is the declaration itself: {@code var tcp = Tcp.get(system);} becomes {@code var tcp =
 * VirtualTcp.get(host);}.)
 *
 * <p>Both runs are in real time, on one actor system, with the same bounded waits: Pekko's {@code
 * Tcp} talks to the machine's kernel, which has no virtual clock.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class OneLineSwapExample {

  /** The two transports every test runs on. */
  enum Transport {
    PEKKO_TCP("Pekko Tcp on 127.0.0.1"),
    VIRTUAL_TCP("VirtualTcp on a virtual network");

    private final String description;

    Transport(String description) {
      this.description = description;
    }

    @Override
    public String toString() {
      return description;
    }
  }

  final ActorTestKit testKit = ActorTestKit.create("one-line-swap");
  final ActorSystem<Void> system = testKit.system();

  VirtualNetwork net;
  Stack serverHost;
  Stack clientHost;

  /**
   * <b>The one line that differs</b> between the two runs: which Streams TCP the code under test
   * gets. Everything else in this class is shared.
   */
  TcpLike tcp(Transport transport) {
    return switch (transport) {
      case PEKKO_TCP -> TcpLike.of(Tcp.get(system));
      case VIRTUAL_TCP -> TcpLike.of(VirtualTcp.get(serverHost), VirtualTcp.get(clientHost));
    };
  }

  @BeforeAll
  void startVirtualNetwork() {
    net = VirtualNetwork.create(system);
    serverHost = await(net.createStack("10.0.0.3/24"));
    clientHost = await(net.createStack("10.0.0.2/24"));
  }

  @AfterAll
  void stop() {
    try {
      await(net.shutdown());
    } finally {
      testKit.shutdownTestKit();
    }
  }

  // ------------------------------------------------------------ the tests, shared

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  void repliesToEveryLineInOrder(Transport transport) {
    TcpLike tcp = tcp(transport);
    Tcp.ServerBinding binding = await(LineService.start(tcp, system));

    List<String> replies =
        await(LineService.call(tcp, binding.localAddress(), List.of("hello", "one line"), system));

    assertEquals(List.of("HELLO", "ONE LINE"), replies);
    await(binding.unbind());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  void servesTwentyClientsAtOnce(Transport transport) {
    TcpLike tcp = tcp(transport);
    Tcp.ServerBinding binding = await(LineService.start(tcp, system));

    List<CompletionStage<List<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(LineService.call(tcp, binding.localAddress(), List.of("client " + i), system));
    }
    for (int i = 0; i < calls.size(); i++) {
      assertEquals(List.of("CLIENT " + i), await(calls.get(i)), "client " + i);
    }
    await(binding.unbind());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  void anUnboundPortRefusesConnectionsWithPekkosException(Transport transport) {
    TcpLike tcp = tcp(transport);
    Tcp.ServerBinding binding = await(LineService.start(tcp, system));
    InetSocketAddress address = binding.localAddress();
    await(binding.unbind());

    // Nothing listens there any more: the peer answers the SYN with RST, on both transports.
    ExecutionException refused =
        assertThrows(
            ExecutionException.class,
            () -> get(LineService.call(tcp, address, List.of("anyone?"), system)));
    assertInstanceOf(StreamTcpException.class, refused.getCause());
    assertInstanceOf(ConnectException.class, refused.getCause().getCause());
  }

  // ------------------------------------------------------------ the code under test

  /**
   * A small line-based service, written once against {@link TcpLike}: the server answers each line
   * with the line in upper case; the client sends some lines and collects the answers.
   */
  static final class LineService {
    private static final ByteString NEWLINE = ByteString.fromString("\n");
    private static final int MAX_LINE = 1024;

    private LineService() {}

    /** Binds a free port and serves every connection with {@link #uppercaseLines()}. */
    static CompletionStage<Tcp.ServerBinding> start(TcpLike tcp, ActorSystem<?> system) {
      return tcp.bind(tcp.serverHost(), 0)
          .to(Sink.foreach(connection -> connection.handleWith(uppercaseLines(), system)))
          .run(system);
    }

    static Flow<ByteString, ByteString, NotUsed> uppercaseLines() {
      return Framing.delimiter(NEWLINE, MAX_LINE, FramingTruncation.DISALLOW)
          .map(line -> ByteString.fromString(line.utf8String().toUpperCase() + "\n"));
    }

    /**
     * Sends {@code lines} on one connection and completes with the answers once the server closes
     * (after the client's FIN: Pekko's client half-closes, its server closes fully).
     */
    static CompletionStage<List<String>> call(
        TcpLike tcp, InetSocketAddress server, List<String> lines, ActorSystem<?> system) {
      return Source.from(lines)
          .map(line -> ByteString.fromString(line + "\n"))
          .via(tcp.outgoingConnection(server.getAddress().getHostAddress(), server.getPort()))
          .via(Framing.delimiter(NEWLINE, MAX_LINE, FramingTruncation.DISALLOW))
          .map(ByteString::utf8String)
          .runWith(Sink.seq(), system);
    }
  }

  /**
   * What {@link LineService} uses of Pekko's {@code Tcp}, with Pekko's own signatures: {@code Tcp}
   * and {@code VirtualTcp} both have these methods.
   */
  interface TcpLike {
    /** The address a server binds: 127.0.0.1 on the machine, the server host's on the network. */
    String serverHost();

    Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> bind(
        String interface_, int port);

    Flow<ByteString, ByteString, CompletionStage<Tcp.OutgoingConnection>> outgoingConnection(
        String host, int port);

    /** Pekko's Tcp: servers and clients on the machine's loopback. */
    static TcpLike of(Tcp tcp) {
      return new TcpLike() {
        @Override
        public String serverHost() {
          return "127.0.0.1";
        }

        @Override
        public Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> bind(
            String interface_, int port) {
          return tcp.bind(interface_, port);
        }

        @Override
        public Flow<ByteString, ByteString, CompletionStage<Tcp.OutgoingConnection>>
            outgoingConnection(String host, int port) {
          return tcp.outgoingConnection(host, port);
        }
      };
    }

    /** VirtualTcp: servers on one virtual host, clients on another, across the virtual switch. */
    static TcpLike of(VirtualTcp server, VirtualTcp client) {
      return new TcpLike() {
        @Override
        public String serverHost() {
          return server.stack().address().getHostAddress();
        }

        @Override
        public Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> bind(
            String interface_, int port) {
          return server.bind(interface_, port);
        }

        @Override
        public Flow<ByteString, ByteString, CompletionStage<Tcp.OutgoingConnection>>
            outgoingConnection(String host, int port) {
          return client.outgoingConnection(host, port);
        }
      };
    }
  }

  // ------------------------------------------------------------ bounded waits

  /** The stage's value within 10 s; an AssertionError if it takes longer. */
  static <T> T await(CompletionStage<T> stage) {
    try {
      return get(stage);
    } catch (ExecutionException e) {
      throw new AssertionError("failed: " + e.getCause(), e.getCause());
    }
  }

  static <T> T get(CompletionStage<T> stage) throws ExecutionException {
    try {
      return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("not complete within 10 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
