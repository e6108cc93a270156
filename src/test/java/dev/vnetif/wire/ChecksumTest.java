package dev.vnetif.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class ChecksumTest {

  /** Word-by-word reference sum, the way RFC 1071 §4.1 writes it, without any tricks. */
  private static int referenceSum(byte[] b, int off, int len) {
    long sum = 0;
    for (int i = 0; i < len; i += 2) {
      int hi = b[off + i] & 0xFF;
      int lo = i + 1 < len ? b[off + i + 1] & 0xFF : 0;
      sum += hi << 8 | lo;
    }
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xFFFF) + (sum >>> 16);
    }
    return (int) sum;
  }

  @Test
  void rfc1071NumericalExample() {
    // RFC 1071 §3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2, so the checksum is 220d.
    byte[] b = Hex.bytes("0001 f203 f4f5 f6f7");
    assertEquals(0xDDF2, Checksum.sum(b, 0, b.length, 0));
    assertEquals(0xDDF2, Checksum.sum(ByteString.fromArray(b), 0, b.length, 0));
    assertEquals(0x220D, Checksum.fold(Checksum.sum(b, 0, b.length, 0)));
  }

  @Test
  void oddLengthPadsTheLastByteWithZero() {
    assertEquals(0x0100, Checksum.sum(Hex.bytes("01"), 0, 1, 0));
    assertEquals(0x0100, Checksum.sum(Hex.bs("01"), 0, 1, 0));
    assertEquals(0xAB00 + 0x1234, Checksum.sum(Hex.bytes("1234 ab"), 0, 3, 0));
    assertEquals(0xAB00 + 0x1234, Checksum.sum(Hex.bs("1234 ab"), 0, 3, 0));
  }

  @Test
  void carriesWrapAround() {
    // ffff + 0001 = 1 0000 -> end-around carry -> 0001
    assertEquals(0x0001, Checksum.sum(Hex.bytes("ffff 0001"), 0, 4, 0));
    assertEquals(
        0xFFFF, Checksum.sum(Hex.bytes("ffff ffff ffff ffff ffff ffff ffff ffff ffff"), 0, 18, 0));
  }

  @Test
  void foldComplementsAndReduces() {
    assertEquals(0xFFFF, Checksum.fold(0));
    assertEquals(0, Checksum.fold(0xFFFF));
    assertEquals(0, Checksum.fold(0x1FFFE)); // ffff + ffff
    assertEquals(~0x1234 & 0xFFFF, Checksum.fold(0x1234));
  }

  @Test
  void emptyRangeKeepsTheInitialSum() {
    assertEquals(0x1234, Checksum.sum(new byte[0], 0, 0, 0x1234));
    assertEquals(0x1234, Checksum.sum(ByteString.emptyByteString(), 0, 0, 0x1234));
  }

  @Test
  void arrayAndByteStringAgreeWithTheReferenceForEveryRange() {
    long seed = 0x5EED_0001L;
    SplittableRandom random = new SplittableRandom(seed);
    for (int round = 0; round < 300; round++) {
      byte[] data = new byte[random.nextInt(1, 400)];
      random.nextBytes(data);
      int off = random.nextInt(data.length);
      int len = random.nextInt(data.length - off + 1);
      int expected = referenceSum(data, off, len);
      String context = "seed=" + seed + " round=" + round + " off=" + off + " len=" + len;
      assertEquals(expected, Checksum.sum(data, off, len, 0), context);
      assertEquals(expected, Checksum.sum(ByteString.fromArray(data), off, len, 0), context);
    }
  }

  @Test
  void fragmentedByteStringGivesTheSameSumAsAFlatArray() {
    long seed = 0x5EED_0002L;
    SplittableRandom random = new SplittableRandom(seed);
    for (int round = 0; round < 300; round++) {
      byte[] data = new byte[random.nextInt(2, 600)];
      random.nextBytes(data);
      ByteString flat = ByteString.fromArray(data);
      // Cut points at odd and even offsets, including one-byte pieces.
      int pieces = random.nextInt(1, 6);
      int[] cuts = random.ints(pieces, 1, data.length).sorted().distinct().toArray();
      ByteString rope = Hex.fragmented(flat, cuts);
      int off = random.nextInt(data.length);
      int len = random.nextInt(data.length - off + 1);
      String context =
          "seed="
              + seed
              + " round="
              + round
              + " cuts="
              + java.util.Arrays.toString(cuts)
              + " off="
              + off
              + " len="
              + len;
      assertEquals(flat, rope);
      assertEquals(Checksum.sum(data, off, len, 0), Checksum.sum(rope, off, len, 0), context);
      assertEquals(
          referenceSum(data, 0, data.length), Checksum.sum(rope, 0, data.length, 0), context);
    }
  }

  @Test
  void partialSumsChainOverEvenLengthParts() {
    byte[] data = new byte[1001];
    new SplittableRandom(3).nextBytes(data);
    int whole = Checksum.sum(data, 0, data.length, 0);
    int chained = Checksum.sum(data, 0, 200, 0);
    chained = Checksum.sum(ByteString.fromArray(data), 200, 500, chained);
    chained = Checksum.sum(data, 700, 301, chained);
    assertEquals(whole, chained);
  }

  @Test
  void pseudoHeaderSumsAddressesProtocolAndLength() {
    // 10.0.0.2, 10.0.0.3, zero, protocol 6, TCP length 40, summed as ordinary 16-bit words.
    byte[] pseudo = Hex.bytes("0a000002 0a000003 00 06 0028");
    assertEquals(
        Checksum.sum(pseudo, 0, pseudo.length, 0),
        Checksum.pseudoHeader(Ipv4Address.of("10.0.0.2"), Ipv4Address.of("10.0.0.3"), 6, 40));
    byte[] carries = Hex.bytes("ffffffff fffffffe 00 11 ffff");
    assertEquals(
        Checksum.sum(carries, 0, carries.length, 0),
        Checksum.pseudoHeader(Ipv4Address.BROADCAST, Ipv4Address.fromInt(0xFFFFFFFE), 17, 0xFFFF));
  }

  @Test
  void aPacketWithItsChecksumVerifiesToZero() {
    // The textbook IPv4 header with checksum b861 (see Ipv4PacketTest).
    byte[] header = Hex.bytes("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7");
    assertEquals(0, Checksum.fold(Checksum.sum(header, 0, header.length, 0)));
    header[10] = 0;
    header[11] = 0;
    assertEquals(0xB861, Checksum.fold(Checksum.sum(header, 0, header.length, 0)));
  }

  @Test
  void rejectsRangesOutsideTheData() {
    assertThrows(IndexOutOfBoundsException.class, () -> Checksum.sum(new byte[4], 2, 3, 0));
    assertThrows(IndexOutOfBoundsException.class, () -> Checksum.sum(Hex.bs("0102"), -1, 2, 0));
    assertThrows(IndexOutOfBoundsException.class, () -> Checksum.sum(Hex.bs("0102"), 0, 100, 0));
  }

  @Test
  void rfc1071ExampleThroughTheWideLoopsAtEveryOffset() {
    // RFC 1071 §3's eight bytes repeated 16 times: 128 bytes reach the 32-byte stride, the
    // 8-byte stride and the tail; the sum is 16 * 0xddf2 folded, at any start in the array.
    byte[] word = Hex.bytes("0001 f203 f4f5 f6f7");
    long expected = 0;
    for (int i = 0; i < 16; i++) {
      expected += 0xDDF2;
    }
    while ((expected >>> 16) != 0) {
      expected = (expected & 0xFFFF) + (expected >>> 16);
    }
    for (int offset = 0; offset < 16; offset++) {
      byte[] data = new byte[offset + 128 + 7];
      for (int i = 0; i < 128; i++) {
        data[offset + i] = word[i % 8];
      }
      assertEquals(expected, Checksum.sum(data, offset, 128, 0), "offset " + offset);
      assertEquals(
          expected, Checksum.sum(ByteString.fromArray(data), offset, 128, 0), "offset " + offset);
      byte[] copy = new byte[offset + 128];
      assertEquals(
          expected,
          Checksum.copyAndSum(ByteString.fromArray(data, offset, 128), copy, offset, 0),
          "offset " + offset);
    }
  }

  @Test
  void wideSumsAgreeWithTheReferenceForEveryAlignmentAndLength() {
    long seed = 0x5EED_0003L;
    SplittableRandom random = new SplittableRandom(seed);
    byte[] data = new byte[1600];
    random.nextBytes(data);
    // Every start modulo 8 (the long loads' alignment) crossed with lengths around each stride
    // boundary (8, 16, 32) and the small/large cut (64), odd and even, and frame sizes.
    int[] lengths = {
      0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 66, 127, 1459, 1460, 1500
    };
    for (int offset = 0; offset < 16; offset++) {
      for (int length : lengths) {
        String context = "seed=" + seed + " offset=" + offset + " length=" + length;
        int expected = referenceSum(data, offset, length);
        assertEquals(expected, Checksum.sum(data, offset, length, 0), context);
        ByteString slice = ByteString.fromArray(data).slice(offset, offset + length);
        assertEquals(expected, Checksum.sum(slice, 0, length, 0), context);
        assertEquals(
            expected, Checksum.sum(ByteString.fromArray(data), offset, length, 0), context);
      }
    }
  }

  @Test
  void copyAndSumCopiesExactlyAndSumsLikeTheReference() {
    long seed = 0x5EED_0004L;
    SplittableRandom random = new SplittableRandom(seed);
    for (int round = 0; round < 400; round++) {
      byte[] data = new byte[random.nextInt(0, 1600)];
      random.nextBytes(data);
      ByteString source = ByteString.fromArray(data);
      if (data.length > 2 && random.nextBoolean()) {
        // A rope with cuts at odd and even places, like a payload sliced across writes.
        int[] cuts =
            random.ints(random.nextInt(1, 6), 1, data.length).sorted().distinct().toArray();
        source = Hex.fragmented(source, cuts);
      }
      int at = random.nextInt(0, 20);
      int initial = random.nextInt(0x10000);
      byte[] dst = new byte[at + data.length + 3];
      random.nextBytes(dst);
      byte[] before = dst.clone();
      String context = "seed=" + seed + " round=" + round + " at=" + at + " len=" + data.length;

      int sum = Checksum.copyAndSum(source, dst, at, initial);

      long expected = initial + referenceSum(data, 0, data.length);
      while ((expected >>> 16) != 0) {
        expected = (expected & 0xFFFF) + (expected >>> 16);
      }
      assertEquals(expected, sum, context);
      assertEquals(ByteString.fromArray(data), ByteString.fromArray(dst, at, data.length), context);
      // Nothing outside the target range was touched.
      assertEquals(ByteString.fromArray(before, 0, at), ByteString.fromArray(dst, 0, at), context);
      int end = at + data.length;
      assertEquals(
          ByteString.fromArray(before, end, dst.length - end),
          ByteString.fromArray(dst, end, dst.length - end),
          context);
    }
  }

  @Test
  void copyAndSumRejectsATargetTooSmall() {
    assertThrows(
        IndexOutOfBoundsException.class,
        () -> Checksum.copyAndSum(ByteString.fromArray(new byte[100]), new byte[100], 1, 0));
  }
}
