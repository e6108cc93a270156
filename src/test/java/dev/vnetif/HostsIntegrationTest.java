package dev.vnetif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.link.SwitchStats;
import dev.vnetif.stack.DropReason;
import dev.vnetif.testsupport.TcpTestSupport;
import dev.vnetif.wire.ArpPacket;
import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.IcmpPacket;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.Ipv4Packet;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Hosts on one switch: ICMP, ARP, routing, UDP, disconnect, observed through taps. */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostsIntegrationTest {
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  VirtualNetwork net;

  @BeforeEach
  void newNetwork() {
    net = VirtualNetwork.create(testKit.system());
  }

  @AfterEach
  void shutdown() {
    await(net.shutdown());
  }

  static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("stage did not complete within " + TIMEOUT, e);
    } catch (ExecutionException e) {
      throw new CompletionException(e.getCause());
    }
  }

  static Throwable failureOf(CompletionStage<?> stage) {
    CompletionException e = assertThrows(CompletionException.class, () -> await(stage));
    return e.getCause();
  }

  Stack host(String cidr) {
    return await(net.createStack(cidr));
  }

  @Test
  @DisplayName("three hosts on one switch ping each other (ICMP echo, RFC 792)")
  void threeHostsPingEachOther() {
    List<Stack> hosts = List.of(host("10.0.0.2/24"), host("10.0.0.3/24"), host("10.0.0.4/24"));
    for (Stack from : hosts) {
      for (Stack to : hosts) {
        if (from != to) {
          PingReply reply = await(from.echo(to.address(), 56, TIMEOUT));
          assertEquals(to.address(), reply.from());
          assertEquals(56, reply.payloadSize());
          assertEquals(64, reply.ttl());
        }
      }
    }
    for (Stack h : hosts) {
      // 2 requests answered + 2 replies received = 4 datagrams in, 4 out; nothing dropped
      assertEquals(4, h.stats().rxPackets(), h + " " + h.stats());
      assertEquals(4, h.stats().txPackets(), h + " " + h.stats());
    }
  }

  @Test
  @DisplayName("ARP is resolved once, then cached: one request, one reply, then only IPv4")
  void arpResolvedOnceThenCached() throws Exception {
    Stack a = host("10.0.0.2/24");
    Stack b = host("10.0.0.3/24");
    // b's gratuitous ARP travels through the switch while the test goes on: let it reach a
    // first, or a ping issued meanwhile can be completed by it (RFC 826 merges a sender that
    // is being resolved) and the echo request then overtakes b's ARP reply.
    awaitCondition(() -> a.stats().rxFrames() >= 1, "b's announcement reached a");
    ConcurrentLinkedQueue<Frame> seen = new ConcurrentLinkedQueue<>();
    TapId tap = net.addListener(seen::add);
    for (int i = 0; i < 3; i++) {
      await(a.ping(b.address(), TIMEOUT));
    }
    await(net.removeListener(tap));
    List<Frame> frames = new ArrayList<>(seen);
    String trace = describe(frames);
    assertEquals(
        2 + 6, frames.size(), "ARP request + reply + 3 echo requests + 3 replies\n" + trace);
    ArpPacket request = frames.get(0).arp().orElseThrow(() -> new AssertionError(trace));
    assertTrue(request.isRequest());
    assertEquals(Ipv4Address.fromInet(b.address()), request.targetIp());
    assertEquals(a.mac(), frames.get(0).ethernet().orElseThrow().source());
    assertTrue(frames.get(0).ethernet().orElseThrow().destination().isBroadcast());
    ArpPacket reply = frames.get(1).arp().orElseThrow(() -> new AssertionError(trace));
    assertTrue(reply.isReply());
    assertEquals(b.mac(), reply.senderMac());
    assertEquals(a.mac(), frames.get(1).ethernet().orElseThrow().destination());
    for (Frame f : frames.subList(2, frames.size())) {
      assertTrue(f.ipv4().isPresent(), "only IPv4 after resolution, got " + f);
      assertTrue(f.arp().isEmpty());
    }
  }

  @Test
  @DisplayName(
      "an off-link destination is reached only through the gateway's MAC (RFC 1122 §3.3.1)")
  void offLinkGoesThroughGateway() {
    Stack gateway = host("10.0.0.1/24");
    Stack a = await(net.createStack(StackConfig.of("10.0.0.2/24").withGateway("10.0.0.1")));
    Stack faraway = host("192.168.1.5/24");
    ConcurrentLinkedQueue<Frame> seen = new ConcurrentLinkedQueue<>();
    TapId tap = net.addListener(seen::add);
    await(a.udp().send(new InetSocketAddress(faraway.address(), 9), ByteString.fromString("hi")));
    await(net.removeListener(tap));

    List<Frame> frames = new ArrayList<>(seen);
    ArpPacket arpRequest = frames.get(0).arp().orElseThrow();
    assertEquals(
        Ipv4Address.fromInet(gateway.address()),
        arpRequest.targetIp(),
        "ARP asks for the gateway, not the far destination");
    Frame datagram = frames.stream().filter(f -> f.udp().isPresent()).findFirst().orElseThrow();
    assertEquals(gateway.mac(), datagram.ethernet().orElseThrow().destination());
    assertEquals(
        Ipv4Address.fromInet(faraway.address()), datagram.ipv4().orElseThrow().destination());
    String trace = describe(frames);
    assertTrue(
        frames.stream()
            .noneMatch(f -> faraway.mac().equals(f.ethernet().orElseThrow().destination())),
        "no frame is addressed to the far host's MAC\n" + trace);
    assertTrue(
        frames.stream()
            .flatMap(f -> f.arp().stream())
            .noneMatch(arp -> arp.targetIp().equals(Ipv4Address.fromInet(faraway.address()))),
        "nobody asks ARP for the far address\n" + trace);
    // The gateway host does not route: it counts the datagram as not for it, once it has
    // handled it (the tap may see the frame before the gateway does).
    awaitCondition(
        () -> gateway.stats().drops(DropReason.IPV4_NOT_FOR_US) >= 1,
        "the gateway handled the datagram");
    assertEquals(1, gateway.stats().drops(DropReason.IPV4_NOT_FOR_US));
    assertEquals(0, faraway.stats().rxPackets(), "the far host never sees the datagram");
  }

  @Test
  @DisplayName("no gateway and an off-link destination: NoRouteException naming both addresses")
  void noRoute() {
    Stack a = host("10.0.0.2/24");
    Throwable failure =
        failureOf(
            a.udp().send(new InetSocketAddress("192.168.7.7", 53), ByteString.fromString("x")));
    assertInstanceOf(NoRouteException.class, failure);
    assertTrue(
        failure.getMessage().contains("10.0.0.2") && failure.getMessage().contains("192.168.7.7"),
        failure.getMessage());
    assertInstanceOf(
        NoRouteException.class, failureOf(a.ping(Ipv4Address.of("172.16.0.1").toInet(), TIMEOUT)));
    assertEquals(2, a.stats().drops(DropReason.NO_ROUTE));
  }

  @Test
  @DisplayName("UDP round trip between two hosts (RFC 768)")
  void udpRoundTrip() throws Exception {
    Stack a = host("10.0.0.2/24");
    Stack b = host("10.0.0.3/24");
    b.udp().listen(7, d -> b.udp().send(7, d.src(), d.payload()));
    LinkedBlockingQueue<UdpDatagram> replies = new LinkedBlockingQueue<>();
    a.udp().listen(40000, replies::add);
    ByteString payload = ByteString.fromString("hello over a virtual wire");
    await(a.udp().send(40000, new InetSocketAddress(b.address(), 7), payload));
    UdpDatagram reply = replies.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    assertEquals(payload, reply.payload());
    assertEquals(new InetSocketAddress(b.address(), 7), reply.src());
    assertEquals(new InetSocketAddress(a.address(), 40000), reply.dst());
  }

  @Test
  @DisplayName("UDP to a closed port yields ICMP port unreachable (RFC 1122 §4.1.3.1)")
  void udpClosedPortGetsPortUnreachable() throws Exception {
    Stack a = host("10.0.0.2/24");
    Stack b = host("10.0.0.3/24");
    LinkedBlockingQueue<Frame> icmp = new LinkedBlockingQueue<>();
    TapId tap = net.addListener(f -> f.icmp().ifPresent(x -> icmp.add(f)));
    await(a.udp().send(5555, new InetSocketAddress(b.address(), 9999), ByteString.fromString("?")));
    Frame frame = icmp.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    await(net.removeListener(tap));
    IcmpPacket error = frame.icmp().orElseThrow();
    assertEquals(IcmpPacket.TYPE_DEST_UNREACHABLE, error.type());
    assertEquals(IcmpPacket.CODE_PORT_UNREACHABLE, error.code());
    assertEquals(Ipv4Address.fromInet(b.address()), frame.ipv4().orElseThrow().source());
    // RFC 792: the error quotes the original IP header and the first 8 bytes (the UDP header)
    ByteString quoted = error.payload();
    assertEquals(20 + 8, quoted.length());
    assertEquals(0x45, quoted.apply(0) & 0xFF);
    assertEquals(Ipv4Packet.PROTO_UDP, quoted.apply(9) & 0xFF);
    assertEquals(5555, ((quoted.apply(20) & 0xFF) << 8) | (quoted.apply(21) & 0xFF));
    assertEquals(9999, ((quoted.apply(22) & 0xFF) << 8) | (quoted.apply(23) & 0xFF));
    assertEquals(1, b.stats().drops(DropReason.UDP_PORT_CLOSED));
    awaitCondition(() -> a.stats().icmpErrorsReceived() == 1, "a receives the ICMP error");
  }

  @Test
  @DisplayName(
      "a disconnected host's port leaves the switch: a broadcast and a frame to its old MAC reach only the third host; pings to it time out")
  void disconnectedHostStopsReceiving() {
    Stack a = host("10.0.0.2/24");
    Stack b = host("10.0.0.3/24");
    Stack c = host("10.0.0.4/24");
    await(a.ping(b.address(), TIMEOUT));
    int bPort = b.switchPort();
    await(b.disconnect());
    Throwable failure = failureOf(a.ping(b.address(), Duration.ofMillis(300)));
    assertInstanceOf(TimeoutException.class, failure);
    // a still holds b's MAC, which the switch forgot: that echo request was flooded to c.
    awaitCondition(
        () -> c.stats().drops(DropReason.ETHERNET_NOT_FOR_US) == 1,
        "c discarded the flooded echo request for b's old MAC");

    SwitchStats before = await(net.switchStats());
    assertTrue(
        before.ports().stream().noneMatch(p -> p.port() == bPort),
        "b's port " + bPort + " is still attached: " + before);
    long cClosed = c.stats().drops(DropReason.UDP_PORT_CLOSED);
    long cNotForUs = c.stats().drops(DropReason.ETHERNET_NOT_FOR_US);
    await(a.udp().send(new InetSocketAddress("10.0.0.255", 9), ByteString.fromString("bcast")));
    await(
        a.udp()
            .send(new InetSocketAddress(b.address(), 9), ByteString.fromString("to b's old MAC")));
    awaitCondition(
        () ->
            c.stats().drops(DropReason.UDP_PORT_CLOSED) == cClosed + 1
                && c.stats().drops(DropReason.ETHERNET_NOT_FOR_US) == cNotForUs + 1,
        "c received the broadcast and the flooded unicast");
    SwitchStats after = await(net.switchStats());
    // Frames given to each port in between: both went to c, none anywhere else.
    Map<Integer, Long> delivered = txFrames(after);
    txFrames(before).forEach((port, tx) -> delivered.merge(port, -tx, Long::sum));
    assertEquals(
        Map.of(a.switchPort(), 0L, c.switchPort(), 2L),
        delivered,
        "frames delivered per port (b's port " + bPort + " must not appear)\n" + after);

    assertInstanceOf(IllegalStateException.class, failureOf(b.ping(a.address(), TIMEOUT)));
    // Its address is free again for a new host, whose gratuitous ARP updates a's cache
    // (RFC 826 merge) — once it has arrived: a ping sent before would go to the old MAC.
    long aReceived = a.stats().rxFrames();
    Stack again = host("10.0.0.3/24");
    awaitCondition(() -> a.stats().rxFrames() > aReceived, "the new host's announcement reached a");
    await(a.ping(again.address(), TIMEOUT));
  }

  static Map<Integer, Long> txFrames(SwitchStats stats) {
    return stats.ports().stream()
        .collect(Collectors.toMap(SwitchStats.PortStats::port, SwitchStats.PortStats::txFrames));
  }

  // ARP retries and their give-up time are timer tests: ArpRetryTest, in virtual time.

  @Test
  @DisplayName(
      "a new host announces itself with one gratuitous ARP: broadcast, sender IP = target IP = its address (RFC 5227 §3)")
  void gratuitousArpAtStart() {
    ConcurrentLinkedQueue<Frame> seen = new ConcurrentLinkedQueue<>();
    TapId tap = net.addListener(seen::add);
    Stack a = host("10.0.0.2/24");
    awaitCondition(() -> !seen.isEmpty(), "the announcement reached the tap");
    await(net.removeListener(tap));

    List<Frame> frames = new ArrayList<>(seen);
    assertEquals(1, frames.size(), describe(frames));
    Frame frame = frames.get(0);
    assertEquals(a.switchPort(), frame.ingressPort());
    EthernetFrame ethernet = frame.ethernet().orElseThrow();
    assertTrue(ethernet.destination().isBroadcast(), "sent to " + ethernet.destination());
    assertEquals(a.mac(), ethernet.source());
    ArpPacket announcement = frame.arp().orElseThrow(() -> new AssertionError(describe(frames)));
    assertTrue(announcement.isRequest(), announcement.toString());
    Ipv4Address own = Ipv4Address.fromInet(a.address());
    assertEquals(a.mac(), announcement.senderMac());
    assertEquals(own, announcement.senderIp());
    assertEquals(own, announcement.targetIp());
  }

  @Test
  @DisplayName(
      "after Udp.unlisten the port is closed again: the next datagram gets ICMP port unreachable, not the old handler")
  void unlistenClosesThePort() throws Exception {
    Stack a = host("10.0.0.2/24");
    Stack b = host("10.0.0.3/24");
    LinkedBlockingQueue<UdpDatagram> delivered = new LinkedBlockingQueue<>();
    b.udp().listen(7000, delivered::add);
    InetSocketAddress port7000 = new InetSocketAddress(b.address(), 7000);
    await(a.udp().send(5555, port7000, ByteString.fromString("while listening")));
    UdpDatagram first = delivered.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    assertNotNull(first, "the listener did not get the first datagram");
    assertEquals("while listening", first.payload().utf8String());

    LinkedBlockingQueue<Frame> icmp = new LinkedBlockingQueue<>();
    TapId tap = net.addListener(f -> f.icmp().ifPresent(x -> icmp.add(f)));
    b.udp().unlisten(7000);
    await(a.udp().send(5555, port7000, ByteString.fromString("after unlisten")));
    Frame frame = icmp.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    await(net.removeListener(tap));
    assertNotNull(frame, "no ICMP error came back after unlisten");
    IcmpPacket error = frame.icmp().orElseThrow();
    assertEquals(IcmpPacket.TYPE_DEST_UNREACHABLE, error.type());
    assertEquals(IcmpPacket.CODE_PORT_UNREACHABLE, error.code());
    assertEquals(Ipv4Address.fromInet(b.address()), frame.ipv4().orElseThrow().source());
    ByteString quoted = error.payload();
    assertEquals(7000, ((quoted.apply(22) & 0xFF) << 8) | (quoted.apply(23) & 0xFF));
    assertEquals(1, b.stats().drops(DropReason.UDP_PORT_CLOSED));
    assertTrue(delivered.isEmpty(), "the removed handler got " + delivered);
  }

  @Test
  @DisplayName("bad arguments fail at the call with the offending value in the message")
  void userMistakes() {
    Stack a = host("10.0.0.2/24");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> a.udp().listen(70000, d -> {}));
    assertTrue(e.getMessage().contains("70000"));
    e = assertThrows(IllegalArgumentException.class, () -> net.createStack("10.0.0.300/24"));
    assertTrue(e.getMessage().contains("10.0.0.300"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> net.createStack("10.0.0.2/24"));
    assertTrue(e.getMessage().contains("10.0.0.2"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                a.udp()
                    .send(
                        new InetSocketAddress(a.address(), 9),
                        ByteString.fromArray(new byte[1473])));
    assertTrue(e.getMessage().contains("1473"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> StackConfig.of("10.0.0.2/24").withGateway("10.1.0.1"));
    assertTrue(e.getMessage().contains("10.1.0.1"), e.getMessage());
  }

  @Test
  @DisplayName("removeListener completes only after the tap consumed every frame handed to it")
  void removeListenerWaitsForDelivery() throws Exception {
    Stack a = host("10.0.0.2/24");
    Stack b = host("10.0.0.3/24");
    CountDownLatch gate = new CountDownLatch(1);
    List<Frame> seen = new ArrayList<>();
    TapId tap =
        net.addListener(
            f -> {
              try {
                gate.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              synchronized (seen) {
                seen.add(f);
              }
            });
    for (int i = 0; i < 5; i++) {
      await(a.ping(b.address(), TIMEOUT));
    }
    CompletionStage<?> removed = net.removeListener(tap);
    assertThrows(
        TimeoutException.class,
        () -> removed.toCompletableFuture().get(200, TimeUnit.MILLISECONDS));
    gate.countDown();
    await(removed);
    synchronized (seen) {
      assertEquals(2 + 10, seen.size());
    }
  }

  @Test
  @DisplayName("a host pings itself without touching the switch")
  void loopback() {
    Stack a = host("10.0.0.2/24");
    long before = a.stats().txFrames();
    await(a.ping(a.address(), TIMEOUT));
    assertEquals(before, a.stats().txFrames());
  }

  /** One line per frame: ingress, Ethernet source and destination, and what it carries. */
  static String describe(List<Frame> frames) {
    StringBuilder sb = new StringBuilder();
    for (Frame f : frames) {
      sb.append(f.ingressHost()).append(' ');
      f.ethernet().ifPresent(e -> sb.append(e.source()).append(" > ").append(e.destination()));
      f.arp().ifPresent(a -> sb.append(" ARP ").append(a));
      f.ipv4()
          .ifPresent(
              ip ->
                  sb.append(" IPv4 ")
                      .append(ip.source())
                      .append(" > ")
                      .append(ip.destination())
                      .append(" proto ")
                      .append(ip.protocol()));
      sb.append('\n');
    }
    return sb.toString();
  }

  /** Polls {@code condition} every few milliseconds for up to {@link #TIMEOUT}. */
  static void awaitCondition(BooleanSupplier condition, String what) {
    TcpTestSupport.awaitCondition(condition, TIMEOUT, () -> what);
  }
}
