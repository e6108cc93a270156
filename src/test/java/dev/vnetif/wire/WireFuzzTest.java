package dev.vnetif.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.SplittableRandom;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * Feeds random and mutated bytes to every parser: each must return a value or throw {@link
 * MalformedPacketException}, never anything else. The seed is fixed for reproducibility and can be
 * changed with {@code -Dvnetif.wire.fuzz.seed=...}; it is printed in every failure.
 */
class WireFuzzTest {

  private static final int ROUNDS = 20_000;
  private static final Ipv4Address A = Ipv4Address.of("10.0.0.2");
  private static final Ipv4Address B = Ipv4Address.of("10.0.0.3");

  /** Valid packets of every kind, so that mutations reach past the first checks. */
  private static final List<ByteString> SEEDS =
      List.of(
          EthernetFrame.encode(
              MacAddress.BROADCAST,
              MacAddress.of("02:00:00:00:00:01"),
              EthernetFrame.ETHERTYPE_ARP,
              ArpPacket.request(MacAddress.of("02:00:00:00:00:01"), A, B).encode()),
          ArpPacket.gratuitous(MacAddress.of("02:00:00:00:00:02"), B).encode(),
          Ipv4Packet.of(A, B, Ipv4Packet.PROTO_UDP, 64, 9, true, ByteString.fromString("datagram"))
              .encode(),
          IcmpPacket.echoRequest(1, 2, ByteString.fromString("ping")).encode(),
          new UdpPacket(5000, 53, ByteString.fromString("query")).encode(A, B),
          TcpSegment.of(49152, 80, 1, 0, TcpSegment.SYN, 64240)
              .withOptions(
                  TcpOptions.NONE
                      .withMss(1460)
                      .withSackPermitted()
                      .withTimestamps(new Timestamps(5, 0))
                      .withWindowScale(7))
              .encode(A, B),
          TcpSegment.of(80, 49152, 7, 2, TcpSegment.ACK, 500)
              .withOptions(
                  TcpOptions.NONE.withSackBlocks(List.of(new SackBlock(1, 2), new SackBlock(3, 4))))
              .encode(A, B));

  private static long seed() {
    return Long.getLong("vnetif.wire.fuzz.seed", 0x5EED_F022L);
  }

  @Test
  void everyParserEitherParsesOrThrowsMalformed() {
    long seed = seed();
    SplittableRandom random = new SplittableRandom(seed);
    int parsed = 0;
    for (int round = 0; round < ROUNDS; round++) {
      ByteString input = random.nextBoolean() ? randomBytes(random) : mutatedSeed(random);
      if (input.length() > 2 && random.nextInt(4) == 0) {
        input = Hex.fragmented(input, random.nextInt(1, input.length()));
      }
      try {
        parsed += parseWithEveryParser(input);
      } catch (Throwable t) {
        fail("seed=" + seed + " round=" + round + " input=" + Hex.hex(input) + " threw " + t, t);
      }
    }
    // Sanity: the mutations must sometimes produce something that parses.
    if (parsed == 0) {
      fail("seed=" + seed + ": nothing parsed in " + ROUNDS + " rounds");
    }
  }

  private static ByteString randomBytes(SplittableRandom random) {
    byte[] b = new byte[random.nextInt(0, 100)];
    random.nextBytes(b);
    return ByteString.fromArrayUnsafe(b);
  }

  private static ByteString mutatedSeed(SplittableRandom random) {
    byte[] b = SEEDS.get(random.nextInt(SEEDS.size())).toArray();
    int flips = random.nextInt(0, 4);
    for (int i = 0; i < flips; i++) {
      b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
    }
    int length = random.nextInt(4) == 0 ? random.nextInt(b.length + 1) : b.length;
    return ByteString.fromArray(b, 0, length);
  }

  /**
   * Runs every parser; returns how many succeeded. Checked exceptions other than Malformed cannot
   * occur.
   */
  private static int parseWithEveryParser(ByteString input) {
    int ok = 0;
    try {
      EthernetFrame frame = EthernetFrame.parse(input);
      assertEquals(input, frame.encode());
      ok++;
    } catch (MalformedPacketException expected) {
      // fine
    }
    if (input.length() >= EthernetFrame.HEADER_LENGTH) {
      MacAddress.fromLong(EthernetFrame.peekDestination(input));
      MacAddress.fromLong(EthernetFrame.peekSource(input));
    }
    try {
      ArpPacket arp = ArpPacket.parse(input);
      assertEquals(input.take(ArpPacket.LENGTH), arp.encode());
      ok++;
    } catch (MalformedPacketException expected) {
      // fine
    }
    for (boolean verify : new boolean[] {true, false}) {
      try {
        Ipv4Packet ip = Ipv4Packet.parse(input, verify);
        assertEquals(ip, Ipv4Packet.parse(ip.encode(), true));
        ok++;
      } catch (MalformedPacketException expected) {
        // fine
      }
      try {
        IcmpPacket icmp = IcmpPacket.parse(input, verify);
        assertEquals(icmp, IcmpPacket.parse(icmp.encode(), true));
        ok++;
      } catch (MalformedPacketException expected) {
        // fine
      }
      try {
        UdpPacket udp = UdpPacket.parse(input, A, B, verify);
        assertEquals(udp, UdpPacket.parse(udp.encode(A, B), A, B, true));
        ok++;
      } catch (MalformedPacketException expected) {
        // fine
      }
      try {
        TcpSegment tcp = TcpSegment.parse(input, A, B, verify);
        if (fitsFortyBytes(tcp.options())) {
          assertEquals(tcp, TcpSegment.parse(tcp.encode(A, B), A, B, true));
        }
        ok++;
      } catch (MalformedPacketException expected) {
        // fine
      }
    }
    try {
      TcpOptions.parse(input, 0, input.length());
      ok++;
    } catch (MalformedPacketException expected) {
      // fine
    }
    return ok;
  }

  private static boolean fitsFortyBytes(TcpOptions options) {
    try {
      options.encodedLength();
      return true;
    } catch (IllegalArgumentException tooLong) {
      return false;
    }
  }
}
