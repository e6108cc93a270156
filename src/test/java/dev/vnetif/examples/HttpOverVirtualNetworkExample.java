package dev.vnetif.examples;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.PathMatchers.integerSegment;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.vnetif.LinkConditions;
import dev.vnetif.Stack;
import dev.vnetif.VirtualNetwork;
import dev.vnetif.stream.http.VirtualHttp;
import dev.vnetif.time.VirtualTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * An HTTP server (a Pekko HTTP route) on host A and a Pekko HTTP client on host B, both on one
 * virtual network: the client's connection pool connects through {@link
 * VirtualHttp#connectionPoolSettings}, the server is bound with {@link VirtualHttp#bindAndHandle}.
 * Nothing else differs from Pekko HTTP over real sockets. The same exchange runs twice: in real
 * time, and in virtual time over a link with delay and loss, where it costs no wall time.
 *
 * <p>The continuations on Pekko's stages run on the actor system's executor ({@code
 * thenComposeAsync(..., system.executionContext())}): Pekko's Java API hands out Scala's adapter of
 * a future, which runs even a plain {@code thenApply} on the common pool, and in virtual time that
 * is outside the simulation, whose clock could move on meanwhile.
 */
class HttpOverVirtualNetworkExample {
  /** The seed of the POSTed body (its bytes, and so its hash, are the same every run). */
  static final long BODY_SEED = 11;

  static final int BODY_SIZE = 256 * 1024;
  static final int SQUARES = 10;

