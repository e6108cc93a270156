package dev.vnetif.wire;

import org.apache.pekko.util.ByteString;

/**
 * Builds an Ethernet frame carrying an IPv4 datagram carrying a TCP, UDP or ICMP payload in ONE
 * array, checksums included. This is the data path's one copy per frame (ARCHITECTURE.md): the
 * payload's bytes are copied into the frame while they are summed ({@link Checksum#copyAndSum}),
 * and the frame that comes out is flat, so every hop after it slices and reads it cheaply.
 *
 * <p>A frame whose next hop is not resolved yet is built with a zero destination MAC and completed
 * by {@link #setDestination} once ARP answers: the datagram is never encoded twice.
 */
public final class Ipv4Frame {
  /** Where the IPv4 header starts in a frame. */
  public static final int IP_OFFSET = EthernetFrame.HEADER_LENGTH;

  private static final int PAYLOAD_OFFSET = IP_OFFSET + Ipv4Packet.MIN_HEADER_LENGTH;

  private Ipv4Frame() {}

  /** Bytes the frame for {@code payload} takes: Ethernet and IPv4 headers, then the payload. */
  public static int length(IpPayload payload) {
    return PAYLOAD_OFFSET + payload.encodedLength();
  }

  /** IPv4 bytes (header and payload) of the datagram in a frame of {@code frameLength} bytes. */
  public static int datagramLength(int frameLength) {
    return frameLength - IP_OFFSET;
  }

  /**
   * The frame from {@code srcMac} to {@code dstMac}: an IPv4 header (no options, TOS 0, DF set, the
   * given TTL and identification) and the payload, with all checksums.
   *
   * @throws IllegalArgumentException if the datagram would exceed 65535 bytes
   */
  public static ByteString encode(
      MacAddress dstMac,
      MacAddress srcMac,
      Ipv4Address source,
      Ipv4Address destination,
      int ttl,
      int identification,
      IpPayload payload) {
    byte[] frame = build(srcMac, source, destination, ttl, identification, payload);
    dstMac.writeTo(frame, 0);
    return ByteString.fromArrayUnsafe(frame);
  }

  /**
   * The frame as {@link #encode} builds it but with the destination MAC left zero, for a next hop
   * whose address is still being resolved; {@link #setDestination} completes it.
   *
   * @throws IllegalArgumentException if the datagram would exceed 65535 bytes
   */
  public static byte[] build(
      MacAddress srcMac,
      Ipv4Address source,
      Ipv4Address destination,
      int ttl,
      int identification,
      IpPayload payload) {
    int payloadLength = payload.encodedLength();
    if (payloadLength > Ipv4Packet.MAX_PAYLOAD_LENGTH) {
      throw new IllegalArgumentException(
          "IPv4 payload of " + payloadLength + " bytes exceeds " + Ipv4Packet.MAX_PAYLOAD_LENGTH);
    }
    byte[] frame = new byte[PAYLOAD_OFFSET + payloadLength];
    EthernetFrame.writeHeader(frame, 0, MacAddress.ZERO, srcMac, EthernetFrame.ETHERTYPE_IPV4);
    payload.writeTo(frame, PAYLOAD_OFFSET, source, destination);
    Ipv4Packet.writeHeader(
        frame,
        IP_OFFSET,
        0,
        identification,
        true,
        false,
        0,
        ttl,
        payload.ipProtocol(),
        source,
        destination,
        payloadLength);
    return frame;
  }

  /** Writes the destination MAC of a frame {@link #build} made. */
  public static void setDestination(byte[] frame, MacAddress dstMac) {
    dstMac.writeTo(frame, 0);
  }
}
