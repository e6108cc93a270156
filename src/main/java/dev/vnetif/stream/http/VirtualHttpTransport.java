package dev.vnetif.stream.http;

import dev.vnetif.Stack;
import dev.vnetif.stream.VirtualTcp;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.scaladsl.ClientTransport;
import org.apache.pekko.http.scaladsl.Http;
import org.apache.pekko.http.scaladsl.settings.ClientConnectionSettings;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * Pekko HTTP's client transport over the virtual network: each connection the HTTP client (its
 * connection pool, {@code singleRequest}, {@code outgoingConnection}) opens is a {@link
 * VirtualTcp#outgoingConnection} from one {@link Stack}, in place of Pekko's {@code Tcp} over the
 * machine's sockets ({@code ClientTransport.TCP}).
 *
 * <p>It implements Pekko HTTP's Scala SPI, {@code scaladsl.ClientTransport}, because that is what
 * the client runs: the Java settings convert a {@code javadsl.ClientTransport} to it. Java code
 * takes {@link #asJava()}, or {@link VirtualHttp#clientTransport(Stack)} directly.
 *
 * <p>The connection is made as {@code ClientTransport.TCP} makes it: half-close on, the settings'
 * {@code connecting-timeout} and {@code idle-timeout} (both on the network's clock, so they hold in
 * virtual time); socket options and a local address are accepted and ignored, as by {@link
 * VirtualTcp}. The host of a request is resolved without DNS ({@link HostTable}): an IPv4 literal,
 * or a name from the table given at creation. A request to any other host, or to a port outside
 * 0..65535, fails with an {@link IllegalArgumentException} naming it; a refused or timed-out
 * connection fails as with Pekko's {@code Tcp}, with a {@code StreamTcpException} naming the
 * address.
 *
 * <p>Two transports of the same host and table are equal: Pekko HTTP keeps one connection pool per
 * distinct settings, so settings built anew for each request still share their pool.
 */
public final class VirtualHttpTransport implements ClientTransport {
  private final Stack stack;
  private final HostTable hosts;

  private VirtualHttpTransport(Stack stack, HostTable hosts) {
    this.stack = stack;
    this.hosts = hosts;
  }

  /** Connections from {@code stack} to hosts given as IPv4 literals. */
  public static VirtualHttpTransport create(Stack stack) {
    return create(stack, Map.of());
  }

  /**
   * Connections from {@code stack} to hosts given as IPv4 literals or as names of {@code hosts}
   * (compared without regard to case).
   *
   * @throws IllegalArgumentException naming a blank host name or one given twice
   */
  public static VirtualHttpTransport create(Stack stack, Map<String, Inet4Address> hosts) {
    Objects.requireNonNull(stack, "stack");
    return new VirtualHttpTransport(stack, HostTable.of(hosts));
  }

  /** The host the connections start from. */
  public Stack stack() {
    return stack;
  }

  /** The host names this transport resolves (in lower case) and their addresses. */
  public Map<String, Inet4Address> hosts() {
    return hosts.names();
  }

  /** This transport for Pekko HTTP's Java API ({@code ClientConnectionSettings.withTransport}). */
  public org.apache.pekko.http.javadsl.ClientTransport asJava() {
    return org.apache.pekko.http.javadsl.ClientTransport.fromScala(this);
  }

  /**
   * The address {@code host:port} stands for on the virtual network.
   *
   * @throws IllegalArgumentException naming the host when it is an ill-formed IPv4 literal or an
   *     unknown name, or naming the port when it is outside 0..65535
   */
  public InetSocketAddress resolve(String host, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(
          "port must be within 0..65535, got " + port + " (host " + host + ")");
    }
    return new InetSocketAddress(hosts.resolve(host), port);
  }

  /**
   * One connection to {@code host:port}, opened when the flow is materialized; its materialized
   * value completes when connected, or fails as the flow does (see the class comment).
   */
  @Override
  public org.apache.pekko.stream.scaladsl.Flow<
          ByteString, ByteString, Future<Http.OutgoingConnection>>
      connectTo(String host, int port, ClientConnectionSettings settings, ActorSystem system) {
    return connection(host, port, settings)
        .mapMaterializedValue(FutureConverters::asScala)
        .asScala();
  }

  private Flow<ByteString, ByteString, CompletionStage<Http.OutgoingConnection>> connection(
      String host, int port, ClientConnectionSettings settings) {
    InetSocketAddress remote;
    try {
      remote = resolve(host, port);
    } catch (IllegalArgumentException badRequest) {
      // A connection that fails, not a throw inside the pool's stage: the request fails with it
      // as with any failed connection (after the pool's retries, as Pekko HTTP does).
      return failed(badRequest);
    }
    return VirtualTcp.get(stack)
        .outgoingConnection(
            remote,
            settings.getLocalAddress(),
            settings.getSocketOptions(),
            true,
            Optional.of(javaDuration(settings.connectingTimeout())),
            settings.idleTimeout().isFinite()
                ? Optional.of(javaDuration(settings.idleTimeout()))
                : Optional.empty())
        // VirtualTcp's stage is a plain future: this runs where it completes, in the simulation.
        .mapMaterializedValue(
            connected ->
                connected.thenApply(
                    c -> new Http.OutgoingConnection(c.localAddress(), c.remoteAddress())));
  }

  private static <T> Flow<ByteString, ByteString, CompletionStage<T>> failed(Throwable cause) {
    return Flow.fromSinkAndSourceMat(
        Sink.<ByteString>cancelled(),
        Source.<ByteString>failed(cause),
        (sinkMat, sourceMat) -> CompletableFuture.<T>failedFuture(cause));
  }

  private static Duration javaDuration(scala.concurrent.duration.Duration duration) {
    return Duration.ofNanos(duration.toNanos());
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof VirtualHttpTransport transport
        && transport.stack.equals(stack)
        && transport.hosts.equals(hosts);
  }

  @Override
  public int hashCode() {
    return Objects.hash(stack, hosts);
  }

  @Override
  public String toString() {
    return "VirtualHttpTransport[from " + stack + ", hosts " + hosts + "]";
  }
}
