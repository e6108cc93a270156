package dev.vnetif.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The one frame builder: for TCP, UDP and ICMP it gives exactly the bytes the layers' own encoders
 * give when nested (Ethernet around IPv4 around the payload), whatever shape the payload's
 * ByteString has, and the checksums it writes verify.
 */
class Ipv4FrameTest {
  static final MacAddress SRC_MAC = MacAddress.of("02:00:00:00:00:02");
  static final MacAddress DST_MAC = MacAddress.of("02:00:00:00:00:03");
  static final Ipv4Address SRC = Ipv4Address.of("10.0.0.2");
  static final Ipv4Address DST = Ipv4Address.of("10.0.0.3");

  /** What the layers' encoders give for the same datagram, nested. */
  static ByteString layered(IpPayload payload, ByteString transport, int id) {
    ByteString ip = Ipv4Packet.of(SRC, DST, payload.ipProtocol(), 64, id, true, transport).encode();
    return EthernetFrame.encode(DST_MAC, SRC_MAC, EthernetFrame.ETHERTYPE_IPV4, ip);
  }

  static ByteString randomPayload(SplittableRandom random, int length) {
    byte[] data = new byte[length];
    random.nextBytes(data);
    ByteString flat = ByteString.fromArray(data);
    if (length < 3 || random.nextBoolean()) {
      return flat;
    }
    int[] cuts = random.ints(random.nextInt(1, 5), 1, length).sorted().distinct().toArray();
    return Hex.fragmented(flat, cuts); // a rope, cut at odd and even places
  }

  @Test
  @DisplayName("TCP with and without options, any payload length and shape: same bytes, verifies")
  void tcpFramesMatchTheLayeredEncoders() throws MalformedPacketException {
    long seed = 0x5EED_0101L;
    SplittableRandom random = new SplittableRandom(seed);
    TcpOptions[] options = {
      TcpOptions.NONE,
      TcpOptions.NONE.withMss(1460),
      TcpOptions.NONE.withMss(1460).withWindowScale(7).withSackPermitted()
    };
    for (int round = 0; round < 200; round++) {
      ByteString payload = randomPayload(random, random.nextInt(0, 1461));
      TcpSegment segment =
          new TcpSegment(
                  49152,
                  80,
                  random.nextInt(),
                  random.nextInt(),
                  TcpSegment.ACK,
                  random.nextInt(0x10000),
                  0,
                  TcpOptions.NONE,
                  payload)
              .withOptions(options[round % options.length]);
      int id = random.nextInt(0x10000);
      String context = "seed=" + seed + " round=" + round + " len=" + payload.length();

      ByteString frame = Ipv4Frame.encode(DST_MAC, SRC_MAC, SRC, DST, 64, id, segment);

      assertEquals(layered(segment, segment.encode(SRC, DST), id), frame, context);
      assertEquals(Ipv4Frame.length(segment), frame.length(), context);
      Ipv4Packet ip = Ipv4Packet.parse(EthernetFrame.parse(frame).payload(), true);
      assertEquals(segment, TcpSegment.parse(ip.payload(), SRC, DST, true), context);
    }
  }

  @Test
  @DisplayName("UDP and ICMP: same bytes as the layered encoders, checksums verify")
  void udpAndIcmpFramesMatchTheLayeredEncoders() throws MalformedPacketException {
    long seed = 0x5EED_0102L;
    SplittableRandom random = new SplittableRandom(seed);
    for (int round = 0; round < 100; round++) {
      ByteString payload = randomPayload(random, random.nextInt(0, 1473));
      String context = "seed=" + seed + " round=" + round + " len=" + payload.length();
      UdpPacket udp = new UdpPacket(5000, 7, payload);
      ByteString udpFrame = Ipv4Frame.encode(DST_MAC, SRC_MAC, SRC, DST, 64, round, udp);
      assertEquals(layered(udp, udp.encode(SRC, DST), round), udpFrame, context);
      Ipv4Packet udpIp = Ipv4Packet.parse(EthernetFrame.parse(udpFrame).payload(), true);
      assertEquals(udp, UdpPacket.parse(udpIp.payload(), SRC, DST, true), context);

      IcmpPacket icmp = IcmpPacket.echoRequest(0x4242, round, payload);
      ByteString icmpFrame = Ipv4Frame.encode(DST_MAC, SRC_MAC, SRC, DST, 64, round, icmp);
      assertEquals(layered(icmp, icmp.encode(), round), icmpFrame, context);
      Ipv4Packet icmpIp = Ipv4Packet.parse(EthernetFrame.parse(icmpFrame).payload(), true);
      assertEquals(icmp, IcmpPacket.parse(icmpIp.payload(), true), context);
    }
  }

  @Test
  @DisplayName("build leaves the destination MAC zero; setDestination completes it in place")
  void buildThenSetDestination() {
    TcpSegment segment =
        TcpSegment.of(1, 2, 3, 4, TcpSegment.SYN, 5).withPayload(ByteString.fromString("x"));
    byte[] frame = Ipv4Frame.build(SRC_MAC, SRC, DST, 64, 9, segment);
    assertArrayEquals(new byte[6], java.util.Arrays.copyOf(frame, 6));
    Ipv4Frame.setDestination(frame, DST_MAC);
    assertEquals(
        Ipv4Frame.encode(DST_MAC, SRC_MAC, SRC, DST, 64, 9, segment), ByteString.fromArray(frame));
  }

  @Test
  @DisplayName("encoders copy rope payloads faithfully: Ethernet, IPv4")
  void outerEncodersCopyRopes() {
    SplittableRandom random = new SplittableRandom(0x5EED_0103L);
    byte[] data = new byte[777];
    random.nextBytes(data);
    ByteString flat = ByteString.fromArray(data);
    ByteString rope = Hex.fragmented(flat, 1, 2, 301, 500, 776);
    assertEquals(
        EthernetFrame.encode(DST_MAC, SRC_MAC, 0x0800, flat),
        EthernetFrame.encode(DST_MAC, SRC_MAC, 0x0800, rope));
    assertEquals(
        Ipv4Packet.of(SRC, DST, 17, 64, 1, false, flat).encode(),
        Ipv4Packet.of(SRC, DST, 17, 64, 1, false, rope).encode());
    assertEquals(flat, Ipv4Packet.of(SRC, DST, 17, 64, 1, false, rope).encode().drop(20));
  }

  @Test
  @DisplayName("a datagram over 65535 bytes is refused with its size")
  void refusesOversizedDatagrams() {
    UdpPacket udp =
        new UdpPacket(1, 2, ByteString.fromArray(new byte[UdpPacket.MAX_PAYLOAD_LENGTH]));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Ipv4Frame.encode(DST_MAC, SRC_MAC, SRC, DST, 64, 1, udp));
    assertEquals("IPv4 payload of 65535 bytes exceeds 65515", e.getMessage());
  }
}
