package dev.vnetif;

import static dev.vnetif.HostsIntegrationTest.await;
import static dev.vnetif.HostsIntegrationTest.awaitCondition;
import static dev.vnetif.HostsIntegrationTest.failureOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** RFC 6056 ephemeral ports: exhaustion fails the connect at once (mirage-tcpip issue 462). */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TcpEphemeralPortTest {
  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  @Test
  @DisplayName(
      "RFC 6056: with every ephemeral port in use towards a destination, connect fails at once naming the range; a freed port is reused; another destination port still works")
  void exhaustionFailsCleanly() {
    NetworkConfig config =
        NetworkConfig.fromConfig(testKit.system().settings().config())
            .withEphemeralPorts(50000, 50003);
    VirtualNetwork net = VirtualNetwork.create(testKit.system(), config);
    Stack server = await(net.createStack("10.0.0.3/24"));
    Stack client = await(net.createStack("10.0.0.2/24"));
    server.tcp().listen(80, flow -> new CompletableFuture<>()); // keep every connection open
    server.tcp().listen(81, flow -> new CompletableFuture<>());
    InetSocketAddress port80 = new InetSocketAddress(server.address(), 80);

    List<TcpFlow> flows = new ArrayList<>();
    Set<Integer> localPorts = new HashSet<>();
    for (int i = 0; i < 4; i++) {
      TcpFlow flow = await(client.tcp().createConnection(port80));
      flows.add(flow);
      localPorts.add(flow.src().getPort());
    }
    assertEquals(Set.of(50000, 50001, 50002, 50003), localPorts);

    long start = System.nanoTime();
    Throwable failure = failureOf(client.tcp().createConnection(port80));
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertInstanceOf(TcpException.class, failure);
    assertTrue(
        failure.getMessage().contains("50000..50003")
            && failure.getMessage().contains("10.0.0.3:80"),
        failure.getMessage());
    assertTrue(millis < 1_000, "failed at once, not after a search: " + millis + " ms");

    // The same local ports towards another destination port are other 4-tuples.
    TcpFlow other =
        await(client.tcp().createConnection(new InetSocketAddress(server.address(), 81)));
    assertTrue(localPorts.contains(other.src().getPort()));

    // An aborted connection leaves the table at once (no TIME_WAIT): its port is free again.
    int freed = flows.get(0).src().getPort();
    flows.get(0).abort();
    awaitCondition(() -> client.stats().openFlows() == 4, "the aborted flow left the table");
    TcpFlow again = await(client.tcp().createConnection(port80));
    assertEquals(freed, again.src().getPort());
    await(net.shutdown());
  }
}
