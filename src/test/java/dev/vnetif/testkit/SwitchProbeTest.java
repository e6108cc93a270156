package dev.vnetif.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.vnetif.Frame;
import dev.vnetif.Stack;
import dev.vnetif.TcpFlow;
import dev.vnetif.VirtualNetwork;
import dev.vnetif.time.VirtualTime;
import dev.vnetif.wire.ArpPacket;
import dev.vnetif.wire.IcmpPacket;
import dev.vnetif.wire.TcpSegment;
import dev.vnetif.wire.UdpPacket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * SwitchProbe against real connections, in real time and in virtual time: exact frame sequences,
 * failure messages that list the frames, and waits that move virtual time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SwitchProbeTest {
  final ActorTestKit real = ActorTestKit.create("switch-probe-real");
  final ActorTestKit virtual =
      ActorTestKit.create(
          "switch-probe-virtual",
          VirtualTime.config().withFallback(ConfigFactory.load("application-test")));
  final VirtualTime time = VirtualTime.get(virtual.system());

  ActorTestKit kit;
  VirtualNetwork net;
  Stack a;
  Stack b;

  @AfterEach
  void shutdown() {
    if (net != null) {
      await(net.shutdown());
    }
  }

  @AfterAll
  void stop() {
    real.shutdownTestKit();
    virtual.shutdownTestKit();
  }

  /** Two hosts on a fresh network of {@code testKit}'s system, created before the probe. */
  void hosts(ActorTestKit testKit) {
    kit = testKit;
    net = VirtualNetwork.create(kit.system());
    a = await(net.createStack("10.0.0.2/24"));
    b = await(net.createStack("10.0.0.3/24"));
  }

  <T> T await(CompletionStage<T> stage) {
    if (kit == virtual) {
      return time.await(stage);
    }
    try {
      return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * The three-way handshake, then the client's close: FIN, ACK, the server's FIN, ACK. In virtual
   * time the ARP exchange before it is exact too; in real time a host's gratuitous ARP may still be
   * on its way when the other starts to resolve, so ARP may interleave and is ignored.
   */
  void handshakeAndFin() {
    b.tcp().listen(80, flow -> flow.read().thenCompose(r -> flow.close()));
    try (SwitchProbe all = SwitchProbe.create(net, kit)) {
      SwitchProbe probe = kit == virtual ? all : all.ignoringArp();
      TcpFlow flow = await(a.tcp().createConnection(new InetSocketAddress(b.address(), 80)));
      if (kit == virtual) {
        probe.expectArpRequest(a, b);
        probe.expectArpReply(b, a);
      }
      TcpSegment syn = probe.expectTcp(a, new InetSocketAddress(b.address(), 80), "S");
      TcpSegment synAck = probe.expectTcp(b, a, "SA");
      TcpSegment ack = probe.expectTcp(a, b, "A");
      assertEquals(syn.seq() + 1, synAck.ack(), "the SYN-ACK acknowledges the SYN");
      assertEquals(synAck.seq() + 1, ack.ack(), "the ACK acknowledges the SYN-ACK");
      assertEquals(flow.src().getPort(), syn.sourcePort());

      await(flow.close());
      TcpSegment fin = probe.expectTcp(a, b, "FA");
      TcpSegment finAck = probe.expectTcp(b, a, "A");
      TcpSegment serverFin = probe.expectTcp(b, a, "FA");
      TcpSegment lastAck = probe.expectTcp(a, b, "A");
      assertEquals(fin.seq() + 1, finAck.ack(), "the FIN takes one sequence number");
      assertEquals(serverFin.seq() + 1, lastAck.ack());
      probe.expectNoFrame(Duration.ofMillis(200));
    }
  }

  @Test
  void handshakeAndFinExchangeInRealTime() {
    hosts(real);
    handshakeAndFin();
  }

  @Test
  void handshakeAndFinExchangeInVirtualTime() {
    hosts(virtual);
    Duration start = time.now();
    handshakeAndFin();
    assertEquals(Duration.ofMillis(200), time.now().minus(start), "only expectNoFrame moved time");
  }

  @Test
  @org.junit.jupiter.api.DisplayName(
      "RFC 7323 §3.2, RFC 2018 §2 on the wire: SYN and SYN-ACK carry SACK-permitted and timestamps, every later segment timestamps echoing the peer's, data 1448 bytes a segment")
  void timestampsAndSackOnTheWire() {
    hosts(virtual);
    b.tcp().listen(80, flow -> flow.read().thenCompose(r -> flow.close()));
    try (SwitchProbe probe = SwitchProbe.create(net, kit).ignoringArp()) {
      TcpFlow flow = await(a.tcp().createConnection(new InetSocketAddress(b.address(), 80)));
      TcpSegment syn = probe.expectTcp(a, b, "S");
      TcpSegment synAck = probe.expectTcp(b, a, "SA");
      TcpSegment ack = probe.expectTcp(a, b, "A");
      assertTrue(syn.options().sackPermitted(), syn.toString());
      assertEquals(0, syn.options().timestamps().echoReply(), syn.toString());
      assertTrue(synAck.options().sackPermitted(), synAck.toString());
      assertEquals(syn.options().timestamps().value(), synAck.options().timestamps().echoReply());
      assertEquals(synAck.options().timestamps().value(), ack.options().timestamps().echoReply());
      await(flow.write(ByteString.fromArray(new byte[3000])));
      TcpSegment data = probe.expectTcp(a, b, "A");
      assertEquals(1448, data.payload().length(), "MSS 1460 less 12 bytes of timestamps");
      assertEquals(synAck.options().timestamps().value(), data.options().timestamps().echoReply());
      assertTrue(data.options().sackBlocks().isEmpty(), "nothing out of order: no SACK blocks");
    }
  }

  @Test
  void aFailedExpectationListsTheFramesItSaw() {
    hosts(virtual);
    b.tcp().listen(80, flow -> new CompletableFuture<>());
    try (SwitchProbe probe = SwitchProbe.create(net, kit)) {
      a.tcp().createConnection(new InetSocketAddress(b.address(), 80));
      AssertionError arpFirst =
          assertThrows(AssertionError.class, () -> probe.expectTcp(a, b, "S"));
      assertTrue(
          arpFirst
              .getMessage()
              .startsWith(
                  "expected TCP 10.0.0.2:* > 10.0.0.3:* [S] within 3s of virtual time, but the"
                      + " next frame was not it:\n"),
          arpFirst.getMessage());
      assertTrue(
          arpFirst
              .getMessage()
              .matches(
                  "(?s).*\n +1 0\\.000000 10\\.0\\.0\\.2 +ARP who-has 10\\.0\\.0\\.3 tell 10\\.0\\.0\\.2$"),
          arpFirst.getMessage());

      AssertionError notSynAck =
          assertThrows(AssertionError.class, () -> probe.ignoringArp().expectTcp(a, b, "SA"));
      String text = notSynAck.getMessage();
      assertTrue(text.startsWith("expected TCP 10.0.0.2:* > 10.0.0.3:* [S.] within 3s"), text);
      assertTrue(text.contains("ARP 10.0.0.3 is-at " + b.mac() + "   (ignored)"), text);
      assertTrue(
          text.matches(
              "(?s).*\n +3 0\\.000000 10\\.0\\.0\\.2 +10\\.0\\.0\\.2:\\d+ > 10\\.0\\.0\\.3:80 TCP \\[S\\]"
                  + " seq \\d+ win 65535 len 0 \\[mss=1460,sackOK,ts=\\d+/0,ws=\\d+\\]$"),
          text);
      assertEquals(2, text.split("\n").length - 1, "the ignored ARP reply and the SYN: " + text);
    }
  }

  @Test
  void anExpectationThatTimesOutListsTheLastFramesAndEndsAtItsDeadline() {
    hosts(virtual);
    try (SwitchProbe probe = SwitchProbe.create(net, kit)) {
      await(a.ping(b.address(), Duration.ofSeconds(1)));
      probe.ignoringArp().expectIcmpEchoRequest(a, b);
      probe.expectIcmpEchoReply(b, a);
      Duration start = time.now();
      AssertionError none =
          assertThrows(
              AssertionError.class, () -> probe.within(Duration.ofSeconds(5)).expectUdp(a, b));
      assertEquals(Duration.ofSeconds(5), time.now().minus(start), "5 s of virtual time passed");
      String text = none.getMessage();
      assertTrue(
          text.startsWith(
              "expected UDP 10.0.0.2:* > 10.0.0.3:* within 5s of virtual time, but no frame came;"
                  + " the last frames before were:\n"),
          text);
      assertTrue(text.contains("ARP who-has 10.0.0.3 tell 10.0.0.2"), text);
      assertTrue(
          text.matches(
              "(?s).*10\\.0\\.0\\.2 > 10\\.0\\.0\\.3 ICMP echo request id \\d+ seq 1 len 56.*"),
          text);
      assertTrue(
          text.matches(
              "(?s).*10\\.0\\.0\\.3 > 10\\.0\\.0\\.2 ICMP echo reply id \\d+ seq 1 len 56$"),
          text);
    }
  }

  @Test
  void aRetransmittedSynIsSeenAtItsVirtualTime() {
    hosts(virtual);
    ScriptedPeer silent = ScriptedPeer.attach(net, kit.system(), "10.0.0.9");
    try (SwitchProbe probe = SwitchProbe.create(net, kit).ignoringArp()) {
      a.tcp().createConnection(silent.socket(80));
      TcpSegment first = probe.expectTcp(a, silent.socket(80), "S");
      long sentAt = probe.lastFrame().epochNanos();
      // A real-time wait would never see this one: the retransmission timer fires only as the
      // probe lets virtual time pass.
      TcpSegment again = probe.expectTcp(a, silent.socket(80), "S");
      assertEquals(first.seq(), again.seq(), "the same SYN again");
      assertEquals(
          Duration.ofSeconds(1).toNanos(),
          probe.lastFrame().epochNanos() - sentAt,
          "RFC 6298 §2.1: the first retransmission after the initial RTO of 1 s");
      probe.expectNoFrame(Duration.ofMillis(1999));
      probe.expectTcp(a, silent.socket(80), "S");
      assertEquals(Duration.ofSeconds(3).toNanos(), probe.lastFrame().epochNanos() - sentAt);
    }
  }

  @Test
  void expectNoFrameFailsOnTheFirstFrameAndNamesIt() {
    hosts(virtual);
    try (SwitchProbe probe = SwitchProbe.create(net, kit)) {
      a.ping(b.address(), Duration.ofSeconds(1));
      AssertionError arp =
          assertThrows(AssertionError.class, () -> probe.expectNoFrame(Duration.ofSeconds(1)));
      assertTrue(
          arp.getMessage()
              .matches(
                  "expected no frame for 1s of virtual time, but saw:\n +1 0\\.000000 10\\.0\\.0\\.2 +ARP who-has 10\\.0\\.0\\.3 tell 10\\.0\\.0\\.2"),
          arp.getMessage());
      AssertionError echo =
          assertThrows(
              AssertionError.class, () -> probe.ignoringArp().expectNoFrame(Duration.ofSeconds(1)));
      assertTrue(echo.getMessage().contains("   (ignored)\n"), echo.getMessage());
      assertTrue(echo.getMessage().contains("ICMP echo request"), echo.getMessage());
    }
  }

  @Test
  void arpThenAnEchoInVirtualTime() {
    hosts(virtual);
    try (SwitchProbe probe = SwitchProbe.create(net, kit)) {
      await(a.ping(b.address(), Duration.ofSeconds(1)));
      ArpPacket request = probe.expectArpRequest(a, b);
      assertEquals(a.mac(), request.senderMac());
      ArpPacket reply = probe.expectArpReply(b, a);
      assertEquals(b.mac(), reply.senderMac());
      assertEquals(a.mac(), reply.targetMac());
      IcmpPacket ping = probe.expectIcmpEchoRequest(a, b);
      IcmpPacket pong = probe.expectIcmpEchoReply(b, a);
      assertEquals(ping.identifier(), pong.identifier());
      probe.expectNoFrame(Duration.ofSeconds(10));
    }
  }

  @Test
  void icmpAndUdpInRealTime() {
    hosts(real);
    b.udp().listen(7, d -> b.udp().send(7, d.src(), d.payload()));
    CompletableFuture<ByteString> echoed = new CompletableFuture<>();
    a.udp().listen(5000, d -> echoed.complete(d.payload()));
    // Resolved both ways first: in real time the hosts' gratuitous ARPs may still be in flight.
    await(a.ping(b.address(), Duration.ofSeconds(1)));
    await(b.ping(a.address(), Duration.ofSeconds(1)));
    try (SwitchProbe probe = SwitchProbe.create(net, kit)) {
      await(a.ping(b.address(), Duration.ofSeconds(1)));
      IcmpPacket ping = probe.expectIcmpEchoRequest(a, b);
      IcmpPacket pong = probe.expectIcmpEchoReply(b, a);
      assertEquals(ping.identifier(), pong.identifier());
      assertEquals(ping.sequence(), pong.sequence());

      a.udp().send(5000, new InetSocketAddress(b.address(), 7), ByteString.fromString("hi"));
      UdpPacket out =
          probe.expectUdp(
              new InetSocketAddress(a.address(), 5000), new InetSocketAddress(b.address(), 7));
      assertEquals("hi", out.payload().utf8String());
      UdpPacket back = probe.expectUdp(b, a);
      assertEquals(5000, back.destinationPort());
      assertEquals("hi", await(echoed).utf8String());
      probe.expectNoFrame(Duration.ofMillis(100));
    }
  }

  @Test
  void fishingSkipsUnrelatedFramesAndAPredicateCanSayWhatItWants() {
    hosts(virtual);
    b.tcp().listen(80, flow -> new CompletableFuture<>());
    try (SwitchProbe probe = SwitchProbe.create(net, kit)) {
      a.tcp().createConnection(new InetSocketAddress(b.address(), 80));
      Frame synAck =
          probe.fishForFrame(
              FrameMatcher.tcp(FrameMatcher.anyPort(b), FrameMatcher.anyPort(a), "SA"));
      assertEquals(b.name(), synAck.ingressHost());
      Frame ack =
          probe.expectFrame(f -> f.tcp().map(s -> s.has(TcpSegment.ACK)).orElse(false), "any ACK");
      assertEquals(a.name(), ack.ingressHost());
      AssertionError nothing =
          assertThrows(
              AssertionError.class,
              () -> probe.within(Duration.ofSeconds(1)).fishForFrame(f -> false, "a unicorn"));
      assertTrue(
          nothing.getMessage().startsWith("expected a unicorn within 1s of virtual time"),
          nothing.getMessage());
    }
  }

  @Test
  void aClosedProbeSeesNoMoreAndSaysSo() {
    hosts(real);
    SwitchProbe probe = SwitchProbe.create(net, kit);
    probe.close();
    probe.close();
    IllegalStateException closed =
        assertThrows(IllegalStateException.class, () -> probe.receiveFrame());
    assertEquals("the switch probe is closed", closed.getMessage());
  }
}
