package dev.vnetif.wire;

/**
 * What an IPv4 datagram of this stack carries: a TCP segment, a UDP datagram or an ICMP message.
 * Each writes itself, checksum included, straight into the array of the frame that carries it
 * ({@link Ipv4Frame}), so a packet is encoded once, by one emitter, wherever it is going.
 */
public sealed interface IpPayload permits TcpSegment, UdpPacket, IcmpPacket {

  /** The IPv4 protocol number (RFC 790), e.g. {@link Ipv4Packet#PROTO_TCP}. */
  int ipProtocol();

  /** Bytes {@link #writeTo} writes: header and data. */
  int encodedLength();

  /**
   * Writes header and data into {@code dst} at {@code offset} and fills in the checksum.
   *
   * @param src the IPv4 source, for the pseudo-header of TCP and UDP (ICMPv4 has none)
   * @param dstAddress the IPv4 destination, for the pseudo-header
   * @return {@link #encodedLength()}
   */
  int writeTo(byte[] dst, int offset, Ipv4Address src, Ipv4Address dstAddress);
}
