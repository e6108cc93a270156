package dev.vnetif.wire;

import static dev.vnetif.wire.Malformed.assertMalformed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.wire.MalformedPacketException.Reason;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class Ipv4PacketTest {

  private static final Ipv4Address A = Ipv4Address.of("10.0.0.2");
  private static final Ipv4Address B = Ipv4Address.of("10.0.0.3");

  /**
   * The classic textbook header (Wikipedia, "Internet checksum"/"IPv4 header checksum"): total
   * length 0x73, DF, TTL 64, UDP, 192.168.0.1 -> 192.168.0.199, checksum b861. Checked
   * independently with python3: the one's-complement sum of the ten 16-bit words with the checksum
   * field zeroed is 0x479e, and ~0x479e & 0xffff == 0xb861.
   */
  private static final String TEXTBOOK_HEADER = "4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7";

  private static final int TEXTBOOK_PAYLOAD_LENGTH = 0x73 - 20;

  private static ByteString textbookDatagram() {
    byte[] payload = new byte[TEXTBOOK_PAYLOAD_LENGTH];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) i;
    }
    return Hex.bs(TEXTBOOK_HEADER).concat(ByteString.fromArray(payload));
  }

  private static Ipv4Packet sample() {
    return Ipv4Packet.of(
        A, B, Ipv4Packet.PROTO_TCP, 64, 0x1234, true, ByteString.fromString("hello, world"));
  }

  @Test
  void parsesTheTextbookHeaderWithItsChecksum() throws Exception {
    Ipv4Packet ip = Ipv4Packet.parse(textbookDatagram(), true);
    assertEquals(0, ip.tos());
    assertEquals(0, ip.identification());
    assertTrue(ip.dontFragment());
    assertFalse(ip.moreFragments());
    assertEquals(0, ip.fragmentOffset());
    assertEquals(64, ip.ttl());
    assertEquals(Ipv4Packet.PROTO_UDP, ip.protocol());
    assertEquals(Ipv4Address.of("192.168.0.1"), ip.source());
    assertEquals(Ipv4Address.of("192.168.0.199"), ip.destination());
    assertEquals(textbookDatagram().drop(20), ip.payload());
    assertFalse(ip.isFragment());
  }

  @Test
  void encodesTheTextbookHeaderWithItsChecksum() throws Exception {
    Ipv4Packet ip = Ipv4Packet.parse(textbookDatagram(), false);
    ByteString encoded = ip.encode();
    assertEquals(Hex.hex(Hex.bs(TEXTBOOK_HEADER)), Hex.hex(encoded.take(20)));
    assertEquals(textbookDatagram(), encoded);
  }

  @Test
  void roundTrips() throws Exception {
    Ipv4Packet fragment =
        new Ipv4Packet(0xB8, 0xFFFF, false, true, 8191, 1, 200, A, B, Hex.bs("0102030405"));
    for (Ipv4Packet ip :
        new Ipv4Packet[] {
          sample(),
          fragment,
          Ipv4Packet.of(A, B, Ipv4Packet.PROTO_ICMP, 255, 0, false, ByteString.emptyByteString())
        }) {
      assertEquals(ip, Ipv4Packet.parse(ip.encode(), true));
    }
  }

  @Test
  void staticEncodeMatchesTheValue() {
    ByteString payload = ByteString.fromString("hello, world");
    assertEquals(
        sample().encode(),
        Ipv4Packet.encode(A, B, Ipv4Packet.PROTO_TCP, 64, 0x1234, true, payload));
    assertEquals(32, sample().totalLength());
  }

  @Test
  void encodesFlagsAndFragmentOffset() {
    ByteString encoded =
        new Ipv4Packet(0, 7, false, true, 185, 64, 17, A, B, Hex.bs("00")).encode();
    // MF (0x2000) | offset 185 (0x00b9) == 0x20b9
    assertEquals(0x20, encoded.apply(6) & 0xFF);
    assertEquals(0xB9, encoded.apply(7) & 0xFF);
    assertTrue(new Ipv4Packet(0, 7, false, true, 0, 64, 17, A, B, Hex.bs("00")).isFragment());
    assertTrue(new Ipv4Packet(0, 7, false, false, 1, 64, 17, A, B, Hex.bs("00")).isFragment());
  }

  @Test
  void truncatedAtEveryHeaderLength() {
    ByteString valid = sample().encode();
    for (int n = 0; n < Ipv4Packet.MIN_HEADER_LENGTH; n++) {
      ByteString prefix = valid.take(n);
      assertMalformed(Reason.TRUNCATED, () -> Ipv4Packet.parse(prefix, true), "prefix " + n);
    }
  }

  @Test
  @DisplayName(
      "a header with options (IHL 6..15) cut anywhere from 20 bytes to IHL*4 is TRUNCATED, checksum verified or not")
  void truncatedInsideTheOptions() throws Exception {
    for (int ihl = 6; ihl <= 15; ihl++) {
      ByteString valid = withOptions(ihl, Hex.bs("deadbeef"));
      assertEquals(
          Hex.bs("deadbeef"), Ipv4Packet.parse(valid, true).payload(), "IHL " + ihl + " whole");
      for (int n = Ipv4Packet.MIN_HEADER_LENGTH; n < ihl * 4; n++) {
        ByteString prefix = valid.take(n);
        String context = "IHL " + ihl + " cut at " + n;
        assertMalformed(Reason.TRUNCATED, () -> Ipv4Packet.parse(prefix, true), context);
        assertMalformed(Reason.TRUNCATED, () -> Ipv4Packet.parse(prefix, false), context);
      }
    }
  }

  /** A valid datagram A -> B whose header carries (ihl - 5) words of NOP options ended by EOL. */
  private static ByteString withOptions(int ihl, ByteString payload) {
    int headerLength = ihl * 4;
    byte[] b = new byte[headerLength + payload.length()];
    b[0] = (byte) (0x40 | ihl);
    Bytes.put16(b, 2, b.length);
    b[8] = 64;
    b[9] = Ipv4Packet.PROTO_UDP;
    A.writeTo(b, 12);
    B.writeTo(b, 16);
    for (int i = Ipv4Packet.MIN_HEADER_LENGTH; i < headerLength - 1; i++) {
      b[i] = 0x01; // NOP (RFC 791 §3.1)
    }
    b[headerLength - 1] = 0x00; // EOL
    System.arraycopy(payload.toArray(), 0, b, headerLength, payload.length());
    Bytes.put16(b, 10, Checksum.fold(Checksum.sum(b, 0, headerLength, 0)));
    return ByteString.fromArray(b);
  }

  @Test
  void rejectsOtherVersions() {
    ByteString ipv6ish = Hex.flip(sample().encode(), 0, 0x20); // 0x45 -> 0x65
    assertMalformed(Reason.BAD_VERSION, () -> Ipv4Packet.parse(ipv6ish, false));
  }

  @Test
  void rejectsIhlBelowFive() {
    ByteString valid = sample().encode();
    for (int ihl = 0; ihl < 5; ihl++) {
      byte[] b = valid.toArray();
      b[0] = (byte) (0x40 | ihl);
      assertMalformed(
          Reason.BAD_HEADER_LENGTH,
          () -> Ipv4Packet.parse(ByteString.fromArray(b), false),
          "IHL " + ihl);
    }
  }

  @Test
  void rejectsIhlPastTheBuffer() {
    byte[] b = sample().encode().toArray(); // 32 bytes
    b[0] = 0x49; // 36-byte header
    assertMalformed(Reason.TRUNCATED, () -> Ipv4Packet.parse(ByteString.fromArray(b), false));
  }

  @Test
  void rejectsTotalLengthPastTheBuffer() {
    ByteString valid = sample().encode();
    ByteString tooLong = Hex.with16(valid, 2, valid.length() + 1);
    assertMalformed(Reason.BAD_LENGTH, () -> Ipv4Packet.parse(tooLong, false));
    assertMalformed(Reason.BAD_LENGTH, () -> Ipv4Packet.parse(valid.dropRight(1), false));
  }

  @Test
  void rejectsTotalLengthBelowTheHeader() {
    ByteString valid = sample().encode();
    assertMalformed(Reason.BAD_LENGTH, () -> Ipv4Packet.parse(Hex.with16(valid, 2, 19), false));
    assertMalformed(Reason.BAD_LENGTH, () -> Ipv4Packet.parse(Hex.with16(valid, 2, 0), false));
  }

  @Test
  void rejectsABadChecksumUnlessOffloaded() throws Exception {
    ByteString valid = sample().encode();
    for (int index : new int[] {1, 4, 8, 9, 10, 11, 12, 19}) {
      ByteString corrupt = Hex.flip(valid, index, 0x10);
      assertMalformed(Reason.BAD_CHECKSUM, () -> Ipv4Packet.parse(corrupt, true), "byte " + index);
    }
    ByteString corruptTtl = Hex.flip(valid, 8, 0x01);
    assertEquals(65, Ipv4Packet.parse(corruptTtl, false).ttl());
  }

  @Test
  void skipsOptionsAndChecksumsThem() throws Exception {
    // IHL 6: one word of options (NOP NOP NOP EOL), total length 28, checksum over 24 bytes.
    byte[] b = Hex.bytes("4600 001c 0001 0000 4006 0000 0a000002 0a000003 01010100 deadbeef");
    Bytes.put16(b, 10, Checksum.fold(Checksum.sum(b, 0, 24, 0)));
    Ipv4Packet ip = Ipv4Packet.parse(ByteString.fromArray(b), true);
    assertEquals(Hex.bs("deadbeef"), ip.payload());
    assertEquals(A, ip.source());
    // Encoding drops the options: IHL 5 again.
    assertEquals(0x45, ip.encode().apply(0));
    assertEquals(ip, Ipv4Packet.parse(ip.encode(), true));
    // The checksum covers the options too.
    b[22] = 0x07;
    assertMalformed(Reason.BAD_CHECKSUM, () -> Ipv4Packet.parse(ByteString.fromArray(b), true));
  }

  @Test
  void ignoresTrailingEthernetPadding() throws Exception {
    ByteString padded = sample().encode().concat(ByteString.fromArray(new byte[14]));
    assertEquals(sample(), Ipv4Packet.parse(padded, true));
  }

  @Test
  void parsesAFragmentedByteString() throws Exception {
    ByteString rope = Hex.fragmented(sample().encode(), 1, 7, 13, 21);
    assertEquals(sample(), Ipv4Packet.parse(rope, true));
  }

  @Test
  void payloadIsASliceOfTheInput() throws Exception {
    byte[] bytes = sample().encode().toArray();
    Ipv4Packet ip = Ipv4Packet.parse(ByteString.fromArrayUnsafe(bytes), true);
    bytes[20] = 'j';
    assertEquals(ByteString.fromString("jello, world"), ip.payload());
  }

  @Test
  void rejectsFieldsOutOfRange() {
    ByteString p = ByteString.emptyByteString();
    assertThrows(
        IllegalArgumentException.class,
        () -> new Ipv4Packet(256, 0, false, false, 0, 64, 6, A, B, p));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Ipv4Packet(0, 65536, false, false, 0, 64, 6, A, B, p));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Ipv4Packet(0, 0, false, false, 8192, 64, 6, A, B, p));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Ipv4Packet(0, 0, false, false, 0, 256, 6, A, B, p));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Ipv4Packet(0, 0, false, false, 0, 64, -1, A, B, p));
    ByteString huge = ByteString.fromArray(new byte[Ipv4Packet.MAX_PAYLOAD_LENGTH + 1]);
    assertThrows(IllegalArgumentException.class, () -> Ipv4Packet.of(A, B, 6, 64, 0, false, huge));
    assertThrows(
        IllegalArgumentException.class, () -> Ipv4Packet.encode(A, B, 6, 64, 0, false, huge));
  }
}
