package dev.vnetif.wire;

import org.apache.pekko.util.ByteString;

/**
 * Builds an Ethernet frame carrying an IPv4 datagram carrying a TCP segment in ONE array, checksums
 * included. This is the data path's one copy per frame (ARCHITECTURE.md): the frame that comes out
 * is flat, so every hop after it slices and reads it cheaply instead of walking a rope of header
 * and payload fragments.
 */
public final class TcpFrame {
  private static final int IP_OFFSET = EthernetFrame.HEADER_LENGTH;
  private static final int TCP_OFFSET = IP_OFFSET + Ipv4Packet.MIN_HEADER_LENGTH;

  private TcpFrame() {}

  /** Bytes the frame for {@code segment} takes. */
  public static int length(TcpSegment segment) {
    return TCP_OFFSET + segment.headerLength() + segment.payload().length();
  }

  /**
   * The frame from {@code srcMac} to {@code dstMac}: an IPv4 header (no options, DF set, the given
   * TTL and identification) and the segment, with IPv4 and TCP checksums.
   */
  public static ByteString encode(
      MacAddress dstMac,
      MacAddress srcMac,
      Ipv4Address source,
      Ipv4Address destination,
      int ttl,
      int identification,
      TcpSegment segment) {
    byte[] frame = new byte[length(segment)];
    dstMac.writeTo(frame, 0);
    srcMac.writeTo(frame, 6);
    Bytes.put16(frame, 12, EthernetFrame.ETHERTYPE_IPV4);
    int tcpLength = segment.writeTo(frame, TCP_OFFSET, source, destination);
    Ipv4Packet.writeHeader(
        frame,
        IP_OFFSET,
        0,
        identification,
        true,
        false,
        0,
        ttl,
        Ipv4Packet.PROTO_TCP,
        source,
        destination,
        tcpLength);
    return ByteString.fromArrayUnsafe(frame);
  }
}
