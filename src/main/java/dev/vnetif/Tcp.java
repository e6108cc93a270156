package dev.vnetif;

import dev.vnetif.stack.FlowCommand;
import dev.vnetif.stack.HostCommand;
import dev.vnetif.tcp.KeepaliveSettings;
import dev.vnetif.wire.Ipv4Address;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;

/** TCP on one host (the seed's TCP signature). Thread-safe. */
public final class Tcp {
  /** Safety net above the SYN retransmissions, which decide when a connect fails. */
  private static final Duration CONNECT_WAIT = Duration.ofMinutes(30);

  private final ActorSystem<?> system;
  private final ActorRef<HostCommand> host;
  private final Stack stack;

  Tcp(ActorSystem<?> system, ActorRef<HostCommand> host, Stack stack) {
    this.system = system;
    this.host = host;
    this.stack = stack;
  }

  /** Opens a connection. See {@link #createConnection(InetSocketAddress, Keepalive)}. */
  public CompletionStage<TcpFlow> createConnection(InetSocketAddress remote) {
    return connect(remote, checkRemote(remote), null);
  }

  /**
   * Opens a connection to {@code remote}, completing once it is established. Fails with {@link
   * ConnectionRefusedException} (RST), {@link ConnectionTimeoutException} (no answer to the SYN
   * retransmissions), {@link NoRouteException}, or a {@link TcpException} when no ephemeral port is
   * free towards {@code remote}. With {@code keepalive}, a silent peer ends the connection: reads
   * return Eof, writes fail with {@link ConnectionClosedException}. For a connection without
   * keepalive use {@link #createConnection(InetSocketAddress)}.
   *
   * @throws IllegalArgumentException for a null, unresolved or non-IPv4 address, a bad port, or a
   *     null {@code keepalive}
   */
  public CompletionStage<TcpFlow> createConnection(InetSocketAddress remote, Keepalive keepalive) {
    Inet4Address address = checkRemote(remote);
    if (keepalive == null) {
      throw new IllegalArgumentException(
          "keepalive must not be null (createConnection(remote)"
              + " opens a connection without keepalive), got null for remote "
              + remote);
    }
    return connect(remote, address, keepalive.toSettings());
  }

  /** The IPv4 address of {@code remote}, after checking that it can be connected to. */
  private static Inet4Address checkRemote(InetSocketAddress remote) {
    if (remote == null || !(remote.getAddress() instanceof Inet4Address address)) {
      throw new IllegalArgumentException(
          "remote must be a resolved IPv4 socket address, got " + remote);
    }
    if (remote.getPort() < 1 || remote.getPort() > 65535) {
      throw new IllegalArgumentException(
          "remote port must be within 1..65535, got " + remote.getPort());
    }
    return address;
  }

  private CompletionStage<TcpFlow> connect(
      InetSocketAddress remote, Inet4Address address, KeepaliveSettings keepalive) {
    IllegalStateException gone = stack.disconnectedError();
    if (gone != null) {
      return CompletableFuture.failedFuture(gone);
    }
    CompletionStage<FlowCommand.ConnectReply> reply =
        Asks.ask(
            host,
            replyTo ->
                new HostCommand.TcpConnect(
                    Ipv4Address.fromInet(address), remote.getPort(), keepalive, replyTo),
            CONNECT_WAIT,
            system.scheduler());
    return reply.thenCompose(
        r -> {
          if (r instanceof FlowCommand.ConnectReply.Connected c) {
            return CompletableFuture.completedFuture(new TcpFlow(system, c.flow()));
          } else if (r instanceof FlowCommand.ConnectReply.Failed f) {
            return CompletableFuture.failedFuture(TcpErrors.of(f.reason(), f.message()));
          } else if (r instanceof FlowCommand.ConnectReply.NoRoute n) {
            return CompletableFuture.failedFuture(new NoRouteException(n.message()));
          }
          FlowCommand.ConnectReply.Unavailable u = (FlowCommand.ConnectReply.Unavailable) r;
          return CompletableFuture.failedFuture(new TcpException(u.message()));
        });
  }

