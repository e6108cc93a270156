package dev.vnetif.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.link.PcapWriter;
import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.Ipv4Packet;
import dev.vnetif.wire.MacAddress;
import dev.vnetif.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Classic pcap files in their variants, and the ways a file can fail to be one. */
class PcapReaderTest {
  static final Ipv4Address A = Ipv4Address.of("10.0.0.2");
  static final Ipv4Address B = Ipv4Address.of("10.0.0.3");

  @TempDir Path dir;

  /** An Ethernet frame with a TCP segment of {@code payload} bytes from A:40000 to B:5001. */
  static ByteString frame(int seq, int payload) {
    TcpSegment tcp =
        TcpSegment.of(40000, 5001, seq, 1, TcpSegment.ACK, 1000)
            .withPayload(ByteString.fromArray(new byte[payload]));
    ByteString ip = Ipv4Packet.encode(A, B, Ipv4Packet.PROTO_TCP, 64, 1, true, tcp.encode(A, B));
    return EthernetFrame.encode(
        MacAddress.of("02:00:00:00:00:03"),
        MacAddress.of("02:00:00:00:00:02"),
        EthernetFrame.ETHERTYPE_IPV4,
        ip);
  }

  /** A pcap file by hand: {@code magic} in {@code order}, one record per frame. */
  static byte[] pcap(int magic, ByteOrder order, int linkType, long[] times, ByteString... frames) {
    int size = 24;
    for (ByteString f : frames) {
      size += 16 + f.length();
    }
    ByteBuffer out = ByteBuffer.allocate(size).order(order);
    out.putInt(magic).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0);
    out.putInt(65535).putInt(linkType);
    for (int i = 0; i < frames.length; i++) {
      out.putInt((int) times[i * 2]).putInt((int) times[i * 2 + 1]);
      out.putInt(frames[i].length()).putInt(frames[i].length());
      out.put(frames[i].toArray());
    }
    return out.array();
  }

  @Test
  @DisplayName("what our PcapWriter writes (microseconds, little-endian) reads back frame by frame")
  void readsOurCaptures() throws Exception {
    Path file = dir.resolve("ours.pcap");
    try (PcapWriter writer = PcapWriter.open(file)) {
      writer.write(frame(1, 100), 1_700_000_000_123_456_000L);
      writer.write(frame(101, 0), 1_700_000_001_000_001_000L);
    }
    PcapReader.Capture capture = PcapReader.read(file);
    assertEquals(PcapReader.LINKTYPE_ETHERNET, capture.linkType());
    assertEquals(2, capture.packets().size());
    assertEquals(1_700_000_000_123_456_000L, capture.packets().get(0).epochNanos());
    assertEquals(frame(1, 100), capture.packets().get(0).data());
    List<CapturedSegment> segments = CapturedSegment.of(capture, "ours.pcap");
    assertEquals(2, segments.size());
    assertEquals(TcpDirection.parse("10.0.0.2:40000>10.0.0.3:5001"), segments.get(0).direction());
    assertEquals(100, segments.get(0).length());
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
    assertEquals(10, CapturedSegment.of(capture, "ns.pcap").get(0).length());
  }

  @Test
  @DisplayName("a record cut by the snap length keeps its lengths: padded to the original size")
  void snapLengthCut() throws Exception {
    ByteString whole = frame(1, 1000);
    byte[] bytes = pcap(0xa1b2c3d4, ByteOrder.LITTLE_ENDIAN, 1, new long[] {0, 0}, whole.take(96));
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(24 + 12, whole.length());
    PcapReader.Capture capture = PcapReader.parse(bytes, "cut.pcap");
    assertEquals(whole.length(), capture.packets().get(0).data().length());
    assertEquals(1000, CapturedSegment.of(capture, "cut.pcap").get(0).length());
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
  @DisplayName(
      "not a pcap, pcapng, a truncated header or record, an unknown link type: each a "
          + "FormatException that names the file and what is wrong")
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
    byte[] wifi = good.clone();
    wifi[20] = 105;
    PcapReader.FormatException e =
        assertThrows(
            PcapReader.FormatException.class,
            () -> CapturedSegment.of(PcapReader.parse(wifi, "wifi.pcap"), "wifi.pcap"));
    assertTrue(e.getMessage().contains("wifi.pcap has link type 105"), e.getMessage());
  }

  private static void assertFails(String why, byte[] bytes) {
    PcapReader.FormatException e =
        assertThrows(PcapReader.FormatException.class, () -> PcapReader.parse(bytes, "bad.pcap"));
    assertTrue(e.getMessage().startsWith("bad.pcap "), e.getMessage());
    assertTrue(e.getMessage().contains(why), e.getMessage());
  }

  static void write(Path file, byte[] bytes) throws Exception {
    Files.write(file, bytes);
  }
}
