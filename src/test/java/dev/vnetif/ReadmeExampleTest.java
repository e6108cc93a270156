package dev.vnetif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's example, kept compiling and working. */
class ReadmeExampleTest {

  @Test
  @DisplayName("the README example runs as written")
  void readmeExample(@TempDir Path dir) throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "demo");
    try {
      VirtualNetwork net = VirtualNetwork.create(system);

      Stack a = net.createStack("10.0.0.2/24").toCompletableFuture().join();
      Stack b =
          net.createStack(StackConfig.of("10.0.0.3/24").withMtu(9000).withName("b"))
              .toCompletableFuture()
              .join();

      AtomicInteger icmpFrames = new AtomicInteger();
      TapId tap =
          net.addListener(frame -> frame.icmp().ifPresent(icmp -> icmpFrames.incrementAndGet()));

      a.ping(b.address(), Duration.ofSeconds(1)).toCompletableFuture().join();

      b.udp().listen(7, d -> b.udp().send(7, d.src(), d.payload()));
      java.util.concurrent.CompletableFuture<UdpDatagram> echoed =
          new java.util.concurrent.CompletableFuture<>();
      a.udp().listen(5000, echoed::complete);
      a.udp().send(5000, new InetSocketAddress(b.address(), 7), ByteString.fromString("hi"));
      assertEquals(
          "hi", echoed.get(5, java.util.concurrent.TimeUnit.SECONDS).payload().utf8String());

      Path pcap = dir.resolve("run.pcap");
      net.recordPcap(pcap, () -> a.ping(b.address(), Duration.ofSeconds(1)))
          .toCompletableFuture()
          .join();

      assertTrue(a.stats().txPackets() >= 3, a.stats().toString());
      net.removeListener(tap).toCompletableFuture().join();
      assertTrue(icmpFrames.get() >= 4, "two echo exchanges seen by the tap");
      // 24-byte file header + 2 records of 16 + 98 bytes (the echo request and reply)
      assertEquals(24 + 2 * (16 + 98), Files.size(pcap));
      net.shutdown().toCompletableFuture().join();
    } finally {
      system.terminate();
    }
  }
}
