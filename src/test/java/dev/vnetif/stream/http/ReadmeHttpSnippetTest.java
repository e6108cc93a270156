package dev.vnetif.stream.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vnetif.Stack;
import dev.vnetif.VirtualNetwork;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.stream.javadsl.Tcp;
import org.junit.jupiter.api.Test;

/** The README's "Pekko HTTP" snippet, kept compiling and working. */
class ReadmeHttpSnippetTest {

  @Test
  void theReadmeSnippetRunsAsWritten() throws Exception {
    ActorTestKit testKit = ActorTestKit.create("readme-http");
    try {
      ActorSystem<Void> system = testKit.system();
      VirtualNetwork net = VirtualNetwork.create(system);
      Stack server = net.createStack("10.0.0.3/24").toCompletableFuture().join();
      Stack client = net.createStack("10.0.0.2/24").toCompletableFuture().join();

      // --- as in the README
      Route route = path("hello", () -> get(() -> complete("hello from " + server.address())));
      Tcp.ServerBinding binding =
          VirtualHttp.bindAndHandle(server, 8080, route.flow(system)).toCompletableFuture().join();

      Http http = Http.get(system);
      ConnectionPoolSettings pool = VirtualHttp.connectionPoolSettings(client);
      HttpResponse response =
          http.singleRequest(
                  HttpRequest.GET("http://10.0.0.3:8080/hello"),
                  http.defaultClientHttpsContext(),
                  pool,
                  system.classicSystem().log())
              .toCompletableFuture()
              .join();
      binding.unbind();
      // --- end of the README's code

      assertEquals(200, response.status().intValue());
      assertEquals(
          "hello from /10.0.0.3",
          response
              .entity()
              .toStrict(5_000, system)
              .toCompletableFuture()
              .get(5, TimeUnit.SECONDS)
              .getData()
              .utf8String());
      assertEquals(
          pool,
          ConnectionPoolSettings.create(system.classicSystem())
              .withTransport(VirtualHttp.clientTransport(client)));
      http.shutdownAllConnectionPools().toCompletableFuture().get(5, TimeUnit.SECONDS);
      net.shutdown().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } finally {
      testKit.shutdownTestKit();
    }
  }
}
