package dev.vnetif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.vnetif.time.VirtualTime;
import dev.vnetif.wire.TcpSegment;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The scripted delay step, in virtual time so that its effect is exact: Toxiproxy's {@code
 * slow_close} (every FIN held 5 s) and a slow handshake (the SYN-ACK held 300 ms), while the other
 * frames pass untouched.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScriptedDelayTest {
  final ActorTestKit testKit =
      ActorTestKit.create(
          "scripted-delay",
          VirtualTime.config().withFallback(ConfigFactory.load("application-test")));
  final VirtualTime time = VirtualTime.get(testKit.system());

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  static boolean isFin(Frame f) {
    return f.tcp().map(TcpSegment::isFin).orElse(false);
  }

  @Test
  void slowCloseHoldsEveryFinAndNothingElse() {
    VirtualNetwork net = VirtualNetwork.create(testKit.system());
    Stack a = time.await(net.createStack("10.0.0.2/24"));
    Stack b = time.await(net.createStack("10.0.0.3/24"));
    time.await(
        net.setConditions(
            LinkConditions.none().delay(ScriptedDelayTest::isFin, Duration.ofSeconds(5), "FINs")));
    CompletableFuture<Duration> dataAt = new CompletableFuture<>();
    CompletableFuture<Duration> eofAt = new CompletableFuture<>();
    b.tcp()
        .listen(
            80,
            flow ->
                flow.read()
                    .thenCompose(
                        r -> {
                          dataAt.complete(time.now());
                          return flow.read();
                        })
                    .thenApply(
                        r -> {
                          assertInstanceOf(ReadResult.Eof.class, r);
                          eofAt.complete(time.now());
                          return r;
                        }));
    TcpFlow client = time.await(a.tcp().createConnection(new InetSocketAddress(b.address(), 80)));
    Duration start = time.now();
    time.await(client.writeNodelay(ByteString.fromString("bye")));
    time.await(client.shutdown(ShutdownMode.WRITE));
    assertEquals(start, time.await(dataAt), "data is not delayed");
    assertEquals(start.plusSeconds(5), time.await(eofAt), "the FIN is held exactly 5 s");
    ConditionStats stats = time.await(net.conditionStats());
    assertTrue(stats.toString().contains("delay 5s FINs"), stats.toString());
    time.await(net.shutdown());
  }

  @Test
  void aSlowHandshakeDelaysOnlyTheSynAck() {
    VirtualNetwork net = VirtualNetwork.create(testKit.system());
    Stack a = time.await(net.createStack("10.0.0.2/24"));
    Stack b = time.await(net.createStack("10.0.0.3/24"));
    List<String> seen = new CopyOnWriteArrayList<>();
    time.await(
        net.setConditions(
            b,
            a,
            LinkConditions.none()
                .delay(
                    f -> f.tcp().map(s -> s.isSyn() && s.isAck()).orElse(false),
                    Duration.ofMillis(300),
                    "SYN-ACKs")));
    b.tcp().listen(80, flow -> new CompletableFuture<>());
    Duration start = time.now();
    time.await(a.tcp().createConnection(new InetSocketAddress(b.address(), 80)));
    assertEquals(Duration.ofMillis(300), time.now().minus(start), "connect took the delay");
    time.await(net.shutdown());
    assertTrue(seen.isEmpty());
  }

  @Test
  void argumentsAreChecked() {
    assertThrows(
        NullPointerException.class, () -> LinkConditions.none().delay(null, Duration.ZERO, "x"));
    assertThrows(
        IllegalArgumentException.class,
        () -> LinkConditions.none().delay(f -> true, Duration.ofSeconds(-1), "x"));
    assertEquals(
        "delay 5s FINs",
        LinkConditions.none()
            .delay(f -> true, Duration.ofSeconds(5), "FINs")
            .steps()
            .get(0)
            .toString());
  }
}
