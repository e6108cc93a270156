package dev.vnetif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.stack.DropReason;
import dev.vnetif.testsupport.GatewayArp;
import dev.vnetif.testsupport.VirtualTimeKit;
import dev.vnetif.wire.ArpPacket;
import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.Ipv4Packet;
import dev.vnetif.wire.MacAddress;
import dev.vnetif.wire.MalformedPacketException;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import dev.vnetif.wire.Timestamps;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 6528 §3 and RFC 6191 under a SYN flood: the host's ISN clock M steps {@code ISS_STEP} ticks
 * (and its timestamp-offset counter one) per draw, so a draw for every SYN that reaches a listener
 * would let 524,288 SYNs within a TIME_WAIT period move M half the sequence space and make a reused
 * 4-tuple's new ISN look older than the old one. The draws belong to the half-open connections a
 * listener actually creates: a SYN refused at a full backlog, or answered with a SYN cookie (which
 * carries its own ISN, RFC 4987 §3.6), draws nothing. Observed from outside: the server's own next
 * connect (its SYN's sequence number and TSval, as the router sees them) is the same after the
 * accepted SYNs plus a flood as after the accepted SYNs alone, under the same seed and virtual
 * time; and a flood run replays byte for byte.
 */
class SynFloodIsnTest {
  static final int BACKLOG = 4;
  static final int FLOOD = 500;
  static final int PORT = 80;
  static final Ipv4Address GATEWAY = Ipv4Address.of("10.0.0.1");
  static final Ipv4Address INTERNET_HOST = Ipv4Address.of("198.51.100.7");
  static final Duration WAIT = Duration.ofSeconds(5);

  /** What the router saw of a run: the server's connect SYN and every SYN-ACK it sent out. */
  record Outcome(
      long connectSeq, long connectTsVal, List<String> synAcks, long cookies, long backlogDrops) {}

  /**
   * One run in a virtual-time actor system of its own, so each starts at the same instant: the
   * first {@link #BACKLOG} of {@code syns} SYNs fill the listener's backlog, the rest arrive in the
   * same batch; 10 ms later the server connects out through its gateway.
   */
  static Outcome run(boolean synCookies, int syns) {
    try (VirtualTimeKit sim = VirtualTimeKit.create("syn-flood-isn")) {
      NetworkConfig defaults = NetworkConfig.fromConfig(sim.system().settings().config());
      VirtualNetwork net =
          VirtualNetwork.create(
              sim.system(),
              defaults.withSynBacklog(BACKLOG).withTcp(defaults.tcp().withSynCookies(synCookies)));
      try {
        Stack server =
            sim.await(
                net.createStack(StackConfig.of("10.0.0.2/24").withGateway("10.0.0.1")),
                WAIT,
                "server");
        RawPort router = sim.await(net.attachRawPort("router"), WAIT, "router");
        List<TcpSegment> seen = Collections.synchronizedList(new ArrayList<>());
        List<String> synAcks = Collections.synchronizedList(new ArrayList<>());
        router.onDelivery(frame -> route(router, frame, seen, synAcks));
        server.tcp().listen(PORT, flow -> flow.close());
        sim.awaitCondition(() -> server.stats().listeners() == 1, WAIT, () -> "listening");

        // The server learns the gateway's MAC first (RFC 826: it merges the asker's mapping), so
        // no SYN-ACK waits on ARP resolution, whose queue a flood would overflow.
        Ipv4Address serverIp = Ipv4Address.fromInet(server.address());
        router.send(
            EthernetFrame.encode(
                server.mac(),
                router.mac(),
                EthernetFrame.ETHERTYPE_ARP,
                ArpPacket.request(router.mac(), GATEWAY, serverIp).encode()));
        sim.advance(Duration.ofMillis(1));
        router.send(synFrames(server, router, syns));
        sim.advance(Duration.ofMillis(10));
        server.tcp().createConnection(new InetSocketAddress(INTERNET_HOST.toInet(), 443));
        sim.awaitCondition(
            () -> connectSyn(seen) != null, WAIT, () -> "the server's SYN at the router");
        TcpSegment syn = connectSyn(seen);
        Timestamps ts = syn.options().timestamps();
        assertNotNull(ts, "the connect's SYN carries timestamps (the defaults)");
        StackStats stats = server.stats();
        return new Outcome(
            syn.seq() & 0xFFFF_FFFFL,
            ts.value() & 0xFFFF_FFFFL,
            List.copyOf(synAcks),
            stats.synCookiesSent(),
            stats.drops(DropReason.TCP_BACKLOG_FULL));
      } finally {
        sim.await(net.shutdown(), WAIT, "network shutdown");
      }
    }
  }

  /**
   * The router: answers ARP for the gateway, records the server's TCP segments (each SYN-ACK as
   * "destination:port seq", in the order sent), loses them.
   */
  static boolean route(
      RawPort router, ByteString frame, List<TcpSegment> seen, List<String> synAcks) {
    try {
      Ipv4Packet packet = GatewayArp.answer(router, frame, GATEWAY);
      if (packet != null && packet.protocol() == Ipv4Packet.PROTO_TCP) {
        TcpSegment segment =
            TcpSegment.parse(packet.payload(), packet.source(), packet.destination(), false);
        seen.add(segment);
        if (segment.flags() == (TcpSegment.SYN | TcpSegment.ACK)) {
          synAcks.add(
              packet.destination()
                  + ":"
                  + segment.destinationPort()
                  + " "
                  + (segment.seq() & 0xFFFF_FFFFL));
        }
      }
    } catch (MalformedPacketException e) {
      // not ours to judge
    }
    return true;
  }

  static TcpSegment connectSyn(List<TcpSegment> seen) {
    synchronized (seen) {
      for (TcpSegment s : seen) {
        if (s.flags() == TcpSegment.SYN) {
          return s;
        }
      }
    }
    return null;
  }

  /** {@code count} spoofed SYNs from the internet (RFC 2544's 198.18.0.0/15), from a fixed seed. */
  static List<ByteString> synFrames(Stack server, RawPort router, int count) {
    SplittableRandom random = new SplittableRandom(20_261_206L);
    MacAddress serverMac = server.mac();
    Ipv4Address serverIp = Ipv4Address.fromInet(server.address());
    List<ByteString> frames = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Ipv4Address source = Ipv4Address.fromInt(0xC612_0000 | random.nextInt(1 << 17));
      TcpOptions options =
          TcpOptions.NONE
              .withMss(1460)
              .withSackPermitted()
              .withTimestamps(new Timestamps(random.nextInt(), 0))
              .withWindowScale(7);
      TcpSegment syn =
          TcpSegment.of(
                  1024 + random.nextInt(64_000), PORT, random.nextInt(), 0, TcpSegment.SYN, 64240)
              .withOptions(options);
      Ipv4Packet packet =
          Ipv4Packet.of(
              source, serverIp, Ipv4Packet.PROTO_TCP, 64, i, true, syn.encode(source, serverIp));
      frames.add(
          EthernetFrame.encode(
              serverMac, router.mac(), EthernetFrame.ETHERTYPE_IPV4, packet.encode()));
    }
    return frames;
  }

  @ParameterizedTest(name = "SYN cookies {0}")
  @ValueSource(booleans = {true, false})
  @DisplayName(
      "RFC 6528 §3 / RFC 6191: 500 SYNs beyond a full backlog of 4 (answered with cookies, or dropped) draw no ISN and no TSval offset — the server's next connect has the same ISN and TSval as after the 4 accepted SYNs alone; the flood replays identically")
  void floodLeavesTheIsnClockAlone(boolean synCookies) {
    Outcome accepted = run(synCookies, BACKLOG);
    Outcome flood = run(synCookies, BACKLOG + FLOOD);
    if (synCookies) {
      assertEquals(FLOOD, flood.cookies());
    } else {
      assertEquals(FLOOD, flood.backlogDrops());
    }
    assertEquals(accepted.connectSeq(), flood.connectSeq(), "ISN of the connect after the flood");
    assertEquals(accepted.connectTsVal(), flood.connectTsVal(), "TSval of that connect");
    // The accepted SYNs' SYN-ACKs carry the same ISNs with or without the flood around them.
    assertEquals(BACKLOG, accepted.synAcks().size());
    assertTrue(
        flood.synAcks().containsAll(accepted.synAcks()),
        () -> accepted.synAcks() + " not all among " + flood.synAcks());
    assertEquals(synCookies ? BACKLOG + FLOOD : BACKLOG, flood.synAcks().size(), "SYN-ACKs sent");
    // Replay: the same flood again gives the same ISNs, cookies and SYN-ACKs, in the same order.
    assertEquals(flood, run(synCookies, BACKLOG + FLOOD));
  }
}
