package dev.vnetif.wire;

import static dev.vnetif.wire.Malformed.assertMalformed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vnetif.wire.MalformedPacketException.Reason;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class UdpPacketTest {

  private static final Ipv4Address A = Ipv4Address.of("10.0.0.2");
  private static final Ipv4Address B = Ipv4Address.of("10.0.0.3");

  /**
   * 10.0.0.2:5000 -> 10.0.0.3:53, "hello". Checksum 0x9440 worked out with python3 over the
   * pseudo-header 0a000002 0a000003 0011 000d and the datagram with a zero checksum field.
   */
  private static final String HELLO = "1388 0035 000d 9440 68656c6c6f";

  private static final UdpPacket HELLO_PACKET =
      new UdpPacket(5000, 53, ByteString.fromString("hello"));

  @Test
  void encodesAKnownDatagram() {
    assertEquals(HELLO.replace(" ", ""), Hex.hex(HELLO_PACKET.encode(A, B)));
  }

  @Test
  void parsesAKnownDatagram() throws Exception {
    assertEquals(HELLO_PACKET, UdpPacket.parse(Hex.bs(HELLO), A, B, true));
  }

  @Test
  void roundTrips() throws Exception {
    for (UdpPacket udp :
        new UdpPacket[] {
          HELLO_PACKET,
          new UdpPacket(0, 65535, ByteString.emptyByteString()),
          new UdpPacket(65535, 1, ByteString.fromArray(new byte[1472])),
          new UdpPacket(
              1, 2, Hex.fragmented(ByteString.fromString("fragmented payload, odd"), 1, 2, 9))
        }) {
      assertEquals(udp, UdpPacket.parse(udp.encode(A, B), A, B, true));
      assertEquals(udp.length(), udp.encode(A, B).length());
    }
  }

  @Test
  void staticEncodeMatchesTheValue() {
    assertEquals(
        HELLO_PACKET.encode(A, B),
        UdpPacket.encode(A, B, 5000, 53, ByteString.fromString("hello")));
  }

  @Test
  void truncatedAtEveryHeaderLength() {
    ByteString valid = Hex.bs(HELLO);
    for (int n = 0; n < UdpPacket.HEADER_LENGTH; n++) {
      ByteString prefix = valid.take(n);
      assertMalformed(Reason.TRUNCATED, () -> UdpPacket.parse(prefix, A, B, true), "prefix " + n);
    }
  }

  @Test
  void rejectsLengthBelowTheHeader() {
    for (int length = 0; length < 8; length++) {
      ByteString bad = Hex.with16(Hex.bs(HELLO), 4, length);
      assertMalformed(
          Reason.BAD_LENGTH, () -> UdpPacket.parse(bad, A, B, false), "length " + length);
    }
  }

  @Test
  void rejectsLengthPastTheBuffer() {
    assertMalformed(
        Reason.BAD_LENGTH, () -> UdpPacket.parse(Hex.with16(Hex.bs(HELLO), 4, 14), A, B, false));
    assertMalformed(
        Reason.BAD_LENGTH, () -> UdpPacket.parse(Hex.bs(HELLO).dropRight(1), A, B, false));
  }

  @Test
  void ignoresBytesPastTheLengthField() throws Exception {
    // IPv4 padding after the datagram is outside the UDP length and outside the checksum.
    ByteString trailing = Hex.bs(HELLO).concat(Hex.bs("deadbeef"));
    assertEquals(HELLO_PACKET, UdpPacket.parse(trailing, A, B, true));
  }

  @Test
  void acceptsAZeroChecksumAsNone() throws Exception {
    ByteString noChecksum = Hex.with16(Hex.bs(HELLO), 6, 0);
    assertEquals(HELLO_PACKET, UdpPacket.parse(noChecksum, A, B, true));
  }

  @Test
  void rejectsABadChecksumUnlessOffloaded() throws Exception {
    ByteString valid = Hex.bs(HELLO);
    for (int index : new int[] {0, 1, 2, 3, 7, 8, 12}) {
      ByteString corrupt = Hex.flip(valid, index, 0x20);
      assertMalformed(
          Reason.BAD_CHECKSUM, () -> UdpPacket.parse(corrupt, A, B, true), "byte " + index);
    }
    assertEquals(5000, UdpPacket.parse(Hex.flip(valid, 8, 0x20), A, B, false).sourcePort());
  }

  @Test
  void checksumCoversThePseudoHeader() {
    Ipv4Address other = Ipv4Address.of("10.0.0.4");
    assertMalformed(Reason.BAD_CHECKSUM, () -> UdpPacket.parse(Hex.bs(HELLO), A, other, true));
    assertMalformed(Reason.BAD_CHECKSUM, () -> UdpPacket.parse(Hex.bs(HELLO), other, B, true));
  }

  @Test
  void aComputedZeroChecksumIsSentAsAllOnes() throws Exception {
    // With a two-byte payload W the checksum is ~(S + W) where S is the sum of the rest;
    // choosing W = ~S (the checksum of the zero payload) makes the computed checksum zero.
    ByteString zeroPayload = new UdpPacket(7, 9, Hex.bs("0000")).encode(A, B);
    int zeroPayloadChecksum = (zeroPayload.apply(6) & 0xFF) << 8 | (zeroPayload.apply(7) & 0xFF);
    ByteString payload = Hex.with16(Hex.bs("0000"), 0, zeroPayloadChecksum);
    ByteString encoded = new UdpPacket(7, 9, payload).encode(A, B);
    assertEquals(0xFFFF, (encoded.apply(6) & 0xFF) << 8 | (encoded.apply(7) & 0xFF));
    assertEquals(payload, UdpPacket.parse(encoded, A, B, true).payload());
  }

  @Test
  void rejectsPortsOutOfRange() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new UdpPacket(65536, 1, ByteString.emptyByteString()));
    assertThrows(
        IllegalArgumentException.class,
        () -> UdpPacket.encode(A, B, 1, -1, ByteString.emptyByteString()));
  }
}