  @Test
  void aPekkoHttpClientTalksToAServerOnTheVirtualNetwork() throws Exception {
    ActorTestKit testKit = ActorTestKit.create("http-example");
    try {
      ActorSystem<Void> system = testKit.system();
      VirtualNetwork net = VirtualNetwork.create(system);
      Stack a = net.createStack("10.0.0.2/24").toCompletableFuture().get(10, TimeUnit.SECONDS);
      Stack b = net.createStack("10.0.0.3/24").toCompletableFuture().get(10, TimeUnit.SECONDS);
      AtomicInteger clientConnections = countConnectionsOpenedBy(net, b);
      Tcp.ServerBinding binding =
          VirtualHttp.bindAndHandle(a, 8080, routes().flow(system))
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);

      Exchange exchange = exchange(system, a, b).toCompletableFuture().get(30, TimeUnit.SECONDS);

      assertExchange(exchange);
      // The pool reuses its connections: 12 requests, at most max-connections (4) connections.
      assertTrue(clientConnections.get() <= 4, clientConnections + " connections opened");
      binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
      Http.get(system).shutdownAllConnectionPools().toCompletableFuture().get(10, TimeUnit.SECONDS);
      net.shutdown().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      testKit.shutdownTestKit();
    }
  }

  @Test
  void theSameExchangeInVirtualTimeOverALossyLink() {
    ActorTestKit testKit =
        ActorTestKit.create(
            "http-example-virtual",
            VirtualTime.config().withFallback(ConfigFactory.load("application-test")));
    try {
      ActorSystem<Void> system = testKit.system();
      VirtualTime time = VirtualTime.get(system);
      VirtualNetwork net = VirtualNetwork.create(system);
      Stack a = time.await(net.createStack("10.0.0.2/24"));
      Stack b = time.await(net.createStack("10.0.0.3/24"));
      time.await(net.setConditions(LinkConditions.none().delay(Duration.ofMillis(10)).loss(0.02)));
      Tcp.ServerBinding binding =
          time.await(VirtualHttp.bindAndHandle(a, 8080, routes().flow(system)));

      Duration start = time.now();
      Exchange exchange = time.await(exchange(system, a, b));
      Duration took = time.now().minus(start);

      assertExchange(exchange);
      // A handshake and a request take two round trips of 20 ms at least; each loss costs an RTO
      // (200 ms at least), and the 2% loss of this seed costs a few.
      assertTrue(took.compareTo(Duration.ofMillis(40)) >= 0, "took " + took);
      assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "took " + took);
      time.await(binding.unbind());
      time.await(Http.get(system).shutdownAllConnectionPools());
      time.await(net.shutdown());
    } finally {
      testKit.shutdownTestKit();
    }
  }

  /** What the client got back, and what it expected of the POST. */
  record Exchange(String hello, List<String> squares, String bodyHash, String expectedBodyHash) {}

  /**
   * From {@code client}, to the server on {@code server}: a GET, ten GETs at once through the pool,
   * and a POST of 256 KiB whose SHA-256 the server answers.
   */
  static CompletionStage<Exchange> exchange(ActorSystem<?> system, Stack server, Stack client) {
    String base = "http://" + server.address().getHostAddress() + ":8080";
    HttpClient http = new HttpClient(system, VirtualHttp.connectionPoolSettings(client));
    byte[] body = new byte[BODY_SIZE];
    new Random(BODY_SEED).nextBytes(body);

    CompletableFuture<String> hello = http.call(HttpRequest.GET(base + "/hello/virtual"));
    List<CompletableFuture<String>> squares = new ArrayList<>();
    for (int n = 1; n <= SQUARES; n++) {
      squares.add(http.call(HttpRequest.GET(base + "/square/" + n)));
    }
    CompletableFuture<String> hash =
        http.call(
            HttpRequest.POST(base + "/sha256")
                .withEntity(ContentTypes.APPLICATION_OCTET_STREAM, body));
    List<CompletableFuture<String>> all = new ArrayList<>(squares);
    all.add(hello);
    all.add(hash);
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenApply(
            done ->
                new Exchange(
                    hello.join(),
                    squares.stream().map(CompletableFuture::join).toList(),
                    hash.join(),
                    sha256Hex(ByteString.fromArray(body))));
  }

  /** The server: Pekko HTTP's routing DSL, as on any other server. */
  static Route routes() {
    return concat(
        path(segment("hello").slash(segment()), name -> get(() -> complete("hello, " + name))),
        path(
            segment("square").slash(integerSegment()),
            n -> get(() -> complete(Integer.toString(n * n)))),
        path(
            "sha256",
            () ->
                post(
                    () ->
                        entity(
                            Unmarshaller.entityToByteString(),
                            bytes -> complete(sha256Hex(bytes))))));
  }

  static void assertExchange(Exchange exchange) {
    assertEquals("hello, virtual", exchange.hello());
    for (int n = 1; n <= SQUARES; n++) {
      assertEquals(Integer.toString(n * n), exchange.squares().get(n - 1));
    }
    assertEquals(exchange.expectedBodyHash(), exchange.bodyHash());
  }

  /** Counts the connections {@code client} opens (its SYNs without ACK), as a tap sees them. */
  static AtomicInteger countConnectionsOpenedBy(VirtualNetwork net, Stack client) {
    AtomicInteger syns = new AtomicInteger();
    net.addListener(
        frame ->
            frame
                .tcp()
                .filter(segment -> segment.isSyn() && !segment.isAck())
                .filter(segment -> frame.ingressPort() == client.switchPort())
                .ifPresent(segment -> syns.incrementAndGet()));
    return syns;
  }

  /** Pekko HTTP's client through one pool: each response's status checked, its body as text. */
  record HttpClient(ActorSystem<?> system, ConnectionPoolSettings pool) {
    CompletableFuture<String> call(HttpRequest request) {
      Http http = Http.get(system);
      Executor inSystem = system.executionContext();
      return http.singleRequest(
              request, http.defaultClientHttpsContext(), pool, system.classicSystem().log())
          .thenComposeAsync(
              (HttpResponse response) -> {
                if (response.status().intValue() != 200) {
                  response.discardEntityBytes(system);
                  return CompletableFuture.failedFuture(
                      new AssertionError(request.getUri() + " answered " + response.status()));
                }
                return response.entity().toStrict(10_000, system);
              },
              inSystem)
          .thenApplyAsync(strict -> strict.getData().utf8String(), inSystem)
          .toCompletableFuture();
    }
  }

  static String sha256Hex(ByteString bytes) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toArrayUnsafe()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
