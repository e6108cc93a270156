package dev.vnetif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.link.SwitchStats;
import dev.vnetif.stack.DropReason;
import dev.vnetif.testsupport.RawPeer;
import dev.vnetif.testsupport.Tshark;
import dev.vnetif.testsupport.VirtualTimeKit;
import dev.vnetif.wire.Checksum;
import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.IcmpPacket;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.Ipv4Packet;
import dev.vnetif.wire.TcpSegment;
import dev.vnetif.wire.UdpPacket;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host against a hand-driven peer: TCP resets, hostile input, and the pcap of it all. In virtual
 * time: "no answer" is 300 ms of virtual time, and the capture's timestamps are virtual.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60) // wall-clock bound on each test; every wait inside is bounded in virtual time
class RawPeerIntegrationTest {
  /** Bound on each wait, in virtual time. */
  static final Duration WAIT = Duration.ofSeconds(5);

  /** Drops that describe outgoing traffic, not received input. */
  static final Set<DropReason> OUTGOING =
      EnumSet.of(
          DropReason.ARP_QUEUE_OVERFLOW,
          DropReason.ARP_UNRESOLVED,
          DropReason.NO_ROUTE,
          DropReason.TOO_BIG);

  final VirtualTimeKit sim = VirtualTimeKit.create("raw-peer");

  VirtualNetwork net;
  Stack host;
  RawPeer peer;
  Ipv4Address hostIp;

  @BeforeEach
  void setUp() {
    net = VirtualNetwork.create(sim.system());
    host = await(net.createStack("10.0.0.2/24"));
    hostIp = Ipv4Address.fromInet(host.address());
    peer = new RawPeer(await(net.attachRawPort("peer")), Ipv4Address.of("10.0.0.9"), sim.time());
  }

  @AfterEach
  void tearDown() {
    await(net.shutdown());
  }

  @AfterAll
  void stopTestKit() {
    sim.close();
  }

  <T> T await(CompletionStage<T> stage) {
    return sim.await(stage, WAIT, "stage");
  }

  Throwable failureOf(CompletionStage<?> stage) {
    return sim.failureOf(stage, WAIT, "stage");
  }

  void awaitCondition(java.util.function.BooleanSupplier condition, String what) {
    sim.awaitCondition(condition, WAIT, () -> what);
  }

  @Test
  @DisplayName(
      "SYN to a closed port: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> (RFC 9293 §3.10.7.1)")
  void synToClosedPortGetsRstAck() throws Exception {
    peer.sendTcp(
        host.mac(),
        hostIp,
        TcpSegment.of(40000, 80, 0xFFFFFFF0, 0, TcpSegment.SYN, 65535)
            .withPayload(ByteString.fromString("0123456789")));
    TcpSegment rst = peer.nextTcp(WAIT);
    assertNotNull(rst, "no RST came back");
    assertEquals(TcpSegment.RST | TcpSegment.ACK, rst.flags());
    assertEquals(0, rst.seq());
    assertEquals(0xFFFFFFF0 + 1 + 10, rst.ack(), "SYN and 10 data bytes, wrapping past 2^32");
    assertEquals(80, rst.sourcePort());
    assertEquals(40000, rst.destinationPort());
    assertEquals(1, host.stats().drops(DropReason.TCP_PORT_CLOSED));
  }

  @Test
  @DisplayName("ACK to a closed port: <SEQ=SEG.ACK><CTL=RST>; a RST is never answered")
  void ackToClosedPortGetsRst() throws Exception {
    peer.sendTcp(host.mac(), hostIp, TcpSegment.of(40001, 22, 1000, 777777, TcpSegment.ACK, 512));
    TcpSegment rst = peer.nextTcp(WAIT);
    assertNotNull(rst);
    assertEquals(TcpSegment.RST, rst.flags());
    assertEquals(777777, rst.seq());
    peer.sendTcp(host.mac(), hostIp, TcpSegment.of(40001, 22, 1000, 0, TcpSegment.RST, 0));
    assertNull(peer.nextTcp(Duration.ofMillis(300)), "RST must not be answered");
    assertEquals(2, host.stats().drops(DropReason.TCP_PORT_CLOSED));
  }

