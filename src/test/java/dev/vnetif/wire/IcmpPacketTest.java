package dev.vnetif.wire;

import static dev.vnetif.wire.Malformed.assertMalformed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.wire.MalformedPacketException.Reason;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class IcmpPacketTest {

  /**
   * Echo request, identifier 0x1234, sequence 1, data "abcdefgh". Checksum 0x5435 worked out with
   * python3: the words 0800 0000 1234 0001 6162 6364 6566 6768 sum (with end-around carry) to
   * 0xabca, and ~0xabca & 0xffff == 0x5435.
   */
  private static final String ECHO_REQUEST = "08 00 5435 1234 0001 6162636465666768";

  private static final ByteString DATA = ByteString.fromString("abcdefgh");

  @Test
  void encodesAKnownEchoRequest() {
    assertEquals(
        ECHO_REQUEST.replace(" ", ""), Hex.hex(IcmpPacket.echoRequest(0x1234, 1, DATA).encode()));
  }

  @Test
  void parsesAKnownEchoRequest() throws Exception {
    IcmpPacket icmp = IcmpPacket.parse(Hex.bs(ECHO_REQUEST), true);
    assertTrue(icmp.isEchoRequest());
    assertFalse(icmp.isEchoReply());
    assertEquals(0x1234, icmp.identifier());
    assertEquals(1, icmp.sequence());
    assertEquals(DATA, icmp.payload());
  }

  @Test
  void roundTripsEveryKind() throws Exception {
    ByteString datagram =
        Ipv4Packet.of(
                Ipv4Address.of("10.0.0.2"),
                Ipv4Address.of("10.0.0.3"),
                Ipv4Packet.PROTO_UDP,
                64,
                1,
                false,
                ByteString.fromString("0123456789abcdef"))
            .encode();
    for (IcmpPacket icmp :
        new IcmpPacket[] {
          IcmpPacket.echoRequest(0xFFFF, 0xFFFF, DATA),
          IcmpPacket.echoReply(7, 8, ByteString.fromString("odd")),
          IcmpPacket.echoRequest(0, 0, ByteString.emptyByteString()),
          IcmpPacket.destinationUnreachable(IcmpPacket.CODE_PORT_UNREACHABLE, datagram),
          IcmpPacket.fragmentationNeeded(1280, datagram),
          IcmpPacket.timeExceeded(IcmpPacket.CODE_TTL_EXCEEDED_IN_TRANSIT, datagram),
          new IcmpPacket(42, 7, 0xCAFEBABE, Hex.bs("01"))
        }) {
      assertEquals(icmp, IcmpPacket.parse(icmp.encode(), true), icmp.toString());
    }
  }

  @Test
  void replyToEchoesIdentifierSequenceAndData() throws Exception {
    IcmpPacket request = IcmpPacket.parse(Hex.bs(ECHO_REQUEST), true);
    IcmpPacket reply = IcmpPacket.replyTo(request);
    assertTrue(reply.isEchoReply());
    assertEquals(0, reply.code());
    assertEquals(request.identifier(), reply.identifier());
    assertEquals(request.sequence(), reply.sequence());
    assertEquals(request.payload(), reply.payload());
    // Only the type changes, so the checksum grows by 0x0800: 0x5435 + 0x0800 = 0x5c35.
    assertEquals("00005c35123400016162636465666768", Hex.hex(reply.encode()));
  }

  @Test
  void replyToRejectsAnythingButARequest() {
    assertThrows(
        IllegalArgumentException.class, () -> IcmpPacket.replyTo(IcmpPacket.echoReply(1, 1, DATA)));
  }

  @Test
  void errorsQuoteTheHeaderAndEightBytes() {
    ByteString payload = ByteString.fromArray(new byte[100]);
    ByteString datagram =
        Ipv4Packet.of(
                Ipv4Address.of("10.0.0.2"),
                Ipv4Address.of("10.0.0.3"),
                Ipv4Packet.PROTO_UDP,
                64,
                1,
                false,
                payload)
            .encode();
    IcmpPacket unreachable =
        IcmpPacket.destinationUnreachable(IcmpPacket.CODE_PORT_UNREACHABLE, datagram);
    assertEquals(IcmpPacket.TYPE_DEST_UNREACHABLE, unreachable.type());
    assertEquals(IcmpPacket.CODE_PORT_UNREACHABLE, unreachable.code());
    assertEquals(0, unreachable.restOfHeader());
    assertEquals(datagram.take(28), unreachable.payload());

    // A header with options (IHL 6) is quoted whole.
    byte[] withOptions = datagram.toArray();
    withOptions[0] = 0x46;
    assertEquals(
        32,
        IcmpPacket.destinationUnreachable(1, ByteString.fromArray(withOptions)).payload().length());
  }

  @Test
  void errorsQuoteShortOrOddDatagramsSafely() {
    ByteString shortDatagram = Hex.bs("4500 0014 0000");
    assertEquals(shortDatagram, IcmpPacket.destinationUnreachable(1, shortDatagram).payload());
    assertTrue(
        IcmpPacket.destinationUnreachable(1, ByteString.emptyByteString()).payload().isEmpty());
    ByteString badIhl = Hex.bs("41").concat(ByteString.fromArray(new byte[40]));
    assertEquals(28, IcmpPacket.destinationUnreachable(1, badIhl).payload().length());
  }

  @Test
  void fragmentationNeededCarriesTheNextHopMtu() {
    IcmpPacket icmp = IcmpPacket.fragmentationNeeded(1280, Hex.bs("45"));
    assertEquals(IcmpPacket.TYPE_DEST_UNREACHABLE, icmp.type());
    assertEquals(IcmpPacket.CODE_FRAGMENTATION_NEEDED, icmp.code());
    assertEquals(1280, icmp.nextHopMtu());
    // RFC 1191 §4: bytes 4..5 unused (zero), bytes 6..7 the MTU.
    assertEquals("00000500", Hex.hex(icmp.encode().slice(4, 8)));
  }

  @Test
  void truncatedAtEveryHeaderLength() {
    ByteString valid = Hex.bs(ECHO_REQUEST);
    for (int n = 0; n < IcmpPacket.HEADER_LENGTH; n++) {
      ByteString prefix = valid.take(n);
      assertMalformed(Reason.TRUNCATED, () -> IcmpPacket.parse(prefix, true), "prefix " + n);
    }
  }

  @Test
  void rejectsABadChecksumUnlessOffloaded() throws Exception {
    ByteString valid = Hex.bs(ECHO_REQUEST);
    for (int index = 0; index < valid.length(); index++) {
      ByteString corrupt = Hex.flip(valid, index, 0x04);
      assertMalformed(Reason.BAD_CHECKSUM, () -> IcmpPacket.parse(corrupt, true), "byte " + index);
    }
    assertEquals(0x1234, IcmpPacket.parse(Hex.flip(valid, 2, 0xFF), false).identifier());
  }

  @Test
  void checksumCoversAnOddLengthFragmentedPayload() throws Exception {
    ByteString payload =
        Hex.fragmented(
            ByteString.fromString("an odd-length payload, cut in pieces!".repeat(3)), 3, 4, 17, 80);
    ByteString encoded = IcmpPacket.echoRequest(9, 9, payload).encode();
    assertEquals(1, encoded.length() % 2);
    assertEquals(payload, IcmpPacket.parse(encoded, true).payload());
  }

  @Test
  void rejectsValuesOutOfRange() {
    assertThrows(IllegalArgumentException.class, () -> IcmpPacket.echoRequest(0x10000, 0, DATA));
    assertThrows(IllegalArgumentException.class, () -> IcmpPacket.echoRequest(0, -1, DATA));
    assertThrows(IllegalArgumentException.class, () -> IcmpPacket.fragmentationNeeded(70000, DATA));
    assertThrows(IllegalArgumentException.class, () -> new IcmpPacket(256, 0, 0, DATA));
  }
}
