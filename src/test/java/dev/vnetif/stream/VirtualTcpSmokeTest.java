package dev.vnetif.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.vnetif.PortInUseException;
import dev.vnetif.Stack;
import dev.vnetif.VirtualNetwork;
import dev.vnetif.time.VirtualTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** VirtualTcp end to end in virtual time: echo, a taken port, idle timeout at its exact time. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VirtualTcpSmokeTest {
  final ActorTestKit testKit =
      ActorTestKit.create(
          "virtual-tcp", VirtualTime.config().withFallback(ConfigFactory.load("application-test")));
  final VirtualTime time = VirtualTime.get(testKit.system());

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void echoRoundTripsThroughBindAndOutgoingConnection() {
    VirtualNetwork net = VirtualNetwork.create(testKit.system());
    Stack client = time.await(net.createStack("10.0.0.2/24"));
    Stack server = time.await(net.createStack("10.0.0.3/24"));
    Tcp.ServerBinding binding =
        time.await(
            VirtualTcp.get(server)
                .bind("10.0.0.3", 7)
                .to(Sink.foreach(c -> c.handleWith(Flow.<ByteString>create(), testKit.system())))
                .run(testKit.system()));
    assertEquals(7, binding.localAddress().getPort());
    List<ByteString> chunks = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      chunks.add(ByteString.fromString("chunk " + i + ";"));
    }
    CompletionStage<ByteString> echoed =
        Source.from(chunks)
            .via(VirtualTcp.get(client).outgoingConnection("10.0.0.3", 7))
            .runFold(ByteString.emptyByteString(), ByteString::concat, testKit.system());
    ByteString expected = chunks.stream().reduce(ByteString.emptyByteString(), ByteString::concat);
    assertEquals(expected, time.await(echoed));

    // The port is taken while bound: the second bind fails naming host and port.
    CompletionStage<Tcp.ServerBinding> again =
        VirtualTcp.get(server).bind("10.0.0.3", 7).to(Sink.ignore()).run(testKit.system());
    CompletionException e = assertThrows(CompletionException.class, () -> time.await(again));
    assertInstanceOf(PortInUseException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("10.0.0.3:7"), e.getCause().getMessage());
    time.await(binding.unbind());
    time.await(net.shutdown());
  }

  @Test
  void anIdleConnectionFailsAtItsVirtualTimeout() {
    VirtualNetwork net = VirtualNetwork.create(testKit.system());
    Stack client = time.await(net.createStack("10.0.0.2/24"));
    Stack server = time.await(net.createStack("10.0.0.3/24"));
    time.await(
        VirtualTcp.get(server)
            .bind("10.0.0.3", 9)
            .to(Sink.foreach(c -> c.handleWith(Flow.<ByteString>create(), testKit.system())))
            .run(testKit.system()));
    Duration start = time.now();
    CompletionStage<?> done =
        Source.<ByteString>maybe()
            .via(
                VirtualTcp.get(client)
                    .outgoingConnection(
                        new java.net.InetSocketAddress("10.0.0.3", 9),
                        java.util.Optional.empty(),
                        List.of(),
                        true,
                        java.util.Optional.empty(),
                        java.util.Optional.of(Duration.ofMinutes(5))))
            .runWith(Sink.ignore(), testKit.system());
    CompletionException e = assertThrows(CompletionException.class, () -> time.await(done));
    assertInstanceOf(java.util.concurrent.TimeoutException.class, e.getCause());
    assertEquals(Duration.ofMinutes(5), time.now().minus(start));
    time.await(net.shutdown());
  }
}
