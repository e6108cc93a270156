package dev.vnetif.cli;

import dev.vnetif.link.PcapReader;
import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.Ipv4Packet;
import dev.vnetif.wire.MalformedPacketException;
import dev.vnetif.wire.TcpSegment;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * A TCP segment found in a capture, with when and which way it went. Checksums are not verified
 * (captures taken on a sender that offloads them hold wrong ones); IPv4 fragments, IPv6, ARP and
 * anything that does not parse are skipped.
 *
 * @param epochNanos capture time
 * @param direction from whom to whom
 * @param tcp the segment; its payload may be zeros where the capture cut the data off
 */
record CapturedSegment(long epochNanos, TcpDirection direction, TcpSegment tcp) {

  /** Linux cooked capture v1 header: the protocol type is its last two bytes. */
  private static final int SLL_HEADER = 16;

  /**
   * The TCP segments of {@code capture}, in its order.
   *
   * @throws PcapReader.FormatException when its link type is not one this reads
   */
  static List<CapturedSegment> of(PcapReader.Capture capture, String name)
      throws PcapReader.FormatException {
    int linkType = capture.linkType();
    if (linkType != PcapReader.LINKTYPE_ETHERNET
        && linkType != PcapReader.LINKTYPE_RAW
        && linkType != PcapReader.LINKTYPE_IPV4
        && linkType != PcapReader.LINKTYPE_LINUX_SLL) {
      throw new PcapReader.FormatException(
          name
              + " has link type "
              + linkType
              + "; this reads Ethernet (1), raw IP (101, 228) and Linux cooked (113) captures");
    }
    List<CapturedSegment> segments = new ArrayList<>();
    for (PcapReader.Packet packet : capture.packets()) {
      ByteString ip = ipv4(linkType, packet.data());
      if (ip == null) {
        continue;
      }
      try {
        Ipv4Packet p = Ipv4Packet.parse(ip, false);
        if (p.protocol() != Ipv4Packet.PROTO_TCP || p.isFragment()) {
          continue;
        }
        TcpSegment tcp = TcpSegment.parse(p.payload(), p.source(), p.destination(), false);
        segments.add(
            new CapturedSegment(
                packet.epochNanos(),
                new TcpDirection(
                    p.source(), tcp.sourcePort(), p.destination(), tcp.destinationPort()),
                tcp));
      } catch (MalformedPacketException | IllegalArgumentException notTcp) {
        // Not a segment this can read: the graph is of the ones it can.
      }
    }
    return segments;
  }

  /** The IPv4 packet a record holds, or null when it holds something else. */
  private static ByteString ipv4(int linkType, ByteString data) {
    switch (linkType) {
      case PcapReader.LINKTYPE_ETHERNET -> {
        if (data.length() < EthernetFrame.HEADER_LENGTH
            || EthernetFrame.peekEtherType(data) != EthernetFrame.ETHERTYPE_IPV4) {
          return null;
        }
        return data.drop(EthernetFrame.HEADER_LENGTH);
      }
      case PcapReader.LINKTYPE_LINUX_SLL -> {
        if (data.length() < SLL_HEADER
            || ((data.apply(14) & 0xFF) << 8 | (data.apply(15) & 0xFF))
                != EthernetFrame.ETHERTYPE_IPV4) {
          return null;
        }
        return data.drop(SLL_HEADER);
      }
      default -> {
        return data.isEmpty() || (data.apply(0) & 0xF0) != 0x40 ? null : data;
      }
    }
  }

  /** The sequence space the segment takes: its data, plus one each for SYN and FIN. */
  int length() {
    return tcp.segmentLength();
  }
}
