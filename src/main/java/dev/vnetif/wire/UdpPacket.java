package dev.vnetif.wire;

import static dev.vnetif.wire.MalformedPacketException.Reason.BAD_CHECKSUM;
import static dev.vnetif.wire.MalformedPacketException.Reason.BAD_LENGTH;
import static dev.vnetif.wire.MalformedPacketException.Reason.TRUNCATED;

import java.util.Objects;
import org.apache.pekko.util.ByteString;

/**
 * A UDP datagram (RFC 768). The length and checksum fields are not kept: {@link #encode} derives
 * them, and the checksum needs the IPv4 addresses of the pseudo-header.
 *
 * @param sourcePort 0..65535
 * @param destinationPort 0..65535
 * @param payload the data, a slice of the parsed buffer
 */
public record UdpPacket(int sourcePort, int destinationPort, ByteString payload)
    implements IpPayload {

  public static final int HEADER_LENGTH = 8;

  /**
   * The most the 16-bit length field allows (RFC 768). One IPv4 datagram without options carries at
   * most {@code Ipv4Packet.MAX_PAYLOAD_LENGTH - 8} = 65507 bytes of it.
   */
  public static final int MAX_PAYLOAD_LENGTH = 0xFFFF - HEADER_LENGTH;

  /**
   * @throws IllegalArgumentException if a port does not fit 16 bits or the payload is too long
   */
  public UdpPacket {
    checkPorts(sourcePort, destinationPort);
    checkPayload(payload);
  }

  /**
   * Reads a datagram from {@code bs} (the IPv4 payload). The payload ends where the UDP length
   * field says; bytes after it are ignored.
   *
   * @param src the IPv4 source, for the pseudo-header
   * @param dst the IPv4 destination, for the pseudo-header
   * @param verifyChecksum false when checksums are offloaded
   * @throws MalformedPacketException TRUNCATED below 8 bytes; BAD_LENGTH when the length field is
   *     below 8 or past the buffer; BAD_CHECKSUM when a non-zero checksum does not verify
   */
  public static UdpPacket parse(
      ByteString bs, Ipv4Address src, Ipv4Address dst, boolean verifyChecksum)
      throws MalformedPacketException {
    int length = bs.length();
    if (length < HEADER_LENGTH) {
      throw new MalformedPacketException(TRUNCATED, "UDP datagram shorter than 8 bytes");
    }
    int udpLength = Bytes.u16(bs, 4);
    if (udpLength < HEADER_LENGTH) {
      throw new MalformedPacketException(BAD_LENGTH, "UDP length below 8");
    }
    if (udpLength > length) {
      throw new MalformedPacketException(BAD_LENGTH, "UDP length past the end of the buffer");
    }
    // RFC 768: an all-zero checksum means the sender computed none.
    if (verifyChecksum && Bytes.u16(bs, 6) != 0) {
      int sum = Checksum.pseudoHeader(src, dst, Ipv4Packet.PROTO_UDP, udpLength);
      if (Checksum.fold(Checksum.sum(bs, 0, udpLength, sum)) != 0) {
        throw new MalformedPacketException(BAD_CHECKSUM, "UDP checksum");
      }
    }
    return new UdpPacket(Bytes.u16(bs, 0), Bytes.u16(bs, 2), bs.slice(HEADER_LENGTH, udpLength));
  }

  /** The encoded length: header plus payload. */
  public int length() {
    return HEADER_LENGTH + payload.length();
  }

  @Override
  public int ipProtocol() {
    return Ipv4Packet.PROTO_UDP;
  }

  @Override
  public int encodedLength() {
    return length();
  }

  /** The datagram with its length and checksum, in one new array ({@link #writeTo}). */
  public ByteString encode(Ipv4Address src, Ipv4Address dst) {
    byte[] b = new byte[length()];
    writeTo(b, 0, src, dst);
    return ByteString.fromArrayUnsafe(b);
  }

  /**
   * The same bytes as {@code new UdpPacket(sourcePort, destinationPort, payload).encode(src, dst)}.
   */
  public static ByteString encode(
      Ipv4Address src, Ipv4Address dst, int sourcePort, int destinationPort, ByteString payload) {
    return new UdpPacket(sourcePort, destinationPort, payload).encode(src, dst);
  }

  /**
   * THE emitter of the UDP header: header and payload into {@code dst} at {@code offset}, with the
   * length and the checksum over the pseudo-header (RFC 768), the payload copied and summed in one
   * pass.
   *
   * @return {@link #length()}
   */
  @Override
  public int writeTo(byte[] dst, int offset, Ipv4Address src, Ipv4Address dstAddress) {
    int udpLength = length();
    Bytes.put16(dst, offset, sourcePort);
    Bytes.put16(dst, offset + 2, destinationPort);
    Bytes.put16(dst, offset + 4, udpLength);
    dst[offset + 6] = 0;
    dst[offset + 7] = 0;
    int sum = Checksum.pseudoHeader(src, dstAddress, Ipv4Packet.PROTO_UDP, udpLength);
    sum = Checksum.sum(dst, offset, HEADER_LENGTH, sum);
    sum = Checksum.copyAndSum(payload, dst, offset + HEADER_LENGTH, sum);
    int checksum = Checksum.fold(sum);
    // RFC 768: a computed zero is sent as all ones, zero meaning "no checksum".
    Bytes.put16(dst, offset + 6, checksum == 0 ? 0xFFFF : checksum);
    return udpLength;
  }

  private static void checkPorts(int sourcePort, int destinationPort) {
    if ((sourcePort & ~0xFFFF) != 0 || (destinationPort & ~0xFFFF) != 0) {
      throw new IllegalArgumentException(
          "UDP port out of 0..65535: " + sourcePort + " -> " + destinationPort);
    }
  }

  private static void checkPayload(ByteString payload) {
    Objects.requireNonNull(payload, "payload");
    if (payload.length() > MAX_PAYLOAD_LENGTH) {
      throw new IllegalArgumentException(
          "UDP payload of " + payload.length() + " bytes exceeds " + MAX_PAYLOAD_LENGTH);
    }
  }
}