  @Test
  @DisplayName(
      "repeated RSTs (mirage-tcpip PR 489, issue 456): the flow closes once, leaves the table, and later RSTs are not answered")
  void repeatedResetsLeaveNoEntry() throws Exception {
    java.util.concurrent.CompletableFuture<TcpFlow> accepted =
        new java.util.concurrent.CompletableFuture<>();
    host.tcp()
        .listen(
            80,
            flow -> {
              accepted.complete(flow);
              return new java.util.concurrent.CompletableFuture<>();
            });
    int iss = 777_000;
    peer.sendTcp(
        host.mac(),
        hostIp,
        TcpSegment.of(40000, 80, iss, 0, TcpSegment.SYN, 65535)
            .withOptions(dev.vnetif.wire.TcpOptions.NONE.withMss(1460)));
    TcpSegment synAck = peer.nextTcp(WAIT);
    assertNotNull(synAck, "SYN-ACK");
    assertEquals(TcpSegment.SYN | TcpSegment.ACK, synAck.flags());
    peer.sendTcp(
        host.mac(),
        hostIp,
        TcpSegment.of(40000, 80, iss + 1, synAck.seq() + 1, TcpSegment.ACK, 65535));
    TcpFlow flow = await(accepted);
    awaitCondition(() -> host.stats().openFlows() == 1, "the flow is in the table");
    for (int i = 0; i < 3; i++) {
      peer.sendTcp(host.mac(), hostIp, TcpSegment.of(40000, 80, iss + 1, 0, TcpSegment.RST, 0));
    }
    // A barrier: the host handles frames in order, so once it has answered this echo request all
    // three RSTs were handled (the 2nd and 3rd went to the flow or were counted at the closed
    // port, depending on how they were batched) and none can be counted after `before` below.
    peer.sendIp(
        host.mac(),
        hostIp,
        Ipv4Packet.PROTO_ICMP,
        IcmpPacket.echoRequest(7, 1, ByteString.emptyByteString()).encode());
    Ipv4Packet echo = peer.nextDatagram(WAIT);
    assertNotNull(echo, "echo reply");
    assertEquals(Ipv4Packet.PROTO_ICMP, echo.protocol());
    Throwable failure = failureOf(flow.read());
    org.junit.jupiter.api.Assertions.assertInstanceOf(ConnectionResetException.class, failure);
    awaitCondition(() -> host.stats().openFlows() == 0, "the reset flow left the table");
    // One more, now that no flow has the 4-tuple: counted at the closed port, never answered.
    long before = host.stats().drops(DropReason.TCP_PORT_CLOSED);
    peer.sendTcp(host.mac(), hostIp, TcpSegment.of(40000, 80, iss + 1, 0, TcpSegment.RST, 0));
    awaitCondition(
        () -> host.stats().drops(DropReason.TCP_PORT_CLOSED) == before + 1,
        "the late RST counted at the closed port");
    assertNull(peer.nextTcp(Duration.ofMillis(300)), "no RST answers a RST");
    assertEquals(0, host.stats().openFlows());
  }

  @Test
  @DisplayName("a TCP segment with a bad checksum is dropped and counted, not answered")
  void badTcpChecksumDropped() throws Exception {
    ByteString good =
        TcpSegment.of(40002, 80, 1, 0, TcpSegment.SYN, 1000).encode(peer.address(), hostIp);
    byte[] bad = good.toArray();
    bad[16] ^= 0x01;
    peer.sendIp(host.mac(), hostIp, Ipv4Packet.PROTO_TCP, ByteString.fromArray(bad));
    assertNull(peer.nextTcp(Duration.ofMillis(300)));
    assertEquals(1, host.stats().drops(DropReason.TCP_BAD_CHECKSUM));
  }

  @Test
  @DisplayName(
      "an IPv4 fragment (MF set, or offset ≠ 0) is counted once as IPV4_FRAGMENT and not answered; the same echo unfragmented is")
  void fragmentsAreDroppedAndCounted() throws Exception {
    ByteString echo =
        IcmpPacket.echoRequest(0x4242, 1, ByteString.fromString("are you there?")).encode();
    // The control: whole, this echo request is answered, so silence below means a drop.
    peer.sendDatagram(host.mac(), echoDatagram(echo, false, 0));
    Ipv4Packet reply = peer.nextDatagram(WAIT);
    assertNotNull(reply, "the unfragmented echo request was not answered");
    assertEquals(Ipv4Packet.PROTO_ICMP, reply.protocol());
    assertEquals(0, host.stats().drops(DropReason.IPV4_FRAGMENT));

    record Fragment(String name, boolean moreFragments, int offset) {}
    for (Fragment fragment :
        List.of(
            new Fragment("first fragment (MF set, offset 0)", true, 0),
            new Fragment("last fragment (MF clear, offset 185)", false, 185))) {
      long fragments = host.stats().drops(DropReason.IPV4_FRAGMENT);
      long drops = host.stats().totalDrops();
      peer.sendDatagram(
          host.mac(), echoDatagram(echo, fragment.moreFragments(), fragment.offset()));
      awaitCondition(
          () -> host.stats().drops(DropReason.IPV4_FRAGMENT) > fragments,
          "the host counted the " + fragment.name());
      assertNull(
          peer.nextDatagram(Duration.ofMillis(300)), "the " + fragment.name() + " was answered");
      assertEquals(fragments + 1, host.stats().drops(DropReason.IPV4_FRAGMENT), fragment.name());
      assertEquals(drops + 1, host.stats().totalDrops(), fragment.name() + " " + host.stats());
    }
  }

