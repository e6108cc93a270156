package dev.vnetif.wire;

import static dev.vnetif.wire.Malformed.assertMalformed;
import static dev.vnetif.wire.TcpSegment.ACK;
import static dev.vnetif.wire.TcpSegment.CWR;
import static dev.vnetif.wire.TcpSegment.ECE;
import static dev.vnetif.wire.TcpSegment.FIN;
import static dev.vnetif.wire.TcpSegment.PSH;
import static dev.vnetif.wire.TcpSegment.RST;
import static dev.vnetif.wire.TcpSegment.SYN;
import static dev.vnetif.wire.TcpSegment.URG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.wire.MalformedPacketException.Reason;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class TcpSegmentTest {

  private static final Ipv4Address A = Ipv4Address.of("10.0.0.2");
  private static final Ipv4Address B = Ipv4Address.of("10.0.0.3");

  /**
   * A Linux-style SYN 10.0.0.2:49152 -> 10.0.0.3:80, seq 0x01020304, window 64240, options mss
   * 1460, sackOK, TS val 256 ecr 0, nop, wscale 7. Checksum 0x73b4 worked out with python3
   * (struct.pack of the header with a zero checksum, prefixed by the pseudo-header 0a000002
   * 0a000003 0006 0028, summed as 16-bit words with end-around carry, complemented).
   */
  private static final String LINUX_SYN =
      ""
          + "c000 0050" // ports 49152 -> 80
          + "01020304" // seq
          + "00000000" // ack
          + "a0 02" // data offset 10 words, SYN
          + "faf0" // window 64240
          + "73b4" // checksum
          + "0000" // urgent pointer
          + "020405b4" // MSS 1460
          + "0402 080a 00000100 00000000" // SACK-permitted, timestamps 256/0
          + "01 030307"; // NOP, window scale 7

  private static final TcpOptions SYN_OPTIONS =
      TcpOptions.NONE
          .withMss(1460)
          .withSackPermitted()
          .withTimestamps(new Timestamps(256, 0))
          .withWindowScale(7);

  private static final TcpSegment SYN_SEGMENT =
      TcpSegment.of(49152, 80, 0x01020304, 0, SYN, 64240).withOptions(SYN_OPTIONS);

  private static TcpSegment dataSegment() {
    return new TcpSegment(
        80,
        49152,
        0xFFFF_FFF0,
        0x01020305,
        ACK | PSH,
        502,
        0,
        TcpOptions.NONE.withTimestamps(new Timestamps(1000, 256)),
        ByteString.fromString("HTTP/1.1 200 OK\r\n"));
  }

  @Test
  void encodesAKnownSyn() {
    assertEquals(LINUX_SYN.replace(" ", ""), Hex.hex(SYN_SEGMENT.encode(A, B)));
  }

  @Test
  void parsesAKnownSyn() throws Exception {
    TcpSegment syn = TcpSegment.parse(Hex.bs(LINUX_SYN), A, B, true);
    assertEquals(SYN_SEGMENT, syn);
    assertTrue(syn.isSyn());
    assertFalse(syn.isAck());
    assertEquals(1, syn.segmentLength());
  }

  @Test
  void roundTripsWithPayload() throws Exception {
    TcpSegment segment = dataSegment();
    assertEquals(segment, TcpSegment.parse(segment.encode(A, B), A, B, true));
    TcpSegment odd =
        segment.withPayload(Hex.fragmented(ByteString.fromString("odd, in pieces"), 1, 2, 5));
    assertEquals(odd, TcpSegment.parse(odd.encode(A, B), A, B, true));
    TcpSegment big = segment.withPayload(ByteString.fromArray(new byte[1448]));
    assertEquals(big, TcpSegment.parse(big.encode(A, B), A, B, true));
  }

  @Test
  void roundTripsWithEveryOptionCombination() throws Exception {
    List<SackBlock> blocks =
        List.of(new SackBlock(1, 2), new SackBlock(3, 4), new SackBlock(5, 6), new SackBlock(7, 8));
    int tested = 0;
    for (int mss : new int[] {-1, 1460}) {
      for (int ws : new int[] {-1, 0, 14}) {
        for (boolean sackOk : new boolean[] {false, true}) {
          for (Timestamps ts : new Timestamps[] {null, new Timestamps(7, 0xFFFF_FFFF)}) {
            for (int n = 0; n <= 4; n++) {
              TcpOptions options = new TcpOptions(mss, ws, sackOk, blocks.subList(0, n), ts);
              int needed =
                  (mss >= 0 ? 4 : 0)
                      + (ts != null ? 12 : sackOk ? 4 : 0)
                      + (ws >= 0 ? 4 : 0)
                      + (n > 0 ? 4 + 8 * n : 0);
              if (needed > TcpOptions.MAX_LENGTH) {
                continue;
              }
              for (ByteString payload :
                  new ByteString[] {ByteString.emptyByteString(), Hex.bs("abcdef")}) {
                TcpSegment segment = dataSegment().withOptions(options).withPayload(payload);
                ByteString encoded = segment.encode(A, B);
                assertEquals(20 + needed + payload.length(), encoded.length(), segment.toString());
                assertEquals(segment, TcpSegment.parse(encoded, A, B, true), segment.toString());
                tested++;
              }
            }
          }
        }
      }
    }
    assertTrue(tested > 100, "tested " + tested);
  }

  @Test
  void truncatedAtEveryHeaderLength() {
    // 40-byte header: below 20 the fixed part is missing, from 20 on the options are.
    ByteString valid = Hex.bs(LINUX_SYN);
    for (int n = 0; n < valid.length(); n++) {
      ByteString prefix = valid.take(n);
      assertMalformed(Reason.TRUNCATED, () -> TcpSegment.parse(prefix, A, B, true), "prefix " + n);
    }
  }

  @Test
  void rejectsDataOffsetBelowFive() {
    for (int offset = 0; offset < 5; offset++) {
      byte[] b = Hex.bytes(LINUX_SYN);
      b[12] = (byte) (offset << 4);
      assertMalformed(
          Reason.BAD_HEADER_LENGTH,
          () -> TcpSegment.parse(ByteString.fromArray(b), A, B, false),
          "offset " + offset);
    }
  }

  @Test
  void rejectsDataOffsetPastTheEnd() {
    byte[] b = Hex.bytes(LINUX_SYN);
    b[12] = (byte) 0xB0; // 44 bytes of header in a 40-byte segment
    assertMalformed(Reason.TRUNCATED, () -> TcpSegment.parse(ByteString.fromArray(b), A, B, false));
  }

  @Test
  void rejectsABadChecksumUnlessOffloaded() throws Exception {
    ByteString valid = dataSegment().encode(A, B);
    for (int index = 0; index < valid.length(); index += 3) {
      if (index == 12) {
        continue; // the data offset: a flip there is a different error
      }
      ByteString corrupt = Hex.flip(valid, index, 0x02);
      assertMalformed(
          Reason.BAD_CHECKSUM, () -> TcpSegment.parse(corrupt, A, B, true), "byte " + index);
    }
    assertEquals(81, TcpSegment.parse(Hex.flip(valid, 1, 0x01), A, B, false).sourcePort());
  }

  @Test
  void checksumCoversThePseudoHeader() {
    ByteString valid = Hex.bs(LINUX_SYN);
    Ipv4Address other = Ipv4Address.of("10.0.0.9");
    assertMalformed(Reason.BAD_CHECKSUM, () -> TcpSegment.parse(valid, other, B, true));
    assertMalformed(Reason.BAD_CHECKSUM, () -> TcpSegment.parse(valid, A, other, true));
  }

  @Test
  void badOptionsAreReportedAfterTheChecksum() {
    byte[] b = Hex.bytes(LINUX_SYN);
    b[21] = 0; // MSS option length 0
    assertMalformed(
        Reason.BAD_CHECKSUM, () -> TcpSegment.parse(ByteString.fromArray(b), A, B, true));
    assertMalformed(
        Reason.BAD_OPTION_LENGTH, () -> TcpSegment.parse(ByteString.fromArray(b), A, B, false));
  }

  @Test
  void payloadFollowsTheOptions() throws Exception {
    ByteString withData = Hex.bs(LINUX_SYN).concat(Hex.bs("cafe"));
    TcpSegment segment = TcpSegment.parse(withData, A, B, false);
    assertEquals(Hex.bs("cafe"), segment.payload());
    assertEquals(SYN_OPTIONS, segment.options());
    assertEquals(3, segment.segmentLength());
  }

  @Test
  void payloadIsASliceOfTheInput() throws Exception {
    byte[] bytes = dataSegment().encode(A, B).toArray();
    TcpSegment segment = TcpSegment.parse(ByteString.fromArrayUnsafe(bytes), A, B, true);
    bytes[32] = 'X'; // first payload byte after the 32-byte header
    assertEquals('X', segment.payload().apply(0));
  }

  @Test
  void segmentLengthCountsSynAndFin() {
    ByteString five = Hex.bs("0102030405");
    assertEquals(0, TcpSegment.of(1, 2, 0, 0, ACK, 0).segmentLength());
    assertEquals(1, TcpSegment.of(1, 2, 0, 0, SYN, 0).segmentLength());
    assertEquals(1, TcpSegment.of(1, 2, 0, 0, FIN | ACK, 0).segmentLength());
    assertEquals(5, TcpSegment.of(1, 2, 0, 0, ACK | PSH, 0).withPayload(five).segmentLength());
    assertEquals(7, TcpSegment.of(1, 2, 0, 0, SYN | FIN, 0).withPayload(five).segmentLength());
  }

  @Test
  void flagAccessors() {
    TcpSegment synAck = TcpSegment.of(1, 2, 0, 0, SYN | ACK, 0);
    assertTrue(synAck.has(SYN));
    assertTrue(synAck.has(SYN | ACK));
    assertFalse(synAck.has(SYN | FIN));
    assertTrue(synAck.isSyn() && synAck.isAck());
    assertFalse(synAck.isFin() || synAck.isRst());
    assertTrue(TcpSegment.of(1, 2, 0, 0, RST, 0).isRst());
    assertTrue(TcpSegment.of(1, 2, 0, 0, FIN, 0).isFin());
  }

  @Test
  void namesFlags() {
    assertEquals("SYN|ACK", TcpSegment.flagsToString(SYN | ACK));
    assertEquals("FIN|ACK", TcpSegment.flagsToString(FIN | ACK));
    assertEquals("RST", TcpSegment.flagsToString(RST));
    assertEquals(
        "SYN|FIN|RST|PSH|ACK|URG|ECE|CWR",
        TcpSegment.flagsToString(FIN | SYN | RST | PSH | ACK | URG | ECE | CWR));
    assertEquals("", TcpSegment.flagsToString(0));
  }

  @Test
  void printsCompactly() {
    TcpSegment synAck =
        TcpSegment.of(1024, 80, 100, 200, SYN | ACK, 65535)
            .withOptions(TcpOptions.NONE.withMss(1460).withWindowScale(7));
    assertEquals(
        "TcpSegment[1024->80 seq=100 ack=200 SYN|ACK win=65535 opts=[mss=1460,ws=7] len=0]",
        synAck.toString());
    TcpSegment data =
        new TcpSegment(80, 1024, -1, 0, ACK | URG, 10, 3, TcpOptions.NONE, Hex.bs("0102"));
    assertEquals(
        "TcpSegment[80->1024 seq=4294967295 ack=0 ACK|URG win=10 urg=3 len=2]", data.toString());
  }

  @Test
  void encodeRejectsOptionsPast40Bytes() {
    TcpSegment segment =
        dataSegment()
            .withOptions(
                TcpOptions.NONE
                    .withMss(1460)
                    .withTimestamps(new Timestamps(1, 1))
                    .withSackBlocks(
                        List.of(new SackBlock(1, 2), new SackBlock(3, 4), new SackBlock(5, 6))));
    assertThrows(IllegalArgumentException.class, () -> segment.encode(A, B));
  }

  @Test
  void rejectsFieldsOutOfRange() {
    assertThrows(IllegalArgumentException.class, () -> TcpSegment.of(65536, 80, 0, 0, SYN, 0));
    assertThrows(IllegalArgumentException.class, () -> TcpSegment.of(1, -1, 0, 0, SYN, 0));
    assertThrows(IllegalArgumentException.class, () -> TcpSegment.of(1, 2, 0, 0, 0x100, 0));
    assertThrows(IllegalArgumentException.class, () -> TcpSegment.of(1, 2, 0, 0, SYN, 65536));
    ByteString huge = ByteString.fromArray(new byte[TcpSegment.MAX_PAYLOAD_LENGTH + 1]);
    assertThrows(
        IllegalArgumentException.class, () -> TcpSegment.of(1, 2, 0, 0, ACK, 0).withPayload(huge));
  }
}
