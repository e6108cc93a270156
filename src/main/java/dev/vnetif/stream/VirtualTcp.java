package dev.vnetif.stream;

import dev.vnetif.Stack;
import dev.vnetif.TcpFlow;
import dev.vnetif.TcpFlowStats;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.io.Inet;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * Pekko Streams TCP on a virtual host: the same methods, defaults, materialized values, closing
 * rules and exceptions as {@link org.apache.pekko.stream.javadsl.Tcp}, so code written against it
 * moves onto the virtual network by swapping one line:
 *
 * <pre>{@code
 * // Tcp tcp = Tcp.get(system);                 // over the machine's loopback
 * VirtualTcp tcp = VirtualTcp.get(stack);       // over the virtual network
 * Source<IncomingConnection, CompletionStage<ServerBinding>> connections = tcp.bind("10.0.0.3", 8080);
 * Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> client =
 *     tcp.outgoingConnection("10.0.0.3", 8080);
 * }</pre>
 *
 * <p>The materialized values are Pekko's own {@code ServerBinding}, {@code IncomingConnection} and
 * {@code OutgoingConnection}. Backpressure holds end to end: a downstream that does not pull leaves
 * data in the connection, whose receive window then closes ({@link #stats} shows it). Timeouts run
 * on the actor system's scheduler and the host's clock, so they work in virtual time. An accepted
 * connection whose flow is not run within {@code pekko.io.tcp.register-timeout} is closed, as Pekko
 * IO closes it.
 *
 * <p>{@code TcpContractTest} runs one suite of Pekko's {@code TcpSpec} and {@code TcpTest} cases on
 * both this and Pekko's {@code Tcp} over 127.0.0.1, with the same results. What differs, because
 * the virtual host is no operating system:
 *
 * <ul>
 *   <li>No DNS: a host must be an IPv4 literal; a name fails the connection with a {@code
 *       StreamTcpException} caused by an {@code UnknownHostException}, as an unresolvable one does
 *       with Pekko.
 *   <li>Socket options are accepted and ignored (the host has no sockets; what they would tune is
 *       in {@code vnetif.tcp}), and so is {@code localAddress}: the local end is the host's address
 *       and an ephemeral port (RFC 6056).
 *   <li>A full accept backlog resets a new connection once established (the virtual host accepts
 *       before the stream sees it); Linux drops the SYN instead, so there a connect times out.
 *   <li>The idle timeout fires exactly at its time; Pekko checks it on a tick (timeout / 8, at
 *       least 100 ms) and fires up to a tick late.
 *   <li>One element read holds what the connection had buffered, up to the receive buffer ({@code
 *       vnetif.tcp.receive-buffer}); Pekko IO reads at most {@code pekko.io.tcp.direct-buffer-size}
 *       (128 KiB) at a time, and reads one element ahead of downstream.
 *   <li>A failed bind fails the stream and the binding only; Pekko IO also logs it at ERROR.
 *   <li>A full-closing client whose upstream completes before it is connected completes; Pekko
 *       1.7.0 fails it with a {@code NullPointerException} (apache/pekko#3255, fixed after 1.7).
 * </ul>
 */
public final class VirtualTcp {
  private static final Map<Stack, VirtualTcp> INSTANCES =
      Collections.synchronizedMap(new WeakHashMap<>());

  /**
   * The connection behind each IncomingConnection and OutgoingConnection handed out, for {@link
   * #stats}. Pekko's javadsl connection types compare by identity, and the map holds them weakly:
   * an entry lives as long as the user keeps the value.
   */
  private static final Map<Object, TcpFlow> CONNECTIONS =
      Collections.synchronizedMap(new WeakHashMap<>());

  /** Pekko's default accept backlog. */
  public static final int DEFAULT_BACKLOG = 100;

  private final Stack stack;

  private VirtualTcp(Stack stack) {
    this.stack = stack;
  }

  /** Streams TCP on {@code stack}: connections made from it and ports bound on it. */
  public static VirtualTcp get(Stack stack) {
    Objects.requireNonNull(stack, "stack");
    return INSTANCES.computeIfAbsent(stack, VirtualTcp::new);
  }

  /** The host this Streams TCP runs on. */
  public Stack stack() {
    return stack;
  }

  /**
   * Binds {@code port} on the host ({@code interface_}: its address or "0.0.0.0"; port 0 picks a
   * free one). Materializes the binding, which fails with a {@code BindFailedException} naming host
   * and port when the port is taken; each accepted connection is one element.
   *
   * @param backlog accepted connections waiting for downstream demand at most; more are reset
   * @param halfClose whether an incoming connection's flow, when its upstream completes, only sends
   *     FIN and keeps reading (true) or closes both ways (false, Pekko's default for servers)
   * @param idleTimeout fails a connection with {@code TcpIdleTimeoutException} when no bytes passed
   *     either way for that long
   */
  public Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> bind(
      String interface_,
      int port,
      int backlog,
      Iterable<Inet.SocketOption> options,
      boolean halfClose,
      Optional<Duration> idleTimeout) {
    checkInterface(interface_);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be within 0..65535, got " + port);
    }
    if (backlog < 1) {
      throw new IllegalArgumentException("backlog must be at least 1, got " + backlog);
    }
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    return Source.fromGraph(
        new BindStage(stack, port, backlog, halfClose, idleTimeout, null, registerTimeout()));
  }

  /**
   * How long an accepted connection waits for its flow to be run before it is closed: Pekko IO's
   * {@code pekko.io.tcp.register-timeout} (5 s by default; "infinite" for never), read from the
   * host's actor system.
   */
  private Optional<Duration> registerTimeout() {
    com.typesafe.config.Config config = stack.system().settings().config();
    String key = "pekko.io.tcp.register-timeout";
    return config.getString(key).equals("infinite")
        ? Optional.empty()
        : Optional.of(config.getDuration(key));
  }

  /** {@link #bind(String, int, int, Iterable, boolean, Optional)} with Pekko's defaults. */
  public Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> bind(
      String interface_, int port) {
    return bind(
        interface_, port, DEFAULT_BACKLOG, Collections.emptyList(), false, Optional.empty());
  }

  /**
   * A connection to {@code remoteAddress}, opened when the flow is materialized.
   *
   * @param localAddress accepted for Pekko's signature; the host's address is the local one and its
   *     port an ephemeral one (RFC 6056)
   * @param halfClose whether upstream completion only sends FIN and keeps reading (Pekko's default
   *     for clients: true)
   * @param connectTimeout fails the flow with a {@code StreamTcpException} caused by a {@code
   *     ConnectException} when not connected by then
   * @param idleTimeout fails the flow with {@code TcpIdleTimeoutException} when no bytes passed
   *     either way for that long
   */
  public Flow<ByteString, ByteString, CompletionStage<Tcp.OutgoingConnection>> outgoingConnection(
      InetSocketAddress remoteAddress,
      Optional<InetSocketAddress> localAddress,
      Iterable<Inet.SocketOption> options,
      boolean halfClose,
      Optional<Duration> connectTimeout,
      Optional<Duration> idleTimeout) {
    Objects.requireNonNull(remoteAddress, "remoteAddress");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    return Flow.fromGraph(
        new ConnectionStage(
            () -> connect(remoteAddress),
            remoteAddress,
            halfClose,
            connectTimeout,
            idleTimeout,
            stack.clock(),
            false));
  }

  /** A connection to {@code host:port} with Pekko's defaults (half-close on, no timeouts). */
  public Flow<ByteString, ByteString, CompletionStage<Tcp.OutgoingConnection>> outgoingConnection(
      String host, int port) {
    // Pekko's javadsl resolves here (new InetSocketAddress(host, port)); a literal needs no DNS.
    InetSocketAddress remote =
        isIpv4Literal(host)
            ? new InetSocketAddress(host, port)
            : InetSocketAddress.createUnresolved(host, port);
    return outgoingConnection(
        remote,
        Optional.empty(),
        Collections.emptyList(),
        true,
        Optional.empty(),
        Optional.empty());
  }

  /**
   * Opens the connection of one materialization. The virtual network has no DNS: an address still
   * unresolved must be an IPv4 literal; a name fails as an unknown host does with Pekko.
   */
  private CompletionStage<TcpFlow> connect(InetSocketAddress remote) {
    if (!remote.isUnresolved()) {
      return stack.tcp().createConnection(remote);
    }
    String host = remote.getHostString();
    if (!isIpv4Literal(host)) {
      return CompletableFuture.failedFuture(
          new UnknownHostException(
              host + ": the virtual network has no DNS, give an IPv4 address"));
    }
    return stack.tcp().createConnection(new InetSocketAddress(host, remote.getPort()));
  }

  /**
   * The TCP state of the virtual connection behind an accepted connection: windows, congestion
   * state, counters ({@link TcpFlowStats}), as last published by the connection. What Pekko's
   * {@code Tcp} cannot show; a slow reader shows here as a receive window at zero.
   *
   * @return empty for a connection that did not come from a {@code VirtualTcp}
   */
  public static Optional<TcpFlowStats> stats(Tcp.IncomingConnection connection) {
    return Optional.ofNullable(CONNECTIONS.get(connection)).map(TcpFlow::stats);
  }

  /**
   * The TCP state of the virtual connection behind an outgoing connection's materialized value.
   *
   * @return empty for a connection that did not come from a {@code VirtualTcp}
   */
  public static Optional<TcpFlowStats> stats(Tcp.OutgoingConnection connection) {
    return Optional.ofNullable(CONNECTIONS.get(connection)).map(TcpFlow::stats);
  }

  /** Remembers the connection behind a materialized value, for {@link #stats}. */
  static void remember(Object connection, TcpFlow flow) {
    CONNECTIONS.put(connection, flow);
  }

  private static boolean isIpv4Literal(String host) {
    return host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
  }

  private void checkInterface(String interface_) {
    Objects.requireNonNull(interface_, "interface");
    String own = stack.address().getHostAddress();
    if (!interface_.equals(own) && !interface_.equals("0.0.0.0")) {
      throw new IllegalArgumentException(
          "host " + stack.name() + " can bind only " + own + " or 0.0.0.0, got " + interface_);
    }
  }

  @Override
  public String toString() {
    return "VirtualTcp[" + stack + "]";
  }
}
