package dev.vnetif.stream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.Stack;
import dev.vnetif.VirtualNetwork;
import dev.vnetif.testsupport.VirtualTimeKit;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.stream.StreamTcpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Pekko HTTP on the virtual network in virtual time: its timers run on the system's scheduler and
 * the TCP timeouts on the network's clock, so each one fires at its exact virtual instant.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VirtualHttpVirtualTimeTest {
  static final Duration LIMIT = Duration.ofMinutes(5);

  final VirtualTimeKit kit = VirtualTimeKit.create("virtual-http-time");
  final Http http = Http.get(kit.system());
  VirtualNetwork net;
  Stack client;
  Stack server;

  @BeforeEach
  void network() {
    net = VirtualNetwork.create(kit.system());
    client = kit.await(net.createStack("10.0.0.2/24"), LIMIT, "client host");
    server = kit.await(net.createStack("10.0.0.3/24"), LIMIT, "server host");
  }

  @AfterEach
  void stopNetwork() {
    kit.await(http.shutdownAllConnectionPools(), LIMIT, "pools shut down");
    kit.await(net.shutdown(), LIMIT, "network shut down");
  }

  @AfterAll
  void stop() {
    kit.close();
  }

  @Test
  void aSlowHandlerIsAnsweredAtItsVirtualTime() {
    serve(request -> kit.after(Duration.ofSeconds(5)).thenApply(v -> HttpResponse.create()));
    Duration start = kit.now();

    HttpResponse response =
        kit.await(get(VirtualHttp.connectionPoolSettings(client)), LIMIT, "GET");

    assertEquals(200, response.status().intValue());
    assertEquals(Duration.ofSeconds(5), kit.now().minus(start));
  }

  @Test
  void theServersRequestTimeoutAnswers503AtItsVirtualTime() {
    serve(request -> new CompletableFuture<>()); // never answers
    Duration start = kit.now();

    HttpResponse response =
        kit.await(get(VirtualHttp.connectionPoolSettings(client)), LIMIT, "GET");

    assertEquals(503, response.status().intValue()); // pekko.http.server.request-timeout = 20 s
    assertEquals(Duration.ofSeconds(20), kit.now().minus(start));
    response.discardEntityBytes(kit.system());
  }

  @Test
  void theConnectingTimeoutFailsTheRequestAtItsVirtualTime() {
    serve(request -> CompletableFuture.completedFuture(HttpResponse.create()));
    kit.await(client.ping(server.address(), Duration.ofSeconds(1)), LIMIT, "ping (fills ARP)");
    kit.await(net.partition(client, server), LIMIT, "partition");
    Duration start = kit.now();

    Throwable failure =
        kit.failureOf(
            get(VirtualHttp.connectionPoolSettings(client).withMaxRetries(0)),
            LIMIT,
            "GET across a partition");

    // pekko.http.client.connecting-timeout = 10 s, while the SYN is retransmitted unanswered
    assertEquals(Duration.ofSeconds(10), kit.now().minus(start));
    assertInstanceOf(StreamTcpException.class, failure);
    assertTrue(failure.getMessage().contains("10.0.0.3:8080"), failure.getMessage());
  }

  @Test
  void theServersIdleTimeoutEndsAKeptAliveConnectionAtItsVirtualTime() {
    serve(request -> CompletableFuture.completedFuture(HttpResponse.create()));
    List<String> serverEnds = new CopyOnWriteArrayList<>();
    net.addListener(
        frame ->
            frame
                .tcp()
                .filter(segment -> segment.isFin() || segment.isRst())
                .ifPresent(
                    segment ->
                        serverEnds.add(
                            (frame.ingressPort() == server.switchPort() ? "server " : "client ")
                                + (segment.isRst() ? "RST" : "FIN")
                                + " at "
                                + kit.now())));
    // The client keeps its connection as long as the server does.
    ConnectionPoolSettings keepAlive =
        VirtualHttp.connectionPoolSettings(client)
            .withIdleTimeout(scala.concurrent.duration.Duration.Inf())
            .withConnectionSettings(
                VirtualHttp.connectionPoolSettings(client)
                    .getConnectionSettings()
                    .withIdleTimeout(scala.concurrent.duration.Duration.Inf()));
    HttpResponse response = kit.await(get(keepAlive), LIMIT, "GET");
    response.discardEntityBytes(kit.system());
    Duration answered = kit.now();

    kit.advance(Duration.ofSeconds(61));

    // pekko.http.server.idle-timeout = 60 s, counted from the last byte either way; a timeout is
    // a failure, and a failed connection is aborted, as by Pekko HTTP over Pekko's Tcp
    assertEquals(List.of("server RST at " + answered.plusSeconds(60)), serverEnds);
  }

  private void serve(Function<HttpRequest, CompletionStage<HttpResponse>> handler) {
    kit.await(VirtualHttp.bindAndHandleAsync(server, 8080, handler), LIMIT, "bind");
  }

  private CompletionStage<HttpResponse> get(ConnectionPoolSettings settings) {
    return http.singleRequest(
        HttpRequest.GET("http://10.0.0.3:8080/"),
        http.defaultClientHttpsContext(),
        settings,
        kit.system().classicSystem().log());
  }
}
