package dev.vnetif.stream.http;

import dev.vnetif.Stack;
import java.net.Inet4Address;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.ClientTransport;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Tcp;

/**
 * Pekko HTTP on the virtual network: a client transport for Pekko HTTP's client, and servers bound
 * on a virtual host. Pekko HTTP (1.x, {@code org.apache.pekko:pekko-http_2.13}) is an optional
 * dependency of this library: add it to use this class.
 *
 * <pre>{@code
 * VirtualHttp.bindAndHandleAsync(server, 8080,
 *     request -> CompletableFuture.completedFuture(HttpResponse.create().withEntity("hello")));
 * Http http = Http.get(system);
 * CompletionStage<HttpResponse> response = http.singleRequest(
 *     HttpRequest.GET("http://10.0.0.3:8080/"),
 *     http.defaultClientHttpsContext(),
 *     VirtualHttp.connectionPoolSettings(client),   // the pool connects over the virtual network
 *     system.classicSystem().log());
 * }</pre>
 *
 * <p>Everything but the TCP beneath is Pekko HTTP's own: the client's connection pool, retries and
 * backoff; the server's parsing, pipelining and request timeout. Only HTTP/1.1 in plain text runs
 * here (no TLS, no HTTP/2).
 */
public final class VirtualHttp {
  private VirtualHttp() {}

  /**
   * A client transport whose connections start from {@code client} and reach hosts given as IPv4
   * literals. Give it to {@code ClientConnectionSettings.withTransport} or {@code
   * ConnectionPoolSettings.withTransport}.
   *
   * @see VirtualHttpTransport
   */
  public static ClientTransport clientTransport(Stack client) {
    return VirtualHttpTransport.create(client).asJava();
  }

  /**
   * As {@link #clientTransport(Stack)}, also resolving the names of {@code hosts} (without regard
   * to case), as {@code /etc/hosts} would: {@code Map.of("api", server.address())} makes {@code
   * http://api:8080/} reach {@code server}.
   *
   * @throws IllegalArgumentException naming a blank host name or a name given twice
   */
  public static ClientTransport clientTransport(Stack client, Map<String, Inet4Address> hosts) {
    return VirtualHttpTransport.create(client, hosts).asJava();
  }

  /**
   * The connection pool settings of {@code client}'s actor system ({@code
   * pekko.http.host-connection-pool}) with {@link #clientTransport(Stack)}: pass them to {@code
   * Http.singleRequest}, {@code cachedHostConnectionPool} or {@code superPool}. Settings made again
   * for the same host are equal, so they share one pool.
   */
  public static ConnectionPoolSettings connectionPoolSettings(Stack client) {
    Objects.requireNonNull(client, "client");
    return ConnectionPoolSettings.create(client.system().classicSystem())
        .withTransport(clientTransport(client));
  }

  /**
   * Serves HTTP on {@code port} of {@code server}'s address, each connection with a new
   * materialization of {@code handler}, with the server settings of the host's actor system ({@code
   * pekko.http.server}).
   *
   * @return completes with Pekko's {@code Tcp.ServerBinding} once bound ({@code unbind()} stops
   *     accepting; open connections go on until they close), or fails with a {@code
   *     BindFailedException} naming host and port when the port is taken
   * @throws IllegalArgumentException naming {@code port} when it is outside 0..65535 (0 picks a
   *     free port, which the binding's {@code localAddress()} tells)
   */
  public static CompletionStage<Tcp.ServerBinding> bindAndHandle(
      Stack server, int port, Flow<HttpRequest, HttpResponse, ?> handler) {
    Objects.requireNonNull(server, "server");
    return bindAndHandle(server, port, handler, serverSettings(server));
  }

  /** As {@link #bindAndHandle(Stack, int, Flow)}, with the given server settings. */
  public static CompletionStage<Tcp.ServerBinding> bindAndHandle(
      Stack server, int port, Flow<HttpRequest, HttpResponse, ?> handler, ServerSettings settings) {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(settings, "settings");
    checkPort(port);
    return new HttpServerConnections(server, settings, handler).bind(port);
  }

  /**
   * Serves HTTP on {@code port} of {@code server}'s address, answering each request with what
   * {@code handler} completes with, up to {@code pekko.http.server.pipelining-limit} requests of
   * one connection at once. As Pekko HTTP's {@code bindAndHandleAsync}: a handler that throws or
   * fails gets the client a 500 response, and the error is logged by Pekko HTTP.
   *
   * @return as {@link #bindAndHandle(Stack, int, Flow)}
   * @throws IllegalArgumentException naming {@code port} when it is outside 0..65535
   */
  public static CompletionStage<Tcp.ServerBinding> bindAndHandleAsync(
      Stack server, int port, Function<HttpRequest, CompletionStage<HttpResponse>> handler) {
    Objects.requireNonNull(server, "server");
    return bindAndHandleAsync(server, port, handler, serverSettings(server));
  }

  /** As {@link #bindAndHandleAsync(Stack, int, Function)}, with the given server settings. */
  public static CompletionStage<Tcp.ServerBinding> bindAndHandleAsync(
      Stack server,
      int port,
      Function<HttpRequest, CompletionStage<HttpResponse>> handler,
      ServerSettings settings) {
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(settings, "settings");
    return bindAndHandle(
        server,
        port,
        Flow.<HttpRequest>create().mapAsync(settings.getPipeliningLimit(), handler::apply),
        settings);
  }

  private static ServerSettings serverSettings(Stack server) {
    return ServerSettings.create(server.system().classicSystem());
  }

  private static void checkPort(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be within 0..65535, got " + port);
    }
  }
}
