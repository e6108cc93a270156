package dev.vnetif.stack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.link.NetworkClock;
import dev.vnetif.tcp.TcpConfig;
import dev.vnetif.wire.ArpPacket;
import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.IcmpPacket;
import dev.vnetif.wire.IpPayload;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.Ipv4Cidr;
import dev.vnetif.wire.Ipv4Frame;
import dev.vnetif.wire.Ipv4Packet;
import dev.vnetif.wire.MacAddress;
import dev.vnetif.wire.MalformedPacketException;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import dev.vnetif.wire.UdpPacket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The host's output path on its own, without actors: what {@link HostOutput} puts in a batch for
 * the switch, byte for byte, for TCP, UDP, ICMP and ARP, and how it holds and releases frames while
 * ARP resolves a next hop.
 */
class HostOutputTest {
  static final Ipv4Address SELF = Ipv4Address.of("10.0.0.2");
  static final Ipv4Address PEER = Ipv4Address.of("10.0.0.3");
  static final Ipv4Address OTHER = Ipv4Address.of("10.0.0.4");
  static final Ipv4Address GATEWAY = Ipv4Address.of("10.0.0.1");
  static final Ipv4Address REMOTE = Ipv4Address.of("192.0.2.9");
  static final MacAddress MAC = MacAddress.of("02:00:00:00:00:02");
  static final MacAddress PEER_MAC = MacAddress.of("02:00:00:00:00:03");
  static final MacAddress OTHER_MAC = MacAddress.of("02:00:00:00:00:04");
  static final int FIRST_ID = 0xFFFE; // wraps within the tests: identification is 16 bits
  static final int MTU = 1500;
  static final int TTL = 64;

  final long[] now = {1_000_000_000L};
  final List<List<ByteString>> batches = new ArrayList<>();
  final List<String> timer = new ArrayList<>();
  final HostCounters counters = new HostCounters();
  final HostOutput output = output(GATEWAY, 3);

  HostOutput output(Ipv4Address gateway, int maxRequests) {
    NetworkClock clock =
        new NetworkClock() {
          @Override
          public long nanoTime() {
            return now[0];
          }

          @Override
          public long epochNanos() {
            return now[0];
          }
        };
    HostSettings settings =
        new HostSettings(
            "a",
            Ipv4Cidr.parse("10.0.0.2/24"),
            gateway,
            MTU,
            TTL,
            true,
            new ArpSettings(Duration.ofMinutes(1), Duration.ofSeconds(1), maxRequests, 4),
            1,
            clock,
            TcpConfig.defaults(),
            16,
            49152,
            65535);
    return new HostOutput(
        settings,
        MAC,
        new RoutingTable(settings.cidr(), settings.gateway()),
        new ArpCache(settings.arp()),
        counters,
        FIRST_ID,
        batches::add,
        new HostOutput.ArpTimer() {
          @Override
          public void start(Ipv4Address target, Duration after) {
            timer.add("start " + target + " " + after.toMillis());
          }

          @Override
          public void cancel(Ipv4Address target) {
            timer.add("cancel " + target);
          }
        });
  }