  /** An echo request from the peer to the host, with the given fragmentation fields. */
  Ipv4Packet echoDatagram(ByteString echo, boolean moreFragments, int fragmentOffset) {
    return new Ipv4Packet(
        0,
        0x77,
        false,
        moreFragments,
        fragmentOffset,
        64,
        Ipv4Packet.PROTO_ICMP,
        peer.address(),
        hostIp,
        echo);
  }

  @Test
  @DisplayName(
      "more datagrams than max-pending-packets wait for ARP: the oldest fail as ARP_QUEUE_OVERFLOW, the newest go out in order once ARP is answered")
  void arpQueueOverflowDropsTheOldest() throws Exception {
    int capacity = net.config().arp().maxPendingPackets();
    int extra = 3;
    InetSocketAddress destination = new InetSocketAddress(peer.address().toInet(), 9);
    List<CompletableFuture<Done>> sends = new ArrayList<>();
    for (int i = 0; i < capacity + extra; i++) {
      sends.add(
          host.udp().send(5000, destination, ByteString.fromString("#" + i)).toCompletableFuture());
    }
    // The peer has not answered ARP yet (it answers only while the test reads from it).
    for (int i = 0; i < extra; i++) {
      assertInstanceOf(
          HostUnreachableException.class,
          failureOf(sends.get(i)),
          "datagram #" + i + " is pushed out of the queue");
    }
    assertEquals(extra, host.stats().drops(DropReason.ARP_QUEUE_OVERFLOW));
    for (int i = extra; i < capacity + extra; i++) {
      Ipv4Packet packet = peer.nextDatagram(WAIT);
      assertNotNull(packet, "datagram #" + i + " never came");
      UdpPacket udp =
          UdpPacket.parse(packet.payload(), packet.source(), packet.destination(), true);
      assertEquals("#" + i, udp.payload().utf8String());
    }
    for (int i = extra; i < capacity + extra; i++) {
      await(sends.get(i));
    }
    assertEquals(extra, host.stats().drops(DropReason.ARP_QUEUE_OVERFLOW));
    assertEquals(0, host.stats().drops(DropReason.ARP_UNRESOLVED));
  }

  @Test
  @DisplayName(
      "10,000 random frames: no exception, the host still answers, every frame counted once")
  void randomFramesAreDroppedAndCounted() throws Exception {
    long seed = new SplittableRandom().nextLong();
    String replay = "replay with seed " + seed;
    SplittableRandom random = new SplittableRandom(seed);
    RawPort raw = await(net.attachRawPort("fuzzer"));
    List<ByteString> batch = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      batch.add(randomFrame(random, i % 4));
      if (batch.size() == 100) {
        raw.send(batch);
        batch.clear();
      }
    }
    SwitchStats stats = await(net.switchStats());
    long delivered =
        stats.ports().stream()
            .filter(p -> p.port() == host.switchPort())
            .findFirst()
            .orElseThrow()
            .txFrames();
    // Every frame of at least 14 bytes reaches the host: broadcast, multicast and unknown
    // unicast are flooded. (Only a random destination equal to a source MAC already learned
    // on the fuzzer's port would be filtered: odds of about 10^4 in 2^47.)
    assertEquals(10_000, delivered + stats.runtDrops(), replay);
    // rxFrames counts a frame when it arrives, its drop reason once handled: wait for both.
    awaitCondition(
        () -> inputDrops(host.stats()) + host.stats().icmpErrorsReceived() >= delivered,
        "the host handled every frame");

    StackStats after = host.stats();
    assertEquals(delivered, after.rxFrames(), replay);
    long inputDrops = inputDrops(after);
    // Each frame is dropped under exactly one reason, or (if random bytes happen to make a
    // valid ICMP error, odds ~10^-5) counted as an ICMP error received.
    assertEquals(after.rxFrames(), inputDrops + after.icmpErrorsReceived(), replay + " " + after);
    assertTrue(after.drops(DropReason.ETHERNET_NOT_FOR_US) > 0, replay);
    assertTrue(after.drops(DropReason.IPV4_MALFORMED) > 0, replay);
    assertTrue(after.drops(DropReason.ARP_MALFORMED) > 0, replay);
    assertTrue(
        after.drops(DropReason.ICMP_BAD_CHECKSUM)
                + after.drops(DropReason.TCP_BAD_CHECKSUM)
                + after.drops(DropReason.UDP_BAD_CHECKSUM)
            > 0,
        replay);

