package dev.vnetif.cli;

import static dev.vnetif.testsupport.PcapFixtures.frame;
import static dev.vnetif.testsupport.PcapFixtures.pcap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.link.PcapReader;
import dev.vnetif.link.PcapWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TCP segments of a capture, whatever link layer it was taken on. */
class CapturedSegmentTest {

  @TempDir Path dir;

  @Test
  @DisplayName("our captures: every TCP segment, its direction, its payload length")
  void readsOurCaptures() throws Exception {
    Path file = dir.resolve("ours.pcap");
    try (PcapWriter writer = PcapWriter.open(file)) {
      writer.write(frame(1, 100), 1_700_000_000_123_456_000L);
      writer.write(frame(101, 0), 1_700_000_001_000_001_000L);
    }
    List<CapturedSegment> segments = CapturedSegment.of(PcapReader.read(file), "ours.pcap");
    assertEquals(2, segments.size());
    assertEquals(TcpDirection.parse("10.0.0.2:40000>10.0.0.3:5001"), segments.get(0).direction());
    assertEquals(1_700_000_000_123_456_000L, segments.get(0).epochNanos());
    assertEquals(100, segments.get(0).length());
    assertEquals(0, segments.get(1).length());
  }

  @Test
  @DisplayName("a record cut by the snap length keeps its lengths: the segment's payload is whole")
  void snapLengthCut() throws Exception {
    ByteString whole = frame(1, 1000);
    byte[] bytes = pcap(0xa1b2c3d4, ByteOrder.LITTLE_ENDIAN, 1, new long[] {0, 0}, whole.take(96));
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(24 + 12, whole.length());
    assertEquals(
        1000, CapturedSegment.of(PcapReader.parse(bytes, "cut.pcap"), "cut.pcap").get(0).length());
  }

  @Test
  @DisplayName("Linux cooked captures (tcpdump -i any) and raw IP captures read their IPv4 packets")
  void otherLinkTypes() throws Exception {
    ByteString ip = frame(1, 7).drop(14);
    byte[] sllHeader = new byte[16];
    sllHeader[14] = 0x08;
    ByteString sll = ByteString.fromArray(sllHeader).concat(ip);
    for (var c : List.of(List.of(113, sll), List.of(101, ip), List.of(228, ip))) {
      byte[] bytes =
          pcap(
              0xa1b2c3d4,
              ByteOrder.LITTLE_ENDIAN,
              (Integer) c.get(0),
              new long[] {0, 0},
              (ByteString) c.get(1));
      List<CapturedSegment> s = CapturedSegment.of(PcapReader.parse(bytes, "x"), "x");
      assertEquals(7, s.get(0).length(), "link type " + c.get(0));
    }
  }

  @Test
  @DisplayName("a link type it cannot read (802.11): a FormatException naming the file and type")
  void unknownLinkType() {
    byte[] wifi = pcap(0xa1b2c3d4, ByteOrder.LITTLE_ENDIAN, 105, new long[] {0, 0}, frame(1, 1));
    PcapReader.FormatException e =
        assertThrows(
            PcapReader.FormatException.class,
            () -> CapturedSegment.of(PcapReader.parse(wifi, "wifi.pcap"), "wifi.pcap"));
    assertTrue(e.getMessage().contains("wifi.pcap has link type 105"), e.getMessage());
  }
}
