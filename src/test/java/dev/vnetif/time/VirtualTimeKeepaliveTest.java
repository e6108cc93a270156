package dev.vnetif.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.vnetif.Frame;
import dev.vnetif.Keepalive;
import dev.vnetif.LinkConditions;
import dev.vnetif.ReadResult;
import dev.vnetif.Stack;
import dev.vnetif.TcpFlow;
import dev.vnetif.VirtualNetwork;
import dev.vnetif.wire.TcpSegment;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * mirage-tcpip's {@code test_keepalive} at its real length: the peer vanishes, and Linux's default
 * keepalive (2 hours idle, then 9 probes 75 s apart) runs out — 2 h 11 min of virtual time in well
 * under a second of wall time, with every probe at its exact virtual instant.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VirtualTimeKeepaliveTest {
  final ActorTestKit testKit =
      ActorTestKit.create(
          "keepalive", VirtualTime.config().withFallback(ConfigFactory.load("application-test")));
  final VirtualTime time = VirtualTime.get(testKit.system());

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void twoHourKeepaliveRunsOutInUnderASecond() {
    VirtualNetwork net = VirtualNetwork.create(testKit.system());
    Stack a = time.await(net.createStack("10.0.0.2/24"));
    Stack b = time.await(net.createStack("10.0.0.3/24"));
    List<Frame> fromA = new ArrayList<>();
    List<Frame> fromB = new ArrayList<>();
    // Taps run inside the simulation; the lists are read only once it is idle.
    net.addListener(
        f -> {
          if (f.tcp().isPresent()) {
            (f.ingressHost().equals(a.name()) ? fromA : fromB).add(f);
          }
        });
    b.tcp().listen(80, flow -> new CompletableFuture<>());
    Keepalive linuxDefaults = new Keepalive(Duration.ofHours(2), Duration.ofSeconds(75), 9);
    TcpFlow client =
        time.await(a.tcp().createConnection(new InetSocketAddress(b.address(), 80), linuxDefaults));
    time.runUntilIdle();
    // The peer vanishes without a word: nothing a sends over TCP reaches it. ARP still works, as
    // it would for a host whose TCP hung, so a's probes (2 h later, with its ARP entry long
    // expired) go out on the wire where the tap sees them.
    time.await(
        net.setConditions(
            a, b, LinkConditions.none().drop(f -> f.tcp().isPresent(), "every TCP segment a->b")));

    long wallStart = System.nanoTime();
    ReadResult read = time.await(client.read());
    long wallMillis = (System.nanoTime() - wallStart) / 1_000_000;

    assertInstanceOf(ReadResult.Eof.class, read, String.valueOf(read));
    // The last thing a heard from b: the SYN-ACK. Keepalive counts from there.
    Frame synAck = fromB.get(0);
    assertTrue(synAck.tcp().get().isSyn() && synAck.tcp().get().isAck(), synAck.toString());
    long heard = synAck.epochNanos();
    List<Long> probeOffsets = new ArrayList<>();
    for (Frame f : fromA) {
      TcpSegment s = f.tcp().get();
      if (!s.isSyn() && f.epochNanos() > heard + Duration.ofMinutes(1).toNanos()) {
        probeOffsets.add(f.epochNanos() - heard);
      }
    }
    List<Long> expected = new ArrayList<>();
    for (int k = 0; k < 9; k++) {
      expected.add(Duration.ofHours(2).plusSeconds(75L * k).toNanos());
    }
    assertEquals(expected, probeOffsets, "probe times after the SYN-ACK, in ns");
    long endOffset = time.clock().epochNanos() - heard;
    assertEquals(
        Duration.ofHours(2).plusSeconds(75 * 9).toNanos(),
        endOffset,
        "the connection is declared dead one interval after the 9th probe");
    System.out.printf(
        "VirtualTimeKeepaliveTest: %s of virtual time in %d ms of wall time%n",
        Duration.ofNanos(endOffset), wallMillis);
    assertTrue(wallMillis < 1000, "took " + wallMillis + " ms of wall time");
  }
}
