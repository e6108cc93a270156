package dev.vnetif.stream.http;

import static dev.vnetif.testsupport.TcpTestSupport.await;
import static dev.vnetif.testsupport.TcpTestSupport.failureOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.vnetif.Stack;
import dev.vnetif.VirtualNetwork;
import dev.vnetif.testsupport.AllowErrorLogs;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.BindFailedException;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Pekko HTTP servers bound on a virtual host with {@link VirtualHttp}. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VirtualHttpServerTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  final ActorTestKit testKit =
      ActorTestKit.create("virtual-http-server", ConfigFactory.load("application-test"));
  final ActorSystem<Void> system = testKit.system();
  final Http http = Http.get(system);
  VirtualNetwork net;
  Stack client;
  Stack server;

  @BeforeEach
  void network() {
    net = VirtualNetwork.create(system);
    client = await(net.createStack("10.0.0.2/24"), WAIT, "client host");
    server = await(net.createStack("10.0.0.3/24"), WAIT, "server host");
  }

  @AfterEach
  void stopNetwork() {
    await(http.shutdownAllConnectionPools(), WAIT, "pools shut down");
    await(net.shutdown(), WAIT, "network shut down");
  }

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aFlowHandlerServesEachConnectionWithItsOwnMaterialization() {
    // Echoes the body: one map per connection, materialized anew for each.
    Flow<HttpRequest, HttpResponse, ?> echo =
        Flow.of(HttpRequest.class)
            .map(request -> HttpResponse.create().withEntity(request.entity()));
    await(VirtualHttp.bindAndHandle(server, 8080, echo), WAIT, "bind");

    // Two pools (different settings): at least two connections.
    String first = body(post("one", VirtualHttp.connectionPoolSettings(client)));
    String second =
        body(post("two", VirtualHttp.connectionPoolSettings(client).withMaxConnections(1)));

    assertEquals(List.of("one", "two"), List.of(first, second));
  }

  @Test
  void portZeroPicksAFreePortThatTheBindingTells() {
    Tcp.ServerBinding binding =
        await(
            VirtualHttp.bindAndHandleAsync(
                server, 0, request -> CompletableFuture.completedFuture(HttpResponse.create())),
            WAIT,
            "bind");

    int port = binding.localAddress().getPort();
    assertTrue(port > 0, "port " + port);
    assertEquals(server.address(), binding.localAddress().getAddress());
  }

  @Test
  void aTakenPortFailsTheBindingNamingHostAndPort() {
    await(
        VirtualHttp.bindAndHandleAsync(
            server, 8080, request -> CompletableFuture.completedFuture(HttpResponse.create())),
        WAIT,
        "first bind");

    Throwable failure =
        failureOf(
            VirtualHttp.bindAndHandleAsync(
                server, 8080, request -> CompletableFuture.completedFuture(HttpResponse.create())),
            WAIT,
            "second bind");

    assertInstanceOf(BindFailedException.class, failure);
    assertTrue(failure.getMessage().contains("10.0.0.3:8080"), failure.getMessage());
  }

  @Test
  void aPortOutOfRangeIsRejectedAtTheCallNamingIt() {
    IllegalArgumentException negative =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                VirtualHttp.bindAndHandleAsync(
                    server,
                    -1,
                    request -> CompletableFuture.completedFuture(HttpResponse.create())));
    IllegalArgumentException tooBig =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                VirtualHttp.bindAndHandle(
                    server, 65536, Flow.of(HttpRequest.class).map(r -> HttpResponse.create())));

    assertTrue(negative.getMessage().contains("got -1"), negative.getMessage());
    assertTrue(tooBig.getMessage().contains("got 65536"), tooBig.getMessage());
  }

  @Test
  @AllowErrorLogs("Pekko HTTP logs a failed handler at ERROR, as it does over real sockets")
  void aFailingHandlerGetsTheClientA500AndTheServerGoesOn() {
    await(
        VirtualHttp.bindAndHandleAsync(
            server,
            8080,
            request ->
                request.getUri().path().equals("/fail")
                    ? CompletableFuture.failedFuture(new IllegalStateException("handler failed"))
                    : CompletableFuture.completedFuture(HttpResponse.create().withEntity("ok"))),
        WAIT,
        "bind");

    HttpResponse failed = await(get("/fail"), WAIT, "GET /fail");
    failed.discardEntityBytes(system);
    HttpResponse ok = await(get("/ok"), WAIT, "GET /ok");

    assertEquals(500, failed.status().intValue());
    assertEquals("ok", body(ok));
  }

  private CompletionStage<HttpResponse> get(String path) {
    return http.singleRequest(
        HttpRequest.GET("http://10.0.0.3:8080" + path),
        http.defaultClientHttpsContext(),
        VirtualHttp.connectionPoolSettings(client),
        system.classicSystem().log());
  }

  private HttpResponse post(
      String text, org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings settings) {
    return await(
        http.singleRequest(
            HttpRequest.POST("http://10.0.0.3:8080/echo").withEntity(text),
            http.defaultClientHttpsContext(),
            settings,
            system.classicSystem().log()),
        WAIT,
        "POST " + text);
  }

  private String body(HttpResponse response) {
    return await(
            response
                .entity()
                .getDataBytes()
                .runFold(ByteString.emptyByteString(), ByteString::concat, system),
            WAIT,
            "response body")
        .utf8String();
  }
}
