package dev.vnetif.stream.http;

import dev.vnetif.Stack;
import dev.vnetif.stream.VirtualTcp;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.Supervision;
import org.apache.pekko.stream.TLSProtocol.SslTlsInbound;
import org.apache.pekko.stream.TLSProtocol.SslTlsOutbound;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.TLSPlacebo;
import org.apache.pekko.stream.javadsl.Tcp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Pekko HTTP server on a virtual host: the port bound with {@link VirtualTcp#bind}, and each
 * connection run through Pekko HTTP's own server layer ({@code Http.serverLayer}: parsing,
 * rendering, pipelining, request timeouts, {@code Connection: close}) joined with the user's
 * handler, which is materialized once per connection.
 *
 * <p>This is what Pekko HTTP's {@code bindAndHandle} does over Pekko's {@code Tcp} (in {@code
 * scaladsl.HttpExt}), with plain text for TLS, and without what only its internal API reaches:
 * graceful termination ({@code ServerBinding.terminate}); unbinding stops accepting, and open
 * connections run on until they close. The server's {@code idle-timeout} is the TCP connection's
 * (on the network's clock, so it also holds in virtual time), where Pekko HTTP puts its own stage,
 * which reads the machine's clock, above TLS.
 */
final class HttpServerConnections {
  private static final Logger LOG = LoggerFactory.getLogger(HttpServerConnections.class);

  private final Stack stack;
  private final ServerSettings settings;
  private final Flow<HttpRequest, HttpResponse, ?> handler;

  HttpServerConnections(
      Stack stack, ServerSettings settings, Flow<HttpRequest, HttpResponse, ?> handler) {
    this.stack = stack;
    this.settings = settings;
    this.handler = handler;
  }

  /**
   * Binds {@code port} on the host's address and serves every connection accepted, at most {@code
   * max-connections} at once (more wait in the accept backlog, as with Pekko HTTP).
   */
  CompletionStage<Tcp.ServerBinding> bind(int port) {
    return VirtualTcp.get(stack)
        .bind(
            stack.address().getHostAddress(),
            port,
            settings.getBacklog(),
            settings.getSocketOptions(),
            false,
            idleTimeout())
        .via(
            Flow.<Tcp.IncomingConnection>create()
                .mapAsyncUnordered(settings.getMaxConnections(), this::serve)
                .withAttributes(
                    ActorAttributes.withSupervisionStrategy(Supervision.getResumingDecider())))
        .to(Sink.ignore())
        .run(stack.system());
  }

  /**
   * Runs one connection; completes when the handler's responses have ended, which frees the
   * connection's place among {@code max-connections}.
   *
   * <p>The stage is handed to {@code mapAsyncUnordered} as materialized, with no continuation of
   * ours: it is Scala's adapter of a future, which runs even {@code exceptionally} on the common
   * pool, outside the simulation in virtual time, while Pekko takes the future inside as it is. A
   * connection that fails is dropped by the resuming supervision: it is that connection's end, not
   * the server's (Pekko HTTP ignores it in the same place, akka/akka#17992).
   */
  private CompletionStage<Done> serve(Tcp.IncomingConnection incoming) {
    try {
      return run(incoming);
    } catch (RuntimeException e) {
      // A handler that cannot be materialized again (a user's mistake): this connection is left
      // unrun, and closed by pekko.io.tcp.register-timeout; the server goes on.
      LOG.warn(
          "could not run the HTTP handler for the connection from {}", incoming.remoteAddress(), e);
      throw e;
    }
  }

  private CompletionStage<Done> run(Tcp.IncomingConnection incoming) {
    BidiFlow<HttpResponse, SslTlsOutbound, SslTlsInbound, HttpRequest, NotUsed> http =
        Http.get(stack.system()).serverLayer(settings, Optional.of(incoming.remoteAddress()));
    Flow<SslTlsOutbound, SslTlsInbound, NotUsed> plainText =
        TLSPlacebo.getInstance().join(incoming.flow()).map(bytes -> (SslTlsInbound) bytes);
    return Flow.<HttpRequest>create()
        .via(handler)
        .watchTermination(Keep.right())
        .join(http.join(plainText))
        .run(stack.system());
  }

  private Optional<Duration> idleTimeout() {
    scala.concurrent.duration.Duration timeout = settings.getTimeouts().idleTimeout();
    return timeout.isFinite() ? Optional.of(Duration.ofNanos(timeout.toNanos())) : Optional.empty();
  }
}