    // Still alive and well: the host answers a newcomer's ping.
    Stack other = await(net.createStack("10.0.0.3/24"));
    await(other.ping(host.address(), WAIT));
  }

  static long inputDrops(StackStats stats) {
    return stats.drops().entrySet().stream()
        .filter(e -> !OUTGOING.contains(e.getKey()))
        .mapToLong(java.util.Map.Entry::getValue)
        .sum();
  }

  /**
   * Four shapes: fully random bytes; random bytes to the host's MAC as IPv4 or ARP; a valid IPv4
   * header (correct checksum) with a random transport protocol and payload.
   */
  ByteString randomFrame(SplittableRandom random, int shape) {
    int length = random.nextInt(0, 200);
    byte[] bytes = new byte[Math.max(length, shape == 0 ? 0 : 14 + 20)];
    random.nextBytes(bytes);
    if (shape == 0) {
      return ByteString.fromArray(bytes);
    }
    host.mac().writeTo(bytes, 0);
    bytes[6] = 0x02; // a unicast, locally administered source
    int etherType = shape == 1 ? EthernetFrame.ETHERTYPE_IPV4 : EthernetFrame.ETHERTYPE_ARP;
    if (shape == 3) {
      etherType = EthernetFrame.ETHERTYPE_IPV4;
      bytes[14] = 0x45;
      int total = bytes.length - 14;
      bytes[16] = (byte) (total >> 8);
      bytes[17] = (byte) total;
      bytes[20] = 0x40; // DF, no fragment offset
      bytes[21] = 0;
      int[] protocols = {Ipv4Packet.PROTO_ICMP, Ipv4Packet.PROTO_TCP, Ipv4Packet.PROTO_UDP, 99};
      bytes[23] = (byte) protocols[random.nextInt(protocols.length)];
      hostIp.writeTo(bytes, 30);
      bytes[24] = 0;
      bytes[25] = 0;
      int sum = Checksum.fold(Checksum.sum(bytes, 14, 20, 0));
      bytes[24] = (byte) (sum >> 8);
      bytes[25] = (byte) sum;
    }
    bytes[12] = (byte) (etherType >> 8);
    bytes[13] = (byte) etherType;
    return ByteString.fromArray(bytes);
  }

  @Test
  @DisplayName(
      "a pcap of ARP, ICMP, UDP and TCP RST traffic reads in tshark with no malformed frame or bad checksum")
  void pcapReadsCleanInTshark(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(Tshark.find().isPresent(), Tshark.NOT_INSTALLED);
    Path file = dir.resolve("hosts.pcap");
    Stack other = await(net.createStack("10.0.0.3/24"));
    AtomicInteger tapped = new AtomicInteger();
    TapId tap = net.addListener(f -> tapped.incrementAndGet());
    PcapRecording recording = net.recordPcap(file);
    for (int i = 0; i < 3; i++) {
      await(other.ping(host.address(), WAIT));
    }
    host.udp().listen(7, d -> host.udp().send(7, d.src(), d.payload()));
    java.util.concurrent.CountDownLatch echoed = new java.util.concurrent.CountDownLatch(1);
    other.udp().listen(5000, d -> echoed.countDown());
    await(
        other
            .udp()
            .send(5000, new InetSocketAddress(host.address(), 7), ByteString.fromString("echo")));
    awaitCondition(() -> echoed.getCount() == 0, "the UDP echo came back");
    await(
        other
            .udp()
            .send(new InetSocketAddress(host.address(), 9), ByteString.fromString("closed")));
    peer.sendTcp(host.mac(), hostIp, TcpSegment.of(40000, 80, 12345, 0, TcpSegment.SYN, 65535));
    assertNotNull(peer.nextTcp(WAIT));
    await(recording.stop());
    await(net.removeListener(tap));

    Tshark.Report report = Tshark.read(file);
    assertEquals(0, report.malformed(), report.rawOutput());
    assertEquals(0, report.badChecksums(), report.rawOutput());
    assertEquals(recording.framesWritten(), report.frames());
    // ARP + 3 pings; UDP echo and reply; UDP to a closed port and its ICMP error; the
    // peer's SYN, the host's ARP request for the peer, the peer's ARP reply, the RST.
    assertEquals(
        2 + 6 + 2 + 2 + 4,
        report.frames(),
        String.join("\n", Tshark.fields(file, "", "frame.number", "_ws.col.Info")));
    // ip.src of the error and of the datagram it quotes (RFC 792)
    List<String> icmp = Tshark.fields(file, "icmp.type == 3 && icmp.code == 3", "ip.src");
    assertEquals(List.of("10.0.0.2,10.0.0.3"), icmp);
    List<String> rst = Tshark.fields(file, "tcp.flags.reset == 1", "tcp.srcport", "tcp.ack");
    assertEquals(1, rst.size(), rst.toString());
  }
}