  static TcpSegment segment(int seq, int payloadLength) {
    byte[] data = new byte[payloadLength];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (seq + 7 * i);
    }
    return new TcpSegment(
        49152,
        80,
        seq,
        2000,
        TcpSegment.ACK | TcpSegment.PSH,
        512,
        0,
        TcpOptions.NONE,
        ByteString.fromArray(data));
  }

  /** The frame every IP payload must come out as: the wire's one frame builder. */
  static ByteString expectedFrame(MacAddress to, Ipv4Address dst, int id, IpPayload payload) {
    return Ipv4Frame.encode(to, MAC, SELF, dst, TTL, id & 0xFFFF, payload);
  }

  List<ByteString> flushed() {
    batches.clear();
    output.flush();
    assertTrue(batches.size() <= 1, "one batch per flush: " + batches);
    return batches.isEmpty() ? List.of() : batches.get(0);
  }

  void resolve(Ipv4Address ip, MacAddress mac) {
    output.send(ip, segment(0, 0), null); // starts resolution; the held frame is released below
    output.learn(ip, mac);
    output.flush();
    batches.clear();
    timer.clear();
  }

  @Test
  @DisplayName("a TCP segment to a resolved neighbour is one flat frame: Ethernet, IPv4, TCP")
  void tcpSegmentBecomesOneFrame() throws MalformedPacketException {
    resolve(PEER, PEER_MAC);
    TcpSegment segment = segment(100, 1460);

    assertEquals(HostOutput.Route.SENT, output.send(PEER, segment, null));

    List<ByteString> frames = flushed();
    assertEquals(List.of(expectedFrame(PEER_MAC, PEER, FIRST_ID + 1, segment)), frames);
    EthernetFrame eth = EthernetFrame.parse(frames.get(0));
    assertEquals(PEER_MAC, eth.destination());
    assertEquals(MAC, eth.source());
    Ipv4Packet ip = Ipv4Packet.parse(eth.payload(), true);
    assertEquals(SELF, ip.source());
    assertEquals(PEER, ip.destination());
    assertEquals(TTL, ip.ttl());
    assertTrue(ip.dontFragment());
    assertEquals(Ipv4Packet.PROTO_TCP, ip.protocol());
    assertEquals(segment, TcpSegment.parse(ip.payload(), SELF, PEER, true));
    assertEquals(2, counters.txPackets(), "the resolve() packet and this one");
  }

  @Test
  @DisplayName("a flow's batch: one lookup, consecutive IP identifications, frames in order")
  void sendAllKeepsOrderAndNumbersDatagrams() {
    resolve(PEER, PEER_MAC);
    List<TcpSegment> segments = List.of(segment(1, 1460), segment(1461, 1460), segment(2921, 3));

    output.sendAll(PEER, segments);

    List<ByteString> expected = new ArrayList<>();
    for (int i = 0; i < segments.size(); i++) {
      expected.add(expectedFrame(PEER_MAC, PEER, FIRST_ID + 1 + i, segments.get(i)));
    }
    assertEquals(expected, flushed());
  }

  @Test
  @DisplayName("a segment over the MTU is dropped as TOO_BIG, even inside a batch")
  void oversizedSegmentIsDropped() {
    resolve(PEER, PEER_MAC);
    output.sendAll(PEER, List.of(segment(1, 1461), segment(2, 10)));

    List<ByteString> frames = flushed();
    assertEquals(1, frames.size());
    assertEquals(expectedFrame(PEER_MAC, PEER, FIRST_ID + 1, segment(2, 10)), frames.get(0));
    assertEquals(1, counters.drops(DropReason.TOO_BIG));
  }

  @Test
  @DisplayName("while ARP resolves, frames are held complete and released as built, in order")
  void heldFramesAreReleasedWithoutReencoding() throws MalformedPacketException {
    resolve(OTHER, OTHER_MAC);
    List<String> outcome = new ArrayList<>();
    ArpCache.DeliveryListener listener =
        new ArpCache.DeliveryListener() {
          @Override
          public void sent() {
            outcome.add("sent");
          }

          @Override
          public void unresolved() {
            outcome.add("unresolved");
          }
        };
    TcpSegment first = segment(1, 100);
    UdpPacket second = new UdpPacket(5000, 7, ByteString.fromString("held"));

    assertEquals(HostOutput.Route.PENDING_ARP, output.send(PEER, first, null));
    assertEquals(HostOutput.Route.PENDING_ARP, output.send(PEER, second, listener));
    // A datagram to a resolved neighbour goes out meanwhile and takes the next identification.
    output.send(OTHER, segment(9, 0), null);

    List<ByteString> meanwhile = flushed();
    assertEquals(2, meanwhile.size(), "one ARP request, then the frame to the resolved host");
    ArpPacket request = ArpPacket.parse(EthernetFrame.parse(meanwhile.get(0)).payload());
    assertTrue(request.isRequest());
    assertEquals(PEER, request.targetIp());
    assertEquals(MacAddress.BROADCAST, EthernetFrame.parse(meanwhile.get(0)).destination());
    assertEquals(expectedFrame(OTHER_MAC, OTHER, FIRST_ID + 3, segment(9, 0)), meanwhile.get(1));
    assertEquals(List.of("start 10.0.0.3 1000"), timer);
    assertEquals(List.of(), outcome, "nothing is told before the frame is on its way");

    output.learn(PEER, PEER_MAC);
    assertEquals(List.of("start 10.0.0.3 1000", "cancel 10.0.0.3"), timer);

    // The held frames keep the identifications they were built with (FIRST_ID+1, +2): they were
    // completed with the MAC, not encoded again.
    assertEquals(
        List.of(
            expectedFrame(PEER_MAC, PEER, FIRST_ID + 1, first),
            expectedFrame(PEER_MAC, PEER, FIRST_ID + 2, second)),
        flushed());
    assertEquals(List.of("sent"), outcome, "told after the flush");
  }

  @Test
  @DisplayName("unanswered ARP: requests up to the budget, then held frames are dropped and told")
  void unansweredArpGivesUp() {
    HostOutput out = output(null, 2);
    List<String> outcome = new ArrayList<>();
    ArpCache.DeliveryListener listener =
        new ArpCache.DeliveryListener() {
          @Override
          public void sent() {
            outcome.add("sent");
          }

          @Override
          public void unresolved() {
            outcome.add("unresolved");
          }
        };
    assertEquals(
        HostOutput.Route.PENDING_ARP,
        out.send(PEER, IcmpPacket.echoRequest(1, 1, ByteString.emptyByteString()), listener));
    out.arpRetry(PEER); // the second and last request
    out.arpRetry(PEER); // budget spent: give up
    out.flush();

    assertEquals(1, batches.size());
    assertEquals(2, batches.get(0).size(), "two ARP requests, no IPv4 frame");
    assertEquals(List.of("unresolved"), outcome);
    assertEquals(1, counters.drops(DropReason.ARP_UNRESOLVED));
  }

  @Test
  @DisplayName("UDP and ICMP go through the same frame builder, checksums verified by parse")
  void udpAndIcmpUseTheSameFrameBuilder() throws MalformedPacketException {
    resolve(PEER, PEER_MAC);
    UdpPacket udp = new UdpPacket(5000, 7, ByteString.fromString("odd length!"));
    IcmpPacket icmp = IcmpPacket.echoReply(0x1234, 7, ByteString.fromString("ping data"));

    output.send(PEER, udp, null);
    output.send(PEER, icmp, null);

    List<ByteString> frames = flushed();
    assertEquals(
        List.of(
            expectedFrame(PEER_MAC, PEER, FIRST_ID + 1, udp),
            expectedFrame(PEER_MAC, PEER, FIRST_ID + 2, icmp)),
        frames);
    Ipv4Packet udpIp = Ipv4Packet.parse(EthernetFrame.parse(frames.get(0)).payload(), true);
    assertEquals(Ipv4Packet.PROTO_UDP, udpIp.protocol());
    assertEquals(udp, UdpPacket.parse(udpIp.payload(), SELF, PEER, true));
    Ipv4Packet icmpIp = Ipv4Packet.parse(EthernetFrame.parse(frames.get(1)).payload(), true);
    assertEquals(Ipv4Packet.PROTO_ICMP, icmpIp.protocol());
    assertEquals(icmp, IcmpPacket.parse(icmpIp.payload(), true));
  }

  @Test
  @DisplayName("off-link goes to the gateway's MAC; no gateway is NO_ROUTE; self is loopback")
  void routes() throws MalformedPacketException {
    resolve(GATEWAY, PEER_MAC);
    output.send(REMOTE, segment(1, 1), null);
    List<ByteString> frames = flushed();
    assertEquals(List.of(expectedFrame(PEER_MAC, REMOTE, FIRST_ID + 1, segment(1, 1))), frames);

    HostOutput noGateway = output(null, 3);
    assertEquals(HostOutput.Route.NO_ROUTE, noGateway.send(REMOTE, segment(1, 1), null));
    assertFalse(noGateway.hasRoute(REMOTE));
    assertTrue(noGateway.hasRoute(SELF));
    assertEquals(1, counters.drops(DropReason.NO_ROUTE));

    assertEquals(HostOutput.Route.SENT, output.send(SELF, segment(5, 4), null));
    assertEquals(List.of(), flushed(), "the host talking to itself never touches the switch");
    ByteString looped = output.pollLoopback();
    Ipv4Packet ip = Ipv4Packet.parse(looped, true);
    assertEquals(SELF, ip.destination());
    assertEquals(segment(5, 4), TcpSegment.parse(ip.payload(), SELF, SELF, true));
    assertNull(output.pollLoopback());
  }

  @Test
  @DisplayName("ARP announce and reply are 42-byte frames from our MAC")
  void arpFrames() throws MalformedPacketException {
    output.announce();
    output.answerArp(PEER_MAC, PEER);
    List<ByteString> frames = flushed();
    assertEquals(2, frames.size());
    EthernetFrame announce = EthernetFrame.parse(frames.get(0));
    assertEquals(MacAddress.BROADCAST, announce.destination());
    assertEquals(
        ArpPacket.gratuitous(MAC, SELF).encode(), announce.payload(), "gratuitous ARP payload");
    EthernetFrame reply = EthernetFrame.parse(frames.get(1));
    assertEquals(PEER_MAC, reply.destination());
    assertEquals(EthernetFrame.ETHERTYPE_ARP, reply.etherType());
    assertArrayEquals(
        ArpPacket.reply(MAC, SELF, PEER_MAC, PEER).encode().toArray(), reply.payload().toArray());
  }
}
