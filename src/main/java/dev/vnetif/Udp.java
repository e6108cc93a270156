package dev.vnetif;

import dev.vnetif.stack.HostCommand;
import dev.vnetif.stack.SendOutcome;
import dev.vnetif.wire.Ipv4Address;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.util.ByteString;

/**
 * UDP on one host (RFC 768). Datagrams are not fragmented: a payload must fit the MTU minus 28
 * bytes of IPv4 and UDP headers.
 */
public final class Udp {
  private final Stack stack;
  private final ActorSystem<?> system;
  private final ActorRef<HostCommand> host;
  private final Duration askTimeout;

  Udp(Stack stack, ActorSystem<?> system, ActorRef<HostCommand> host, Duration askTimeout) {
    this.stack = stack;
    this.system = system;
    this.host = host;
    this.askTimeout = askTimeout;
  }

  /**
   * Hands every datagram that arrives for {@code port} to {@code handler}, one at a time in arrival
   * order, on a thread of the actor system (never the caller's). Replaces an earlier handler on
   * that port. A handler that throws loses that datagram only.
   *
   * @throws IllegalArgumentException if {@code port} is outside 1..65535
   */
  public void listen(int port, Consumer<UdpDatagram> handler) {
    checkPort("port", port);
    if (handler == null) {
      throw new IllegalArgumentException("handler must not be null");
    }
    host.tell(
        new HostCommand.UdpListen(
            port,
            received ->
                handler.accept(
                    new UdpDatagram(
                        new InetSocketAddress(received.source().toInet(), received.sourcePort()),
                        new InetSocketAddress(
                            received.destination().toInet(), received.destinationPort()),
                        received.payload()))));
  }

  /** Stops delivering datagrams for {@code port}; later ones get ICMP port unreachable. */
  public void unlisten(int port) {
    checkPort("port", port);
    host.tell(new HostCommand.UdpUnlisten(port));
  }

  /** Sends from an ephemeral source port. See {@link #send(int, InetSocketAddress, ByteString)}. */
  public CompletionStage<Done> send(InetSocketAddress dst, ByteString payload) {
    return sendFrom(0, dst, payload);
  }

  /**
   * Sends one datagram. Completes when it is on the wire (after ARP if needed), which says nothing
   * about delivery. Fails with {@link NoRouteException} when there is no route and {@link
   * HostUnreachableException} when ARP for the next hop fails.
   *
   * @throws IllegalArgumentException for a port outside 1..65535, an address that is not IPv4, or a
   *     payload larger than the MTU allows
   */
  public CompletionStage<Done> send(int srcPort, InetSocketAddress dst, ByteString payload) {
    checkPort("srcPort", srcPort);
    return sendFrom(srcPort, dst, payload);
  }

  private CompletionStage<Done> sendFrom(int srcPort, InetSocketAddress dst, ByteString payload) {
    if (dst == null || !(dst.getAddress() instanceof Inet4Address address)) {
      throw new IllegalArgumentException(
          "destination must be a resolved IPv4 socket address, " + "got " + dst);
    }
    checkPort("destination port", dst.getPort());
    int maxPayload = stack.mtu() - 28;
    if (payload.length() > maxPayload) {
      throw new IllegalArgumentException(
          "UDP payload of "
              + payload.length()
              + " bytes exceeds "
              + maxPayload
              + " (MTU "
              + stack.mtu()
              + " minus 28)");
    }
    IllegalStateException gone = stack.disconnectedError();
    if (gone != null) {
      return CompletableFuture.failedFuture(gone);
    }
    Ipv4Address destination = Ipv4Address.fromInet(address);
    CompletionStage<SendOutcome> outcome =
        Asks.ask(
            host,
            replyTo ->
                new HostCommand.UdpSend(srcPort, destination, dst.getPort(), payload, replyTo),
            askTimeout,
            system.scheduler());
    return outcome.thenCompose(this::toDone);
  }

  private CompletionStage<Done> toDone(SendOutcome outcome) {
    if (outcome instanceof SendOutcome.Sent) {
      return CompletableFuture.completedFuture(Done.getInstance());
    } else if (outcome instanceof SendOutcome.NoRoute n) {
      return CompletableFuture.failedFuture(stack.noRoute(n.destination()));
    } else if (outcome instanceof SendOutcome.Unresolved u) {
      return CompletableFuture.failedFuture(
          new HostUnreachableException(
              stack.address().getHostAddress() + ": no ARP reply from next hop " + u.nextHop()));
    } else {
      SendOutcome.TooBig b = (SendOutcome.TooBig) outcome;
      return CompletableFuture.failedFuture(
          new IllegalArgumentException(
              "UDP payload of " + b.payloadSize() + " bytes exceeds " + b.maxPayload()));
    }
  }

  private static void checkPort(String what, int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(what + " must be within 1..65535, got " + port);
    }
  }
}
