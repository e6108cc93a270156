package dev.vnetif;

import static dev.vnetif.HostsIntegrationTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.stack.DropReason;
import dev.vnetif.wire.ArpPacket;
import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.IcmpPacket;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.Ipv4Packet;
import dev.vnetif.wire.MacAddress;
import dev.vnetif.wire.MalformedPacketException;
import dev.vnetif.wire.UdpPacket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
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
 * Datagrams and ARP packets whose source cannot be a sender (RFC 1122 §3.2.1.3) are dropped and
 * counted, and nothing answers them. The raw port plays the host's gateway, so that any answer to
 * an off-link source would come to it and be seen.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SourceAddressTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Ipv4Address GATEWAY = Ipv4Address.of("10.0.0.1");
  private static final int BARRIER_ID = 0xBEEF;

  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  VirtualNetwork net;
  Stack host;
  Ipv4Address hostIp;
  RawPort raw;
  int identification = 1;

  @BeforeEach
  void setUp() {
    net = VirtualNetwork.create(testKit.system());
    host = await(net.createStack(StackConfig.of("10.0.0.2/24").withGateway("10.0.0.1")));
    hostIp = Ipv4Address.fromInet(host.address());
    raw = await(net.attachRawPort("gateway"));
  }

  @AfterEach
  void tearDown() {
    await(net.shutdown());
  }

  @Test
  @DisplayName(
      "An echo request from a broadcast, multicast, class E, 0/8, loopback or our own address gets no reply and is counted")
  void echoFromInvalidSourcesIsNotAnswered() throws Exception {
    Map<String, DropReason> sources = new LinkedHashMap<>();
    sources.put("255.255.255.255", DropReason.IPV4_SOURCE_BROADCAST);
    sources.put("10.0.0.255", DropReason.IPV4_SOURCE_BROADCAST);
    sources.put("224.0.0.1", DropReason.IPV4_SOURCE_MULTICAST);
    sources.put("239.1.2.3", DropReason.IPV4_SOURCE_MULTICAST);
    sources.put("240.0.0.1", DropReason.IPV4_SOURCE_RESERVED);
    sources.put("0.0.0.0", DropReason.IPV4_SOURCE_UNSPECIFIED);
    sources.put("0.0.0.9", DropReason.IPV4_SOURCE_UNSPECIFIED);
    sources.put("127.0.0.1", DropReason.IPV4_SOURCE_LOOPBACK);
    sources.put("10.0.0.2", DropReason.IPV4_SOURCE_OWN_ADDRESS);
    int sequence = 1;
    for (String source : sources.keySet()) {
      sendEcho(Ipv4Address.of(source), host.mac(), sequence++);
    }
    // Also as a link-layer broadcast, the way a smurf attack reaches every host.
    sendEcho(Ipv4Address.BROADCAST, MacAddress.BROADCAST, sequence);

    List<Ipv4Packet> answers = answersUntilBarrier();
    assertEquals(
        List.of(GATEWAY),
        answers.stream().map(Ipv4Packet::destination).toList(),
        "only the valid echo request was answered");
    StackStats stats = host.stats();
    for (DropReason reason : sources.values().stream().distinct().toList()) {
      long expected = sources.values().stream().filter(reason::equals).count();
      if (reason == DropReason.IPV4_SOURCE_BROADCAST) {
        expected++; // the one sent to the broadcast MAC
      }
      assertEquals(expected, stats.drops(reason), reason.name());
    }
    assertEquals(0, stats.drops(DropReason.NO_ROUTE), "no reply was even attempted");
    assertEquals(0, stats.drops(DropReason.ICMP_IGNORED), "no reply to ourselves was looped back");
  }

  @Test
  @DisplayName("UDP to a closed port from a loopback source gets no port unreachable")
  void udpFromInvalidSourceGetsNoPortUnreachable() throws Exception {
    Ipv4Address loopback = Ipv4Address.of("127.0.0.9");
    UdpPacket udp = new UdpPacket(4000, 9, ByteString.fromString("anyone?"));
    sendIpv4(host.mac(), loopback, Ipv4Packet.PROTO_UDP, udp.encode(loopback, hostIp));
    List<Ipv4Packet> answers = answersUntilBarrier();
    assertEquals(List.of(GATEWAY), answers.stream().map(Ipv4Packet::destination).toList());
    assertEquals(1, host.stats().drops(DropReason.IPV4_SOURCE_LOOPBACK));
    assertEquals(0, host.stats().drops(DropReason.UDP_PORT_CLOSED));
  }

  @Test
  @DisplayName("ARP from a broadcast or multicast sender is neither learned nor answered")
  void arpFromInvalidSenderIsIgnored() throws Exception {
    for (String sender : List.of("255.255.255.255", "10.0.0.255", "224.0.0.5", "127.0.0.1")) {
      raw.send(
          arpFrame(
              MacAddress.BROADCAST, ArpPacket.request(raw.mac(), Ipv4Address.of(sender), hostIp)));
    }
    answersUntilBarrier();
    List<ByteString> arpAnswers = new ArrayList<>();
    for (ByteString frame : raw.drain()) {
      if (EthernetFrame.peekEtherType(frame) == EthernetFrame.ETHERTYPE_ARP) {
        arpAnswers.add(frame);
      }
    }
    assertEquals(List.of(), arpAnswers, "no ARP reply to an invalid sender");
    assertEquals(4, host.stats().drops(DropReason.ARP_INVALID_SENDER));
  }

  @Test
  @DisplayName("ARP giving a multicast MAC for a neighbour is not learned: the host still asks")
  void arpWithGroupSenderMacIsNotLearned() throws Exception {
    Ipv4Address neighbour = Ipv4Address.of("10.0.0.7");
    MacAddress group = MacAddress.of("01:00:5e:00:00:07");
    raw.send(arpFrame(host.mac(), ArpPacket.request(group, neighbour, hostIp)));
    answersUntilBarrier();
    raw.drain();
    CompletionStage<Done> ping = host.ping(neighbour.toInet(), WAIT);
    // Had the mapping been learned, the echo request would go to the group MAC at once.
    ArpPacket question = nextArp();
    assertTrue(question.isRequest());
    assertEquals(neighbour, question.targetIp());
    raw.send(arpFrame(host.mac(), ArpPacket.reply(raw.mac(), neighbour, host.mac(), hostIp)));
    Ipv4Packet request = nextIpv4(raw.mac());
    IcmpPacket echo = IcmpPacket.parse(request.payload(), true);
    sendIpv4(host.mac(), neighbour, Ipv4Packet.PROTO_ICMP, IcmpPacket.replyTo(echo).encode());
    await(ping);
    assertEquals(1, host.stats().drops(DropReason.ARP_INVALID_SENDER));
  }

  @Test
  @DisplayName("A normal ping between two hosts still works and counts no source drop")
  void normalPingWorks() {
    Stack other = await(net.createStack("10.0.0.3/24"));
    await(host.ping(other.address(), WAIT));
    await(other.ping(host.address(), WAIT));
    for (Stack s : List.of(host, other)) {
      for (DropReason reason : s.stats().drops().keySet()) {
        assertTrue(
            !reason.name().startsWith("IPV4_SOURCE") && reason != DropReason.ARP_INVALID_SENDER,
            s.name() + " dropped " + reason);
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  private void sendEcho(Ipv4Address source, MacAddress destinationMac, int sequence) {
    IcmpPacket echo = IcmpPacket.echoRequest(0x1234, sequence, ByteString.fromString("ping"));
    sendIpv4(destinationMac, source, Ipv4Packet.PROTO_ICMP, echo.encode());
  }

  private void sendIpv4(
      MacAddress destinationMac, Ipv4Address source, int protocol, ByteString l4) {
    Ipv4Packet packet = Ipv4Packet.of(source, hostIp, protocol, 64, identification++, true, l4);
    raw.send(
        EthernetFrame.encode(
            destinationMac, raw.mac(), EthernetFrame.ETHERTYPE_IPV4, packet.encode()));
  }

  private ByteString arpFrame(MacAddress destination, ArpPacket arp) {
    return EthernetFrame.encode(destination, raw.mac(), EthernetFrame.ETHERTYPE_ARP, arp.encode());
  }

  /**
   * Sends a valid echo request from the gateway and returns every IPv4 datagram the host sent up to
   * and including its reply, answering ARP for the gateway on the way. The host handles frames in
   * order, so everything sent before the barrier was handled by then.
   */
  private List<Ipv4Packet> answersUntilBarrier() throws Exception {
    sendIpv4(
        host.mac(),
        GATEWAY,
        Ipv4Packet.PROTO_ICMP,
        IcmpPacket.echoRequest(BARRIER_ID, 1, ByteString.emptyByteString()).encode());
    List<Ipv4Packet> seen = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      ByteString bytes = raw.poll(Duration.ofMillis(100));
      if (bytes == null) {
        continue;
      }
      EthernetFrame frame = EthernetFrame.parse(bytes);
      if (frame.etherType() == EthernetFrame.ETHERTYPE_ARP) {
        ArpPacket arp = ArpPacket.parse(frame.payload());
        if (arp.isRequest() && arp.targetIp().equals(GATEWAY)) {
          raw.send(
              arpFrame(
                  arp.senderMac(),
                  ArpPacket.reply(raw.mac(), GATEWAY, arp.senderMac(), arp.senderIp())));
        }
        continue;
      }
      Ipv4Packet packet = Ipv4Packet.parse(frame.payload(), true);
      seen.add(packet);
      if (packet.protocol() == Ipv4Packet.PROTO_ICMP
          && packet.destination().equals(GATEWAY)
          && IcmpPacket.parse(packet.payload(), true).identifier() == BARRIER_ID) {
        return seen;
      }
    }
    throw new AssertionError("the barrier echo request was not answered; saw " + seen);
  }

  private ArpPacket nextArp() throws Exception {
    ByteString bytes = raw.poll(WAIT);
    assertNotNull(bytes, "no frame from the host");
    EthernetFrame frame = EthernetFrame.parse(bytes);
    assertEquals(EthernetFrame.ETHERTYPE_ARP, frame.etherType(), "expected ARP, got " + frame);
    return ArpPacket.parse(frame.payload());
  }

  private Ipv4Packet nextIpv4(MacAddress expectedDestination)
      throws InterruptedException, MalformedPacketException {
    ByteString bytes = raw.poll(WAIT);
    assertNotNull(bytes, "no frame from the host");
    EthernetFrame frame = EthernetFrame.parse(bytes);
    assertEquals(EthernetFrame.ETHERTYPE_IPV4, frame.etherType());
    assertEquals(expectedDestination, frame.destination());
    return Ipv4Packet.parse(frame.payload(), true);
  }
}
