package dev.vnetif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.vnetif.stack.DropReason;
import dev.vnetif.time.VirtualTime;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.TcpSegment;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code Tcp.input}, the seed's entry from IPv4 into TCP: a segment handed to it is treated as one
 * from the wire — a SYN is answered with a SYN-ACK, a segment for no connection with a RST, and a
 * bad checksum is counted and dropped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TcpInputTest {
  final ActorTestKit testKit =
      ActorTestKit.create(
          "tcp-input", VirtualTime.config().withFallback(ConfigFactory.load("application-test")));
  final VirtualTime time = VirtualTime.get(testKit.system());

  VirtualNetwork net;
  Stack a;
  Stack b;
  final List<TcpSegment> fromB = new CopyOnWriteArrayList<>();
  final List<String> all = new CopyOnWriteArrayList<>();

  @BeforeEach
  void network() {
    net = VirtualNetwork.create(testKit.system());
    a = time.await(net.createStack("10.0.0.2/24"));
    b = time.await(net.createStack("10.0.0.3/24"));
    time.await(a.ping(b.address(), Duration.ofSeconds(1))); // ARP resolved both ways
    fromB.clear();
    net.addListener(
        f -> {
          all.add(f.toString() + f.tcp());
          if (f.ingressHost().equals(b.name())) {
            f.tcp().ifPresent(fromB::add);
          }
        });
    time.runUntilIdle();
  }

  @AfterEach
  void shutdown() {
    time.await(net.shutdown());
  }

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  ByteString encoded(TcpSegment segment) {
    return segment.encode(Ipv4Address.fromInet(a.address()), Ipv4Address.fromInet(b.address()));
  }

  @Test
  void aSynHandedToInputIsAnsweredWithASynAckOnTheWire() {
    b.tcp().listen(80, flow -> new CompletableFuture<>());
    time.runUntilIdle();
    TcpSegment syn = TcpSegment.of(40000, 80, 1000, 0, TcpSegment.SYN, 65535);
    b.tcp().input(a.address(), b.address(), encoded(syn));
    time.advance(Duration.ofMillis(1));
    TcpSegment synAck = fromB.get(0);
    assertTrue(synAck.isSyn() && synAck.isAck(), synAck.toString());
    assertEquals(80, synAck.sourcePort());
    assertEquals(40000, synAck.destinationPort());
    assertEquals(1001, synAck.ack(), "acknowledges the SYN");
  }

  @Test
  void aSegmentForNoConnectionGetsARst() {
    TcpSegment stray = TcpSegment.of(40001, 81, 5000, 7000, TcpSegment.ACK, 65535);
    b.tcp().input(a.address(), b.address(), encoded(stray));
    time.advance(Duration.ofMillis(1));
    assertEquals(1, fromB.size(), all + " " + b.stats());
    TcpSegment rst = fromB.get(0);
    assertTrue(rst.isRst(), rst.toString());
    assertEquals(7000, rst.seq(), "RFC 9293 §3.10.7.1: SEG.ACK becomes the RST's sequence number");
  }

  @Test
  void aBadChecksumIsCountedAndDropped() {
    long before = b.stats().drops(DropReason.TCP_BAD_CHECKSUM);
    byte[] bytes = encoded(TcpSegment.of(40002, 80, 1, 0, TcpSegment.SYN, 65535)).toArray();
    bytes[4] ^= 0x01; // a sequence-number bit: the checksum no longer matches
    b.tcp().input(a.address(), b.address(), ByteString.fromArray(bytes));
    time.advance(Duration.ofMillis(1));
    assertEquals(before + 1, b.stats().drops(DropReason.TCP_BAD_CHECKSUM));
    assertEquals(List.of(), fromB);
  }

  @Test
  void aSegmentForAnotherAddressIsNotForUs() throws Exception {
    long before = b.stats().drops(DropReason.IPV4_NOT_FOR_US);
    Inet4Address elsewhere = (Inet4Address) Inet4Address.getByName("10.0.0.99");
    b.tcp().input(a.address(), elsewhere, encoded(TcpSegment.of(1, 80, 1, 0, TcpSegment.SYN, 100)));
    time.advance(Duration.ofMillis(1));
    assertEquals(before + 1, b.stats().drops(DropReason.IPV4_NOT_FOR_US));
    assertThrows(IllegalArgumentException.class, () -> b.tcp().input(null, elsewhere, null));
  }
}
