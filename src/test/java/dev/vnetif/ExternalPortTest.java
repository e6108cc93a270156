package dev.vnetif;

import static dev.vnetif.HostsIntegrationTest.await;
import static dev.vnetif.HostsIntegrationTest.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.link.SwitchStats;
import dev.vnetif.wire.ArpPacket;
import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.IcmpPacket;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.Ipv4Packet;
import dev.vnetif.wire.MacAddress;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import dev.vnetif.wire.UdpPacket;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
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

/**
 * The external port against a plain UDP socket playing the outside (what socat does for a TAP
 * device): ARP, ICMP and TCP cross it as one frame per datagram.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExternalPortTest {
  static final MacAddress OUTSIDE_MAC = MacAddress.of("02:ee:00:00:00:01");
  static final Ipv4Address OUTSIDE_IP = Ipv4Address.of("10.0.0.50");

  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  VirtualNetwork net;
  Stack host;
  Ipv4Address hostIp;
  DatagramSocket outside;

  @BeforeEach
  void setUp() throws Exception {
    net = VirtualNetwork.create(testKit.system());
    host = await(net.createStack("10.0.0.2/24"));
    hostIp = Ipv4Address.fromInet(host.address());
    outside = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    outside.setSoTimeout(3000);
  }

  @AfterEach
  void tearDown() {
    outside.close();
    await(net.shutdown());
  }

  ExternalPort attach(ExternalPortConfig config) {
    return await(net.attachExternalPort(config));
  }

  ExternalPortConfig config() {
    return ExternalPortConfig.of(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        (InetSocketAddress) outside.getLocalSocketAddress());
  }

  void sendFrame(ExternalPort port, ByteString frame, byte[] prefix) throws Exception {
    byte[] bytes = new byte[prefix.length + frame.length()];
    System.arraycopy(prefix, 0, bytes, 0, prefix.length);
    frame.copyToArray(bytes, prefix.length, frame.length());
    outside.send(new DatagramPacket(bytes, bytes.length, port.localAddress()));
  }

  byte[] receiveDatagram() throws Exception {
    DatagramPacket packet = new DatagramPacket(new byte[70000], 70000);
    outside.receive(packet);
    return Arrays.copyOf(packet.getData(), packet.getLength());
  }

  /** The next frame for us that is not an announcement (gratuitous ARP). */
  EthernetFrame receiveFrame(int prefix) throws Exception {
    while (true) {
      byte[] datagram = receiveDatagram();
      EthernetFrame frame =
          EthernetFrame.parse(ByteString.fromArray(datagram, prefix, datagram.length - prefix));
      if (frame.etherType() == EthernetFrame.ETHERTYPE_ARP
          && ArpPacket.parse(frame.payload())
              .senderIp()
              .equals(ArpPacket.parse(frame.payload()).targetIp())) {
        continue;
      }
      return frame;
    }
  }

  ByteString arpRequestForHost() {
    return EthernetFrame.encode(
        MacAddress.BROADCAST,
        OUTSIDE_MAC,
        EthernetFrame.ETHERTYPE_ARP,
        ArpPacket.request(OUTSIDE_MAC, OUTSIDE_IP, hostIp).encode());
  }

  ByteString ipFrame(int protocol, ByteString transport) {
    return EthernetFrame.encode(
        host.mac(),
        OUTSIDE_MAC,
        EthernetFrame.ETHERTYPE_IPV4,
        Ipv4Packet.of(OUTSIDE_IP, hostIp, protocol, 64, 1, true, transport).encode());
  }

  @Test
  @DisplayName("ARP, ping and a TCP handshake cross the external port, one frame per datagram")
  void arpPingAndTcp() throws Exception {
    ExternalPort port = attach(config());
    sendFrame(port, arpRequestForHost(), new byte[0]);
    ArpPacket reply = ArpPacket.parse(receiveFrame(0).payload());
    assertTrue(reply.isReply());
    assertEquals(host.mac(), reply.senderMac());
    assertEquals(OUTSIDE_MAC, reply.targetMac());

    sendFrame(
        port,
        ipFrame(
            Ipv4Packet.PROTO_ICMP,
            IcmpPacket.echoRequest(7, 1, ByteString.fromString("ping")).encode()),
        new byte[0]);
    EthernetFrame echo = receiveFrame(0);
    Ipv4Packet ip = Ipv4Packet.parse(echo.payload(), true);
    IcmpPacket icmp = IcmpPacket.parse(ip.payload(), true);
    assertTrue(icmp.isEchoReply());
    assertEquals("ping", icmp.payload().utf8String());

    CompletableFuture<TcpFlow> accepted = new CompletableFuture<>();
    host.tcp()
        .listen(
            80,
            flow -> {
              accepted.complete(flow);
              return new CompletableFuture<>();
            });
    sendFrame(
        port,
        ipFrame(
            Ipv4Packet.PROTO_TCP,
            TcpSegment.of(40000, 80, 5000, 0, TcpSegment.SYN, 65535)
                .withOptions(TcpOptions.NONE.withMss(1460).withWindowScale(7))
                .encode(OUTSIDE_IP, hostIp)),
        new byte[0]);
    Ipv4Packet synAckIp = Ipv4Packet.parse(receiveFrame(0).payload(), true);
    TcpSegment synAck = TcpSegment.parse(synAckIp.payload(), hostIp, OUTSIDE_IP, true);
    assertEquals(TcpSegment.SYN | TcpSegment.ACK, synAck.flags());
    assertEquals(5001, synAck.ack());
    assertEquals(1460, synAck.options().mss());
    assertTrue(synAck.options().windowScale() >= 0, "window scale answered: " + synAck);

    SwitchStats stats = await(net.switchStats());
    SwitchStats.PortStats external =
        stats.ports().stream().filter(p -> p.port() == port.switchPort()).findFirst().orElseThrow();
    assertEquals(3, external.rxFrames(), external.toString());
    assertTrue(external.txFrames() >= 3, external.toString());
    assertEquals(3, port.stats().datagramsIn());
  }

  @Test
  @DisplayName("frames over the external MTU are dropped and counted, both ways")
  void mtuEnforcedBothWays() throws Exception {
    ExternalPort port = attach(config().withMtu(1000));
    sendFrame(port, arpRequestForHost(), new byte[0]);
    receiveFrame(0); // ARP reply: the host now knows the outside
    sendFrame(
        port,
        ipFrame(
            Ipv4Packet.PROTO_ICMP,
            IcmpPacket.echoRequest(7, 2, ByteString.fromArray(new byte[1200])).encode()),
        new byte[0]);
    awaitCondition(() -> port.stats().droppedIn() == 1, "the oversized datagram was dropped");

    // A ping from the virtual host bigger than the outside link: dropped at the switch port.
    host.echo(OUTSIDE_IP.toInet(), 1200, java.time.Duration.ofMillis(300));
    awaitCondition(
        () ->
            await(net.switchStats()).ports().stream()
                .anyMatch(p -> p.port() == port.switchPort() && p.drops() == 1),
        "the switch counts the frame too big for the external link");
    try {
      EthernetFrame unexpected = receiveFrame(0);
      throw new AssertionError("nothing over the MTU may leave, got " + unexpected);
    } catch (SocketTimeoutException expected) {
      // nothing left the port
    }
  }

  @Test
  @DisplayName(
      "with packet information (TAP without iff-no-pi) each datagram carries flags and the EtherType")
  void packetInformation() throws Exception {
    ExternalPort port = attach(config().withPacketInformation(true));
    sendFrame(port, arpRequestForHost(), new byte[] {0, 0, 0x08, 0x06});
    byte[] datagram;
    do {
      datagram = receiveDatagram();
    } while (ArpPacket.parse(ByteString.fromArray(datagram, 18, datagram.length - 18))
        .targetIp()
        .equals(hostIp)); // skip the host's announcement
    assertEquals(0, datagram[0]);
    assertEquals(0, datagram[1]);
    assertEquals(0x08, datagram[2]);
    assertEquals(0x06, datagram[3]);
    ArpPacket reply = ArpPacket.parse(ByteString.fromArray(datagram, 18, datagram.length - 18));
    assertTrue(reply.isReply());
  }

  @Test
  @DisplayName("without a configured remote the port learns it from the first datagram")
  void learnsRemote() throws Exception {
    ExternalPort port =
        attach(
            ExternalPortConfig.of(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null));
    assertEquals(null, port.remoteAddress());
    sendFrame(port, arpRequestForHost(), new byte[0]);
    ArpPacket reply = ArpPacket.parse(receiveFrame(0).payload());
    assertTrue(reply.isReply());
    assertEquals(outside.getLocalSocketAddress(), port.remoteAddress());
    await(port.detach());
  }

  @Test
  @DisplayName(
      "a burst of 5,000 datagrams (a kernel sending its window) reaches the switch whole, in order")
  void burstArrivesWhole() throws Exception {
    ExternalPort port = attach(config());
    java.util.List<ByteString> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    net.addListener(
        frame -> {
          if (frame.ingressPort() == port.switchPort() && frame.udp().isPresent()) {
            seen.add(frame.udp().get().payload());
          }
        });
    // 5,000 small datagrams take about 6 MB of socket memory: they fit the 4 MiB buffer the
    // port asks for only where the kernel grants it (net.core.rmem_max); else a burst that
    // fits the default buffer still shows nothing is lost between socket and switch.
    int burst = rmemMax() >= 4 * 1024 * 1024 ? 5000 : 100;
    for (int i = 0; i < burst; i++) {
      // UDP datagrams to a closed port of the host, each carrying its number.
      sendFrame(
          port,
          ipFrame(
              Ipv4Packet.PROTO_UDP,
              UdpPacket.encode(
                  OUTSIDE_IP, hostIp, 9, 9, ByteString.fromString(Integer.toString(i)))),
          new byte[0]);
    }
    awaitCondition(() -> seen.size() == burst, "all " + burst + " frames forwarded");
    assertEquals(burst, port.stats().datagramsIn());
    assertEquals(0, port.stats().droppedIn());
    for (int i = 0; i < burst; i++) {
      assertEquals(Integer.toString(i), seen.get(i).utf8String(), "frame " + i + " in order");
    }
  }

  @Test
  @DisplayName("detach releases the UDP address at once: the same address binds again right after")
  void detachFreesTheAddress() throws Exception {
    ExternalPort port = attach(config());
    InetSocketAddress address = port.localAddress();
    await(port.detach());
    try (DatagramSocket again = new DatagramSocket(address)) {
      assertEquals(address.getPort(), again.getLocalPort());
    }
    ExternalPort reattached =
        attach(ExternalPortConfig.of(address, (InetSocketAddress) outside.getLocalSocketAddress()));
    assertEquals(address, reattached.localAddress());
  }

  private static long rmemMax() {
    try {
      return Long.parseLong(
          java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/net/core/rmem_max"))
              .trim());
    } catch (java.io.IOException | NumberFormatException e) {
      return 0; // not Linux, or not readable: assume the smallest buffer
    }
  }
}
