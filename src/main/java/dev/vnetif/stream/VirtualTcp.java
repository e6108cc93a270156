package dev.vnetif.stream;

import dev.vnetif.Stack;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.WeakHashMap;
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
 * data in the connection, whose receive window then closes. Timeouts run on the actor system's
 * scheduler and the host's clock, so they work in virtual time. Socket options are accepted and
 * ignored (the virtual host has no sockets); what they would tune is in {@code vnetif.tcp}.
 */
public final class VirtualTcp {
  private static final Map<Stack, VirtualTcp> INSTANCES =
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
    return Source.fromGraph(new BindStage(stack, port, backlog, halfClose, idleTimeout, null));
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
            () -> stack.tcp().createConnection(resolved(remoteAddress)),
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
    return outgoingConnection(
        InetSocketAddress.createUnresolved(host, port),
        Optional.empty(),
        Collections.emptyList(),
        true,
        Optional.empty(),
        Optional.empty());
  }

  /** Literal IPv4 addresses only: the virtual network has no DNS. */
  private static InetSocketAddress resolved(InetSocketAddress address) {
    if (!address.isUnresolved()) {
      return address;
    }
    String host = address.getHostString();
    if (!host.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      throw new IllegalArgumentException(
          "the virtual network has no DNS: give an IPv4 address, got host " + host);
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(host), address.getPort());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IPv4 address: " + host, e);
    }
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
