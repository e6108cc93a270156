package dev.vnetif.link;

import static dev.vnetif.testsupport.PcapFixtures.frame;
import static dev.vnetif.testsupport.PcapFixtures.pcap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Classic pcap files in their variants, what PcapWriter writes, and the ways a file is not one. */
class PcapReaderTest {
  private static final long T0_NANOS = 1_700_000_000_123_456_789L;

  @TempDir Path dir;

  @Test
  @DisplayName(
      "PcapWriter -> PcapReader: the same frames in order, Ethernet, times to the microsecond")
  void roundTrip() throws Exception {
    Path file = dir.resolve("ours.pcap");
    ByteString first = frame(1, 100);
    ByteString second = frame(101, 0);
    try (PcapWriter writer = PcapWriter.open(file)) {
      writer.write(first, T0_NANOS);
      writer.write(second, T0_NANOS + 2_000_999_999L);
    }

    PcapReader.Capture capture = PcapReader.read(file);

    assertEquals(PcapReader.LINKTYPE_ETHERNET, capture.linkType());
    assertEquals(2, capture.packets().size());
    PcapReader.Packet one = capture.packets().get(0);
    assertEquals(first, one.data());
    assertEquals(first.length(), one.capturedLength());
    assertFalse(one.truncated());
    // The writer keeps microseconds: 123_456_789 ns reads back as 123_456_000.
    assertEquals(1_700_000_000_123_456_000L, one.epochNanos());
    assertEquals(second, capture.packets().get(1).data());
    assertEquals(1_700_000_002_124_456_000L, capture.packets().get(1).epochNanos());
  }

  @Test
  @DisplayName("a writer closed with no frame: a valid capture of no packets")
  void emptyCapture() throws Exception {
    Path file = dir.resolve("empty.pcap");
    PcapWriter.open(file).close();
    PcapReader.Capture capture = PcapReader.read(file);
    assertEquals(PcapReader.LINKTYPE_ETHERNET, capture.linkType());
    assertTrue(capture.packets().isEmpty());
  }

  @Test
  @DisplayName(
      "a frame over the writer's snap length reads back at its original length: the captured "
          + "bytes, then zeros, and says it was cut")
  void roundTripOfATruncatedFrame() throws Exception {
    Path file = dir.resolve("jumbo.pcap");
    byte[] bytes = new byte[PcapWriter.SNAPLEN + 100];
    Arrays.fill(bytes, (byte) 7);
    try (PcapWriter writer = PcapWriter.open(file)) {
      writer.write(ByteString.fromArray(bytes), T0_NANOS);
    }
    PcapReader.Packet packet = PcapReader.read(file).packets().get(0);
    assertEquals(bytes.length, packet.data().length());
    assertEquals(PcapWriter.SNAPLEN, packet.capturedLength());
    assertTrue(packet.truncated());
    assertEquals(7, packet.data().apply(PcapWriter.SNAPLEN - 1));
    assertEquals(0, packet.data().apply(PcapWriter.SNAPLEN));
  }

  @Test
  @DisplayName("nanosecond magic in big-endian order: times to the nanosecond")
  void nanosecondsBigEndian() throws Exception {
    byte[] bytes =
        pcap(
            0xa1b23c4d,
            ByteOrder.BIG_ENDIAN,
            1,
            new long[] {1_700_000_000, 123_456_789},
            frame(1, 10));
    PcapReader.Capture capture = PcapReader.parse(bytes, "ns.pcap");
    assertEquals(1_700_000_000_123_456_789L, capture.packets().get(0).epochNanos());
    assertEquals(frame(1, 10), capture.packets().get(0).data());
  }

  @Test
  @DisplayName("any link type is read as it is: the records' bytes untouched")
  void otherLinkTypesAsTheyAre() throws Exception {
    ByteString ip = frame(1, 7).drop(14);
    byte[] bytes = pcap(0xa1b2c3d4, ByteOrder.LITTLE_ENDIAN, 105, new long[] {0, 0}, ip);
    PcapReader.Capture capture = PcapReader.parse(bytes, "wifi.pcap");
    assertEquals(105, capture.linkType());
    assertEquals(ip, capture.packets().get(0).data());
  }

  @Test
  @DisplayName("a record cut by a hand-made file's snap length is padded to its original length")
  void snapLengthCut() throws Exception {
    ByteString whole = frame(1, 1000);
    byte[] bytes = pcap(0xa1b2c3d4, ByteOrder.LITTLE_ENDIAN, 1, new long[] {0, 0}, whole.take(96));
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(24 + 12, whole.length());
    PcapReader.Packet packet = PcapReader.parse(bytes, "cut.pcap").packets().get(0);
    assertEquals(whole.length(), packet.data().length());
    assertEquals(96, packet.capturedLength());
    assertEquals(whole.take(96), packet.data().take(96));
  }

  @Test
  @DisplayName(
      "not a pcap, pcapng, a truncated header or record, a corrupt length: each a "
          + "FormatException that names the capture and what is wrong")
  void badFiles() throws Exception {
    byte[] good =
        pcap(
            0xa1b2c3d4,
            ByteOrder.LITTLE_ENDIAN,
            1,
            new long[] {0, 0, 1, 0},
            frame(1, 100),
            frame(101, 100));
    assertFails("is not a pcap file", "GET / HTTP/1.1\r\n".getBytes());
    assertFails("is not a pcap file", new byte[] {1, 2});
    assertFails("is a pcapng file", new byte[] {0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0});
    assertFails("less than the 24-byte pcap header", Arrays.copyOf(good, 20));
    assertFails("record 2 at byte", Arrays.copyOf(good, good.length - 5));
    assertFails("has 4 of its 16 header bytes", Arrays.copyOf(good, 24 + 16 + 154 + 4));
    byte[] huge = good.clone();
    ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putInt(24 + 8, 1 << 30);
    assertFails("is corrupt: record 1 at byte 24 claims 1073741824 bytes", huge);
  }

  @Test
  @DisplayName("a file that is not there: NoSuchFileException naming it")
  void missingFile() {
    Path none = dir.resolve("none.pcap");
    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> PcapReader.read(none));
    assertEquals(none.toString(), e.getFile());
  }

  private static void assertFails(String why, byte[] bytes) {
    PcapReader.FormatException e =
        assertThrows(PcapReader.FormatException.class, () -> PcapReader.parse(bytes, "bad.pcap"));
    assertTrue(e.getMessage().startsWith("bad.pcap "), e.getMessage());
    assertTrue(e.getMessage().contains(why), e.getMessage());
  }
}