  /** Listens without keepalive. See {@link #listen(int, Keepalive, Function)}. */
  public void listen(int port, Function<TcpFlow, CompletionStage<?>> callback) {
    listen(port, null, callback);
  }

  /**
   * Accepts connections on {@code port} and calls {@code callback} with each once it is
   * established, on a thread of the actor system. A callback that throws, or whose stage fails,
   * aborts that connection (RST) and is logged; the listener and other connections go on. Listening
   * again on a port replaces the callback.
   *
   * @throws IllegalArgumentException if {@code port} is outside 0..65535
   */
  public void listen(
      int port, Keepalive keepalive, Function<TcpFlow, CompletionStage<?>> callback) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be within 0..65535, got " + port);
    }
    if (callback == null) {
      throw new IllegalArgumentException("callback must not be null");
    }
    host.tell(
        new HostCommand.TcpListen(
            port,
            keepalive == null ? null : keepalive.toSettings(),
            handle -> callback.apply(new TcpFlow(system, handle))));
  }

  /**
   * Accepts connections on {@code port} as a socket's {@code bind} + {@code listen} would: unlike
   * {@link #listen}, it fails when the port already has a listener, and port 0 picks a free
   * ephemeral port. Completes with the port bound; fails with {@link PortInUseException} (a Pekko
   * {@code BindFailedException}) naming the address and port.
   *
   * @param keepalive null for none
   * @throws IllegalArgumentException if {@code port} is outside 0..65535 or the callback is null
   */
  public CompletionStage<Integer> bind(
      int port, Keepalive keepalive, Function<TcpFlow, CompletionStage<?>> callback) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be within 0..65535, got " + port);
    }
    if (callback == null) {
      throw new IllegalArgumentException("callback must not be null");
    }
    IllegalStateException gone = stack.disconnectedError();
    if (gone != null) {
      return CompletableFuture.failedFuture(gone);
    }
    CompletionStage<HostCommand.BindReply> reply =
        Asks.ask(
            host,
            replyTo ->
                new HostCommand.TcpBind(
                    port,
                    keepalive == null ? null : keepalive.toSettings(),
                    handle -> callback.apply(new TcpFlow(system, handle)),
                    replyTo),
            Duration.ofSeconds(10),
            system.scheduler());
    return reply.thenCompose(
        r ->
            r instanceof HostCommand.BindReply.Bound b
                ? CompletableFuture.completedFuture(b.port())
                : CompletableFuture.failedFuture(
                    new PortInUseException(stack.address().getHostAddress(), port)));
  }

  /**
   * Hands one TCP segment (header and data, as on the wire) to this host's TCP as if IPv4 had
   * delivered it from {@code src} to {@code dst}: the seed's {@code input}, the entry from the IP
   * layer into TCP. It is checked (checksum over the pseudo-header, addresses as IPv4 checks them),
   * counted, and dropped with a reason in {@link Stack#stats()} when bad, like any other; what TCP
   * answers goes out on the wire.
   *
   * @throws IllegalArgumentException for a null argument
   */
  public void input(Inet4Address src, Inet4Address dst, org.apache.pekko.util.ByteString segment) {
    if (src == null || dst == null || segment == null) {
      throw new IllegalArgumentException(
          "src, dst and segment must not be null, got " + src + ", " + dst + ", " + segment);
    }
    host.tell(
        new HostCommand.TcpInput(Ipv4Address.fromInet(src), Ipv4Address.fromInet(dst), segment));
  }

  /** Stops accepting on {@code port}: new SYNs get RST; existing connections go on. */
  public void unlisten(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be within 0..65535, got " + port);
    }
    host.tell(new HostCommand.TcpUnlisten(port));
  }

  /** Stops every listener and aborts every connection of this host. */
  public CompletionStage<Done> disconnect() {
    return Asks.ask(
        host, HostCommand.TcpDisconnect::new, Duration.ofSeconds(10), system.scheduler());
  }
}
