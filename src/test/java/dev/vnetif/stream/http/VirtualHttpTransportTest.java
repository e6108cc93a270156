package dev.vnetif.stream.http;

import static dev.vnetif.testsupport.TcpTestSupport.await;
import static dev.vnetif.testsupport.TcpTestSupport.failureOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.vnetif.Stack;
import dev.vnetif.VirtualNetwork;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.stream.StreamTcpException;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Pekko HTTP's client over {@link VirtualHttpTransport}, against servers on a virtual host. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VirtualHttpTransportTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  final ActorTestKit testKit =
      ActorTestKit.create("virtual-http", ConfigFactory.load("application-test"));
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
  void aPooledRequestReachesAServerOnAnotherVirtualHost() {
    await(
        VirtualHttp.bindAndHandleAsync(
            server,
            8080,
            request ->
                CompletableFuture.completedFuture(
                    HttpResponse.create().withEntity("hello " + request.getUri().path()))),
        WAIT,
        "bind");

    HttpResponse response =
        await(singleRequest(HttpRequest.GET("http://10.0.0.3:8080/there")), WAIT, "response");

    assertEquals(200, response.status().intValue());
    assertEquals("hello /there", body(response));
  }

  @Test
  void aRefusedConnectionFailsTheRequestNamingTheAddress() {
    Throwable failure =
        failureOf(
            singleRequest(HttpRequest.GET("http://10.0.0.3:81/"), noRetries()),
            WAIT,
            "request to a closed port");

    assertInstanceOf(StreamTcpException.class, failure);
    assertTrue(failure.getMessage().contains("10.0.0.3:81"), failure.getMessage());
  }

  @Test
  void unbindStopsTheServerAcceptingConnections() {
    Tcp.ServerBinding binding =
        await(
            VirtualHttp.bindAndHandleAsync(
                server, 8080, request -> CompletableFuture.completedFuture(HttpResponse.create())),
            WAIT,
            "bind");
    assertEquals(200, await(oneConnection(8080), WAIT, "before unbind").status().intValue());

    await(binding.unbind(), WAIT, "unbind");

    Throwable failure = failureOf(oneConnection(8080), WAIT, "after unbind");
    assertInstanceOf(StreamTcpException.class, failure);
    assertTrue(failure.getMessage().contains("10.0.0.3:8080"), failure.getMessage());
  }

  @Test
  void hostNamesGivenToTheTransportResolveWithoutRegardToCase() {
    await(
        VirtualHttp.bindAndHandleAsync(
            server,
            80,
            request ->
                CompletableFuture.completedFuture(
                    HttpResponse.create().withEntity(request.getHeader("Host").get().value()))),
        WAIT,
        "bind");
    ConnectionPoolSettings named =
        ConnectionPoolSettings.create(system.classicSystem())
            .withTransport(VirtualHttp.clientTransport(client, Map.of("API", server.address())));

    HttpResponse response =
        await(singleRequest(HttpRequest.GET("http://api/"), named), WAIT, "response");

    assertEquals("api", body(response));
  }

  @Test
  void anUnknownHostFailsTheRequestNamingIt() {
    Throwable failure =
        failureOf(
            singleRequest(HttpRequest.GET("http://nowhere:8080/"), noRetries()),
            WAIT,
            "request to an unknown host");

    assertInstanceOf(IllegalArgumentException.class, failure);
    assertTrue(failure.getMessage().contains("unknown host 'nowhere'"), failure.getMessage());
  }

  @Test
  void transportsOfOneHostAreEqualSoTheirSettingsShareAPool() {
    assertEquals(
        VirtualHttp.connectionPoolSettings(client), VirtualHttp.connectionPoolSettings(client));
    assertEquals(VirtualHttpTransport.create(client), VirtualHttpTransport.create(client));
    assertNotEquals(VirtualHttpTransport.create(client), VirtualHttpTransport.create(server));
    assertNotEquals(
        VirtualHttpTransport.create(client),
        VirtualHttpTransport.create(client, Map.of("api", server.address())));
  }

  private CompletionStage<HttpResponse> singleRequest(HttpRequest request) {
    return singleRequest(request, VirtualHttp.connectionPoolSettings(client));
  }

  private CompletionStage<HttpResponse> singleRequest(
      HttpRequest request, ConnectionPoolSettings settings) {
    return http.singleRequest(
        request, http.defaultClientHttpsContext(), settings, system.classicSystem().log());
  }

  /** Pool settings that fail a request at its first failed connection (no retries). */
  private ConnectionPoolSettings noRetries() {
    return VirtualHttp.connectionPoolSettings(client).withMaxRetries(0);
  }

  /** A GET / over one new connection of its own, outside any pool. */
  private CompletionStage<HttpResponse> oneConnection(int port) {
    ClientConnectionSettings settings =
        ClientConnectionSettings.create(system.classicSystem())
            .withTransport(VirtualHttp.clientTransport(client));
    return Source.single(HttpRequest.GET("/"))
        .via(
            http.connectionTo(server.address().getHostAddress())
                .toPort(port)
                .withClientConnectionSettings(settings)
                .http())
        .runWith(Sink.head(), system);
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
