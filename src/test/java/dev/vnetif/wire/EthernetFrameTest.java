package dev.vnetif.wire;

import static dev.vnetif.wire.Malformed.assertMalformed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.wire.MalformedPacketException.Reason;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class EthernetFrameTest {

  private static final MacAddress HOST_A = MacAddress.of("02:00:00:00:00:01");
  private static final MacAddress HOST_B = MacAddress.of("02:00:00:00:00:02");
  private static final ByteString PAYLOAD = ByteString.fromString("payload");

  @Test
  void encodesHeaderThenPayloadWithoutPadding() {
    EthernetFrame frame =
        new EthernetFrame(
            MacAddress.BROADCAST, HOST_A, EthernetFrame.ETHERTYPE_ARP, Hex.bs("c0ffee"));
    assertEquals("ffffffffffff 020000000001 0806 c0ffee".replace(" ", ""), Hex.hex(frame.encode()));
  }

  @Test
  void roundTrips() throws Exception {
    EthernetFrame frame = new EthernetFrame(HOST_B, HOST_A, EthernetFrame.ETHERTYPE_IPV4, PAYLOAD);
    assertEquals(frame, EthernetFrame.parse(frame.encode()));
    EthernetFrame empty = new EthernetFrame(HOST_B, HOST_A, 0x86DD, ByteString.emptyByteString());
    assertEquals(empty, EthernetFrame.parse(empty.encode()));
  }

  @Test
  void staticEncodeMatchesTheValue() {
    assertEquals(
        new EthernetFrame(HOST_B, HOST_A, EthernetFrame.ETHERTYPE_IPV4, PAYLOAD).encode(),
        EthernetFrame.encode(HOST_B, HOST_A, EthernetFrame.ETHERTYPE_IPV4, PAYLOAD));
  }

  @Test
  void truncatedAtEveryHeaderLength() {
    ByteString valid =
        new EthernetFrame(HOST_B, HOST_A, EthernetFrame.ETHERTYPE_IPV4, PAYLOAD).encode();
    for (int n = 0; n < EthernetFrame.HEADER_LENGTH; n++) {
      ByteString prefix = valid.take(n);
      assertMalformed(Reason.TRUNCATED, () -> EthernetFrame.parse(prefix), "prefix " + n);
    }
  }

  @Test
  void headerAloneGivesAnEmptyPayload() throws Exception {
    ByteString header = Hex.bs("020000000002 020000000001 0800");
    assertTrue(EthernetFrame.parse(header).payload().isEmpty());
  }

  @Test
  void rejectsVlanTagsAnd8023LengthFields() {
    assertMalformed(
        Reason.UNSUPPORTED,
        () -> EthernetFrame.parse(Hex.bs("020000000002 020000000001 8100 0001 0800")));
    assertMalformed(
        Reason.UNSUPPORTED,
        () -> EthernetFrame.parse(Hex.bs("020000000002 020000000001 05dc aaaa03")));
    assertMalformed(
        Reason.UNSUPPORTED, () -> EthernetFrame.parse(Hex.bs("020000000002 020000000001 0000")));
  }

  @Test
  void peeksAddressesWithoutParsing() {
    ByteString frame =
        Hex.fragmented(
            new EthernetFrame(HOST_B, HOST_A, EthernetFrame.ETHERTYPE_IPV4, PAYLOAD).encode(),
            3,
            7,
            13);
    assertEquals(HOST_B.toLong(), EthernetFrame.peekDestination(frame));
    assertEquals(HOST_A.toLong(), EthernetFrame.peekSource(frame));
    assertEquals(EthernetFrame.ETHERTYPE_IPV4, EthernetFrame.peekEtherType(frame));
    ByteString broadcast = Hex.bs("ffffffffffff 020000000001 0806");
    assertEquals(MacAddress.BROADCAST.toLong(), EthernetFrame.peekDestination(broadcast));
  }

  @Test
  void payloadIsASliceOfTheInput() throws Exception {
    byte[] bytes = Hex.bytes("020000000002 020000000001 0800 01020304");
    EthernetFrame frame = EthernetFrame.parse(ByteString.fromArrayUnsafe(bytes));
    bytes[14] = 9; // visible through the payload only if it shares the array
    assertEquals(Hex.bs("09020304"), frame.payload());
  }

  @Test
  void rejectsEtherTypeOutOfRange() {
    assertThrows(
        IllegalArgumentException.class, () -> new EthernetFrame(HOST_B, HOST_A, 0x10000, PAYLOAD));
  }
}
