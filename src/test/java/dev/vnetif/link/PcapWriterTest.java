package dev.vnetif.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.testsupport.Tshark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapWriterTest {

  private static final long T0_NANOS = 1_700_000_000_123_456_789L; // 2023-11-14T22:13:20.123456789Z

  @TempDir Path directory;

  @Test
  void headerAndTwoRecordsAreLaidOutByteForByte() throws IOException {
    Path file = directory.resolve("two.pcap");
    byte[] first = sequence(60, 1);
    byte[] second = sequence(14, 100);
    try (PcapWriter writer = PcapWriter.open(file)) {
      writer.write(ByteString.fromArray(first), T0_NANOS);
      writer.write(ByteString.fromArray(second), T0_NANOS + 2_000_999_999L);
      assertEquals(2, writer.framesWritten());
    }

    ByteBuffer in = readLittleEndian(file);
    assertEquals(24 + 16 + 60 + 16 + 14, in.remaining());
    assertEquals(0xa1b2c3d4, in.getInt(), "magic");
    assertEquals(2, in.getShort(), "version major");
    assertEquals(4, in.getShort(), "version minor");
    assertEquals(0, in.getInt(), "thiszone");
    assertEquals(0, in.getInt(), "sigfigs");
    assertEquals(262_144, in.getInt(), "snaplen");
    assertEquals(1, in.getInt(), "link type LINKTYPE_ETHERNET");

    assertRecord(in, 1_700_000_000, 123_456, first.length, first);
    // 123_456_789 ns + 2_000_999_999 ns = 2 s + 124_456_788 ns: microseconds truncate.
    assertRecord(in, 1_700_000_002, 124_456, second.length, second);
    assertEquals(0, in.remaining());
  }

  @Test
  void framesLongerThanSnaplenAreTruncatedKeepingTheOriginalLength() throws IOException {
    Path file = directory.resolve("jumbo.pcap");
    byte[] jumbo = sequence(PcapWriter.SNAPLEN + 100, 7);
    byte[] after = sequence(42, 3);
    try (PcapWriter writer = PcapWriter.open(file)) {
      writer.write(ByteString.fromArray(jumbo), T0_NANOS);
      writer.write(ByteString.fromArray(after), T0_NANOS);
    }

    ByteBuffer in = readLittleEndian(file);
    in.position(24);
    byte[] kept = new byte[PcapWriter.SNAPLEN];
    System.arraycopy(jumbo, 0, kept, 0, kept.length);
    assertRecord(in, 1_700_000_000, 123_456, jumbo.length, kept);
    assertRecord(in, 1_700_000_000, 123_456, after.length, after);
    assertEquals(0, in.remaining());
  }

  @Test
  void manyFramesSurviveBufferRefillsInOrder() throws IOException {
    Path file = directory.resolve("many.pcap");
    int count = 2_000; // 2000 * (16 + 100) bytes is several 64 KiB buffers
    try (PcapWriter writer = PcapWriter.open(file)) {
      for (int i = 0; i < count; i++) {
        writer.write(ByteString.fromArray(sequence(100, i)), T0_NANOS + i * 1_000L);
      }
    }

    ByteBuffer in = readLittleEndian(file);
    in.position(24);
    for (int i = 0; i < count; i++) {
      assertRecord(in, 1_700_000_000, 123_456 + i, 100, sequence(100, i));
    }
    assertEquals(0, in.remaining());
  }

  @Test
  void flushMakesFramesVisibleAndCloseIsIdempotent() throws IOException {
    Path file = directory.resolve("flush.pcap");
    PcapWriter writer = PcapWriter.open(file);
    assertEquals(24, Files.size(file), "global header is on disk right after open");
    writer.write(ByteString.fromArray(sequence(50, 0)), T0_NANOS);
    writer.flush();
    assertEquals(24 + 16 + 50, Files.size(file));

    writer.close();
    writer.close();
    assertThrows(
        IllegalStateException.class,
        () -> writer.write(ByteString.fromArray(sequence(1, 0)), T0_NANOS));
  }

  @Test
  void openTruncatesAnExistingFile() throws IOException {
    Path file = directory.resolve("reused.pcap");
    Files.write(file, new byte[10_000]);
    PcapWriter.open(file).close();
    assertEquals(24, Files.size(file));
  }

  @Test
  void tsharkDecodesHandBuiltArpIcmpAndUdpFramesCleanly() throws IOException {
    Assumptions.assumeTrue(Tshark.find().isPresent(), Tshark.NOT_INSTALLED);
    Path file = directory.resolve("clean.pcap");
    try (PcapWriter writer = PcapWriter.open(file)) {
      writer.write(Frames.arpRequest(), T0_NANOS);
      writer.write(Frames.icmpEchoRequest(false), T0_NANOS + 1_000_000L);
      writer.write(Frames.udpDatagram(), T0_NANOS + 2_000_000L);
    }

    Tshark.Report report = Tshark.read(file);
    assertEquals(3, report.frames(), report.rawOutput());
    assertEquals(0, report.malformed(), report.rawOutput());
    assertEquals(0, report.badChecksums(), report.rawOutput());

    // The decoders saw what was built, and the checksums were verified, not skipped.
    assertEquals(
        List.of("1\t1\t10.0.0.1\t10.0.0.2"),
        Tshark.fields(
            file, "arp", "frame.number", "arp.opcode", "arp.src.proto_ipv4", "arp.dst.proto_ipv4"));
    // tshark prints checksum status 1 for "Good" (2 would be "Unverified").
    assertEquals(
        List.of("2\t1\t8\t1\t\t", "3\t1\t\t\t40001\t1"),
        Tshark.fields(
            file,
            "ip",
            "frame.number",
            "ip.checksum.status",
            "icmp.type",
            "icmp.checksum.status",
            "udp.dstport",
            "udp.checksum.status"));
  }

  @Test
  void tsharkReportsAWrongIpHeaderChecksum() throws IOException {
    Assumptions.assumeTrue(Tshark.find().isPresent(), Tshark.NOT_INSTALLED);
    Path file = directory.resolve("bad-checksum.pcap");
    try (PcapWriter writer = PcapWriter.open(file)) {
      writer.write(Frames.arpRequest(), T0_NANOS);
      writer.write(Frames.icmpEchoRequest(true), T0_NANOS + 1_000_000L);
    }

    Tshark.Report report = Tshark.read(file);
    assertEquals(2, report.frames(), report.rawOutput());
    assertEquals(1, report.badChecksums(), report.rawOutput());
    assertTrue(
        report.problemLines().stream().anyMatch(line -> line.startsWith("bad-checksum: 2\t")),
        report.rawOutput());
  }

  @Test
  void tsharkReportsATruncatedIpv4HeaderAsMalformed() throws IOException {
    Assumptions.assumeTrue(Tshark.find().isPresent(), Tshark.NOT_INSTALLED);
    Path file = directory.resolve("malformed.pcap");
    ByteString valid = Frames.icmpEchoRequest(false);
    try (PcapWriter writer = PcapWriter.open(file)) {
      writer.write(valid.take(14 + 12), T0_NANOS); // Ethernet + 12 of 20 IPv4 header bytes
    }

    Tshark.Report report = Tshark.read(file);
    assertEquals(1, report.frames(), report.rawOutput());
    assertEquals(1, report.malformed(), report.rawOutput());
    assertTrue(
        report.problemLines().stream().anyMatch(line -> line.startsWith("malformed: 1\t")),
        report.rawOutput());
  }

  @Test
  void tsharkRejectsAFileCutShortInsideARecord() throws IOException {
    Assumptions.assumeTrue(Tshark.find().isPresent(), Tshark.NOT_INSTALLED);
    Path file = directory.resolve("cut-short.pcap");
    try (PcapWriter writer = PcapWriter.open(file)) {
      writer.write(Frames.arpRequest(), T0_NANOS);
      writer.write(Frames.udpDatagram(), T0_NANOS);
    }
    byte[] whole = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(whole, whole.length - 10));

    AssertionError error = assertThrows(AssertionError.class, () -> Tshark.read(file));
    assertTrue(error.getMessage().contains("cut short"), error.getMessage());
  }

  // --- helpers -------------------------------------------------------------------------

  private static void assertRecord(
      ByteBuffer in, long seconds, int microseconds, int originalLength, byte[] expectedBytes) {
    assertEquals(seconds, Integer.toUnsignedLong(in.getInt()), "ts_sec");
    assertEquals(microseconds, in.getInt(), "ts_usec");
    assertEquals(expectedBytes.length, in.getInt(), "incl_len");
    assertEquals(originalLength, in.getInt(), "orig_len");
    byte[] actual = new byte[expectedBytes.length];
    in.get(actual);
    assertArrayEquals(expectedBytes, actual, "frame bytes");
  }

  private static ByteBuffer readLittleEndian(Path file) throws IOException {
    return ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static byte[] sequence(int length, int seed) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (seed + i);
    }
    return bytes;
  }

  /**
   * Frames built by hand, byte by byte, so this test stands apart from the wire package. Addresses:
   * host A 02:00:00:00:00:01 / 10.0.0.1, host B 02:00:00:00:00:02 / 10.0.0.2.
   */
  private static final class Frames {
    private static final byte[] MAC_A = {0x02, 0, 0, 0, 0, 0x01};
    private static final byte[] MAC_B = {0x02, 0, 0, 0, 0, 0x02};
    private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};
    private static final byte[] IP_A = {10, 0, 0, 1};
    private static final byte[] IP_B = {10, 0, 0, 2};
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_ARP = 0x0806;
    private static final int PROTOCOL_ICMP = 1;
    private static final int PROTOCOL_UDP = 17;

    /** RFC 826 request "who has 10.0.0.2? tell 10.0.0.1". */
    static ByteString arpRequest() {
      ByteBuffer arp =
          ByteBuffer.allocate(28)
              .putShort((short) 1) // hardware type: Ethernet
              .putShort((short) ETHERTYPE_IPV4) // protocol type
              .put((byte) 6)
              .put((byte) 4) // address lengths
              .putShort((short) 1) // opcode: request
              .put(MAC_A)
              .put(IP_A)
              .put(new byte[6])
              .put(IP_B);
      return ethernet(BROADCAST, MAC_A, ETHERTYPE_ARP, arp.array());
    }

    /** RFC 792 echo request; {@code corruptIpChecksum} flips the IPv4 header checksum. */
    static ByteString icmpEchoRequest(boolean corruptIpChecksum) {
      byte[] data = "vnetif-ping".getBytes(StandardCharsets.US_ASCII);
      ByteBuffer icmp =
          ByteBuffer.allocate(8 + data.length)
              .put((byte) 8)
              .put((byte) 0) // type: echo request, code 0
              .putShort((short) 0) // checksum, filled below
              .putShort((short) 0x1234) // identifier
              .putShort((short) 1) // sequence number
              .put(data);
      icmp.putShort(2, (short) checksum(icmp.array(), 0));
      return ethernet(
          MAC_B, MAC_A, ETHERTYPE_IPV4, ipv4(PROTOCOL_ICMP, icmp.array(), corruptIpChecksum));
    }

    /** RFC 768 datagram 10.0.0.1:40000 -> 10.0.0.2:40001 with its pseudo-header checksum. */
    static ByteString udpDatagram() {
      byte[] data = "hello, vnetif".getBytes(StandardCharsets.US_ASCII);
      int length = 8 + data.length;
      ByteBuffer udp =
          ByteBuffer.allocate(length)
              .putShort((short) 40000)
              .putShort((short) 40001)
              .putShort((short) length)
              .putShort((short) 0) // checksum, filled below
              .put(data);
      ByteBuffer pseudoHeader =
          ByteBuffer.allocate(12)
              .put(IP_A)
              .put(IP_B)
              .put((byte) 0)
              .put((byte) PROTOCOL_UDP)
              .putShort((short) length);
      int sum = checksum(concat(pseudoHeader.array(), udp.array()), 0);
      udp.putShort(6, (short) (sum == 0 ? 0xFFFF : sum)); // RFC 768: 0 is sent as all ones
      return ethernet(MAC_B, MAC_A, ETHERTYPE_IPV4, ipv4(PROTOCOL_UDP, udp.array(), false));
    }

    /** RFC 791 header without options: DF set, TTL 64, A -> B. */
    private static byte[] ipv4(int protocol, byte[] payload, boolean corruptChecksum) {
      ByteBuffer header =
          ByteBuffer.allocate(20)
              .put((byte) 0x45)
              .put((byte) 0) // version 4, IHL 5; DSCP/ECN 0
              .putShort((short) (20 + payload.length))
              .putShort((short) 0x0001) // identification
              .putShort((short) 0x4000) // flags: DF, fragment offset 0
              .put((byte) 64)
              .put((byte) protocol)
              .putShort((short) 0) // checksum, filled below
              .put(IP_A)
              .put(IP_B);
      int sum = checksum(header.array(), 0);
      header.putShort(10, (short) (corruptChecksum ? sum ^ 0x5555 : sum));
      return concat(header.array(), payload);
    }

    private static ByteString ethernet(
        byte[] destination, byte[] source, int etherType, byte[] payload) {
      ByteBuffer frame =
          ByteBuffer.allocate(14 + payload.length)
              .put(destination)
              .put(source)
              .putShort((short) etherType)
              .put(payload);
      return ByteString.fromArray(frame.array());
    }

    /** RFC 1071 Internet checksum: one's complement of the one's complement sum. */
    static int checksum(byte[] bytes, int initial) {
      long sum = initial;
      for (int i = 0; i + 1 < bytes.length; i += 2) {
        sum += ((bytes[i] & 0xFF) << 8) | (bytes[i + 1] & 0xFF);
      }
      if (bytes.length % 2 == 1) {
        sum += (bytes[bytes.length - 1] & 0xFF) << 8; // pad the odd byte with zero
      }
      while ((sum >>> 16) != 0) {
        sum = (sum & 0xFFFF) + (sum >>> 16);
      }
      return (int) (~sum & 0xFFFF);
    }

    private static byte[] concat(byte[] first, byte[] second) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(first.length + second.length);
      out.writeBytes(first);
      out.writeBytes(second);
      return out.toByteArray();
    }
  }
}
