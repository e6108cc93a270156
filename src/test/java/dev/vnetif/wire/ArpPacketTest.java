package dev.vnetif.wire;

import static dev.vnetif.wire.Malformed.assertMalformed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.wire.MalformedPacketException.Reason;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class ArpPacketTest {

  private static final MacAddress MAC_A = MacAddress.of("02:00:00:00:00:01");
  private static final MacAddress MAC_B = MacAddress.of("02:00:00:00:00:02");
  private static final Ipv4Address IP_A = Ipv4Address.of("10.0.0.2");
  private static final Ipv4Address IP_B = Ipv4Address.of("10.0.0.3");

  /** Who has 10.0.0.3? Tell 10.0.0.2 (02:00:00:00:00:01); laid out field by field from RFC 826. */
  private static final String WHO_HAS =
      ""
          + "0001" // hardware type: Ethernet
          + "0800" // protocol type: IPv4
          + "06"
          + "04" // hardware / protocol address lengths
          + "0001" // operation: request
          + "020000000001" // sender MAC
          + "0a000002" // sender IP 10.0.0.2
          + "000000000000" // target MAC unknown
          + "0a000003"; // target IP 10.0.0.3

  @Test
  void encodesAKnownRequest() {
    assertEquals(WHO_HAS, Hex.hex(ArpPacket.request(MAC_A, IP_A, IP_B).encode()));
  }

  @Test
  void parsesAKnownRequest() throws Exception {
    ArpPacket arp = ArpPacket.parse(Hex.bs(WHO_HAS));
    assertTrue(arp.isRequest());
    assertFalse(arp.isReply());
    assertEquals(MAC_A, arp.senderMac());
    assertEquals(IP_A, arp.senderIp());
    assertEquals(MacAddress.ZERO, arp.targetMac());
    assertEquals(IP_B, arp.targetIp());
  }

  @Test
  void roundTripsEveryKind() throws Exception {
    for (ArpPacket arp :
        new ArpPacket[] {
          ArpPacket.request(MAC_A, IP_A, IP_B),
          ArpPacket.reply(MAC_B, IP_B, MAC_A, IP_A),
          ArpPacket.gratuitous(MAC_A, IP_A)
        }) {
      ByteString encoded = arp.encode();
      assertEquals(ArpPacket.LENGTH, encoded.length());
      assertEquals(arp, ArpPacket.parse(encoded));
    }
  }

  @Test
  void replyFromAnswersTheAsker() {
    ArpPacket reply = ArpPacket.request(MAC_A, IP_A, IP_B).replyFrom(MAC_B);
    assertEquals(ArpPacket.reply(MAC_B, IP_B, MAC_A, IP_A), reply);
    assertTrue(reply.isReply());
  }

  @Test
  void gratuitousIsARequestForItsOwnAddress() {
    ArpPacket arp = ArpPacket.gratuitous(MAC_A, IP_A);
    assertTrue(arp.isRequest());
    assertTrue(arp.isGratuitous());
    assertEquals(IP_A, arp.senderIp());
    assertEquals(IP_A, arp.targetIp());
    assertFalse(ArpPacket.request(MAC_A, IP_A, IP_B).isGratuitous());
  }

  @Test
  void truncatedAtEveryLength() {
    ByteString valid = Hex.bs(WHO_HAS);
    for (int n = 0; n < ArpPacket.LENGTH; n++) {
      ByteString prefix = valid.take(n);
      assertMalformed(Reason.TRUNCATED, () -> ArpPacket.parse(prefix), "prefix " + n);
    }
  }

  @Test
  void ignoresEthernetPadding() throws Exception {
    // A 42-byte ARP frame padded to the 60-byte minimum carries 18 trailing zeros.
    ByteString padded = Hex.bs(WHO_HAS).concat(ByteString.fromArray(new byte[18]));
    assertEquals(ArpPacket.parse(Hex.bs(WHO_HAS)), ArpPacket.parse(padded));
  }

  @Test
  void rejectsOtherHardwareAndProtocols() {
    ByteString valid = Hex.bs(WHO_HAS);
    assertMalformed(Reason.UNSUPPORTED, () -> ArpPacket.parse(Hex.with16(valid, 0, 6))); // IEEE 802
    assertMalformed(
        Reason.UNSUPPORTED, () -> ArpPacket.parse(Hex.with16(valid, 2, 0x86DD))); // IPv6
    assertMalformed(Reason.UNSUPPORTED, () -> ArpPacket.parse(Hex.flip(valid, 4, 0x01))); // hlen 7
    assertMalformed(Reason.UNSUPPORTED, () -> ArpPacket.parse(Hex.flip(valid, 5, 0x0C))); // plen 8
    assertMalformed(
        Reason.UNSUPPORTED, () -> ArpPacket.parse(Hex.with16(valid, 6, 3))); // RARP request
    assertMalformed(Reason.UNSUPPORTED, () -> ArpPacket.parse(Hex.with16(valid, 6, 0)));
  }

  @Test
  void rejectsOtherOperationsOnConstruction() {
    assertThrows(IllegalArgumentException.class, () -> new ArpPacket(3, MAC_A, IP_A, MAC_B, IP_B));
  }
}
