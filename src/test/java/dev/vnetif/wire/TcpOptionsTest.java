package dev.vnetif.wire;

import static dev.vnetif.wire.Malformed.assertMalformed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.wire.MalformedPacketException.Reason;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class TcpOptionsTest {

  private static final List<SackBlock> FOUR_BLOCKS =
      List.of(
          new SackBlock(100, 200),
          new SackBlock(300, 400),
          new SackBlock(0xFFFF_FF00, 0x10),
          new SackBlock(5, 6));

  private static ByteString encode(TcpOptions options) {
    byte[] b = new byte[options.encodedLength()];
    options.writeTo(b, 0);
    return ByteString.fromArrayUnsafe(b);
  }

  private static TcpOptions parse(String hex) throws MalformedPacketException {
    ByteString bs = Hex.bs(hex);
    return TcpOptions.parse(bs, 0, bs.length());
  }

  @Test
  void laysOutALinuxSyn() {
    // Linux's SYN: mss 1460, sackOK, TS val 256 ecr 0, nop, wscale 7 (20 bytes).
    TcpOptions syn =
        TcpOptions.NONE
            .withMss(1460)
            .withSackPermitted()
            .withTimestamps(new Timestamps(256, 0))
            .withWindowScale(7);
    assertEquals(
        "020405b4 0402080a 00000100 00000000 01030307".replace(" ", ""), Hex.hex(encode(syn)));
    assertEquals(20, syn.encodedLength());
  }

  @Test
  void padsTimestampsWithoutSackPermittedWithTwoNops() {
    TcpOptions options = TcpOptions.NONE.withTimestamps(new Timestamps(1, 2));
    assertEquals("0101080a0000000100000002", Hex.hex(encode(options)));
  }

  @Test
  void padsSackPermittedAloneWithTwoNops() {
    assertEquals("01010402", Hex.hex(encode(TcpOptions.NONE.withSackPermitted())));
  }

  @Test
  void laysOutSackBlocksAfterTwoNops() {
    TcpOptions options =
        TcpOptions.NONE.withSackBlocks(List.of(new SackBlock(0x01020304, 0x05060708)));
    assertEquals("0101050a0102030405060708", Hex.hex(encode(options)));
  }

  @Test
  void roundTripsEveryCombination() throws Exception {
    int encodable = 0;
    int tooLong = 0;
    for (int mss : new int[] {-1, 0, 536, 1460, 65535}) {
      for (int ws : new int[] {-1, 0, 7, 14}) {
        for (boolean sackOk : new boolean[] {false, true}) {
          for (Timestamps ts : new Timestamps[] {null, new Timestamps(0xFFFF_FFFF, 1)}) {
            for (int blocks = 0; blocks <= 4; blocks++) {
              TcpOptions options =
                  new TcpOptions(mss, ws, sackOk, FOUR_BLOCKS.subList(0, blocks), ts);
              int needed =
                  (mss >= 0 ? 4 : 0)
                      + (ts != null ? 12 : sackOk ? 4 : 0)
                      + (ws >= 0 ? 4 : 0)
                      + (blocks > 0 ? 4 + 8 * blocks : 0);
              if (needed > TcpOptions.MAX_LENGTH) {
                assertThrows(
                    IllegalArgumentException.class, options::encodedLength, options.toString());
                tooLong++;
                continue;
              }
              ByteString bytes = encode(options);
              assertEquals(needed, bytes.length(), options.toString());
              assertEquals(0, bytes.length() % 4, options.toString());
              assertEquals(options, TcpOptions.parse(bytes, 0, bytes.length()), options.toString());
              encodable++;
            }
          }
        }
      }
    }
    assertTrue(encodable > 250 && tooLong > 0, encodable + " encodable, " + tooLong + " too long");
  }

  @Test
  void writesAtAnOffset() throws Exception {
    TcpOptions options = TcpOptions.NONE.withMss(1460);
    byte[] b = new byte[30];
    options.writeTo(b, 20);
    assertEquals(options, TcpOptions.parse(ByteString.fromArray(b), 20, 4));
  }

  @Test
  void emptyOptionsAreNone() throws Exception {
    assertTrue(TcpOptions.NONE.isEmpty());
    assertEquals(0, TcpOptions.NONE.encodedLength());
    assertSame(TcpOptions.NONE, TcpOptions.parse(ByteString.emptyByteString(), 0, 0));
    assertSame(TcpOptions.NONE, parse("01010101"));
    assertSame(TcpOptions.NONE, parse("00000000"));
    assertFalse(TcpOptions.NONE.withSackPermitted().isEmpty());
  }

  @Test
  void eolStopsParsing() throws Exception {
    // Anything after EOL is padding, even a malformed option.
    assertEquals(TcpOptions.NONE.withMss(1460), parse("020405b4 00 0300 ff"));
    assertSame(TcpOptions.NONE, parse("00 020405b4 000000"));
  }

  @Test
  void unknownOptionsAreSkippedByTheirLength() throws Exception {
    // Kind 30 (MPTCP) with 4 bytes, kind 19 (MD5) with 18, then the options we know.
    TcpOptions options = parse("1e04abcd 1312" + "00".repeat(16) + " 020405b4 01030302");
    assertEquals(TcpOptions.NONE.withMss(1460).withWindowScale(2), options);
    // An unknown option of the minimal length 2.
    assertEquals(TcpOptions.NONE.withSackPermitted(), parse("fe02 0402"));
  }

  @Test
  void optionLengthZeroOneOrPastTheEnd() {
    assertMalformed(Reason.BAD_OPTION_LENGTH, () -> parse("1e00 0000"));
    assertMalformed(Reason.BAD_OPTION_LENGTH, () -> parse("1e01 0000"));
    assertMalformed(Reason.BAD_OPTION_LENGTH, () -> parse("1e05 0000"));
    assertMalformed(Reason.BAD_OPTION_LENGTH, () -> parse("0204 05")); // MSS cut short
    assertMalformed(Reason.BAD_OPTION_LENGTH, () -> parse("0101 0102")); // MSS kind, no length byte
    assertMalformed(Reason.BAD_OPTION_LENGTH, () -> parse("080a 00000001 000000"));
  }

  @Test
  void optionLengthIsCheckedAgainstTheAreaNotTheBuffer() {
    // The area is 4 bytes; the MSS option would fit the buffer but not the area.
    ByteString bs = Hex.bs("0101 0204 05b4");
    assertMalformed(Reason.BAD_OPTION_LENGTH, () -> TcpOptions.parse(bs, 0, 4));
  }

  @Test
  void knownOptionsWithTheWrongLength() {
    assertMalformed(Reason.BAD_OPTION_LENGTH, () -> parse("0203 05 00")); // MSS len 3
    assertMalformed(Reason.BAD_OPTION_LENGTH, () -> parse("0205 05b4 00 000000")); // MSS len 5
    assertMalformed(Reason.BAD_OPTION_LENGTH, () -> parse("0304 0700")); // WS len 4
    assertMalformed(Reason.BAD_OPTION_LENGTH, () -> parse("0302")); // WS len 2
    assertMalformed(Reason.BAD_OPTION_LENGTH, () -> parse("0403 00 00")); // SACKOK len 3
    assertMalformed(Reason.BAD_OPTION_LENGTH, () -> parse("0502 0000")); // SACK, no block
    assertMalformed(
        Reason.BAD_OPTION_LENGTH, () -> parse("0509 0000000100000002 00")); // SACK len 9
    assertMalformed(Reason.BAD_OPTION_LENGTH, () -> parse("050b 0000000100000002 0000"));
    assertMalformed(Reason.BAD_OPTION_LENGTH, () -> parse("052a" + "00".repeat(40))); // 5 blocks
    assertMalformed(Reason.BAD_OPTION_LENGTH, () -> parse("0808 000000010000")); // TS len 8
    assertMalformed(Reason.BAD_OPTION_LENGTH, () -> parse("080b 0000000100000002 00 00"));
  }

  @Test
  void parsesSackBlocks() throws Exception {
    TcpOptions options = parse("0101 0512 00000064 000000c8 ffffff00 00000010");
    assertEquals(
        List.of(new SackBlock(100, 200), new SackBlock(0xFFFF_FF00, 0x10)), options.sackBlocks());
    assertThrows(
        UnsupportedOperationException.class, () -> options.sackBlocks().add(new SackBlock(1, 2)));
  }

  @Test
  void windowScaleAbove14IsReadAs14() throws Exception {
    // RFC 7323 §2.3
    assertEquals(14, parse("01 030315").windowScale());
    assertEquals(14, parse("01 0303ff").windowScale());
    assertEquals(14, parse("01 03030e").windowScale());
    assertEquals(0, parse("01 030300").windowScale());
  }

  @Test
  void lastDuplicateWins() throws Exception {
    assertEquals(536, parse("020405b4 02040218").mss());
  }

  @Test
  void neverEncodesMoreThan40Bytes() {
    TcpOptions tooMany =
        TcpOptions.NONE
            .withMss(1460)
            .withTimestamps(new Timestamps(1, 1))
            .withSackBlocks(FOUR_BLOCKS.subList(0, 3)); // 4 + 12 + 28 = 44
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, tooMany::encodedLength);
    assertTrue(e.getMessage().contains("44"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> tooMany.writeTo(new byte[60], 0));
    // Linux's limit with timestamps: three blocks.
    assertEquals(
        40,
        TcpOptions.NONE
            .withTimestamps(new Timestamps(1, 1))
            .withSackBlocks(FOUR_BLOCKS.subList(0, 3))
            .encodedLength());
  }

  @Test
  void rejectsValuesOutOfRange() {
    assertThrows(IllegalArgumentException.class, () -> TcpOptions.NONE.withMss(-2));
    assertThrows(IllegalArgumentException.class, () -> TcpOptions.NONE.withMss(65536));
    assertThrows(IllegalArgumentException.class, () -> TcpOptions.NONE.withWindowScale(15));
    List<SackBlock> five = new ArrayList<>(FOUR_BLOCKS);
    five.add(new SackBlock(7, 8));
    assertThrows(IllegalArgumentException.class, () -> TcpOptions.NONE.withSackBlocks(five));
  }

  @Test
  void sackBlocksAreCopied() {
    List<SackBlock> blocks = new ArrayList<>(List.of(new SackBlock(1, 2)));
    TcpOptions options = TcpOptions.NONE.withSackBlocks(blocks);
    blocks.add(new SackBlock(3, 4));
    assertEquals(1, options.sackBlocks().size());
  }

  @Test
  void withersChangeOneOption() {
    TcpOptions options = TcpOptions.NONE.withMss(1460).withWindowScale(7);
    assertEquals(1460, options.mss());
    assertEquals(7, options.windowScale());
    assertFalse(options.sackPermitted());
    assertNull(options.timestamps());
    assertEquals(1200, options.withMss(1200).mss());
    assertNull(options.withTimestamps(new Timestamps(1, 2)).withTimestamps(null).timestamps());
  }

  @Test
  void printsCompactly() {
    TcpOptions options =
        TcpOptions.NONE
            .withMss(1460)
            .withSackPermitted()
            .withTimestamps(new Timestamps(-1, 0))
            .withWindowScale(7)
            .withSackBlocks(List.of(new SackBlock(1, 2), new SackBlock(3, 4)));
    assertEquals("[mss=1460,sackOK,ts=4294967295/0,ws=7,sack=1-2 3-4]", options.toString());
    assertEquals("[]", TcpOptions.NONE.toString());
  }
}
