package dev.vnetif.wire;

import static dev.vnetif.wire.MalformedPacketException.Reason.BAD_CHECKSUM;
import static dev.vnetif.wire.MalformedPacketException.Reason.TRUNCATED;

import java.util.Objects;
import org.apache.pekko.util.ByteString;

/**
 * An ICMPv4 message (RFC 792): type, code, the four type-specific bytes that follow the checksum
 * ("rest of header"), and the data after them. The checksum covers the whole message and is
 * computed by {@link #writeTo(byte[], int)}.
 *
 * @param type 0..255, e.g. {@link #TYPE_ECHO_REQUEST}
 * @param code 0..255
 * @param restOfHeader bytes 4..7 as a big-endian int (identifier+sequence for echo, the next-hop
 *     MTU for "fragmentation needed", zero otherwise)
 * @param payload bytes 8.., a slice of the parsed buffer
 */
public record IcmpPacket(int type, int code, int restOfHeader, ByteString payload)
    implements IpPayload {

  public static final int TYPE_ECHO_REPLY = 0;
  public static final int TYPE_DEST_UNREACHABLE = 3;
  public static final int TYPE_ECHO_REQUEST = 8;
  public static final int TYPE_TIME_EXCEEDED = 11;

  // Destination unreachable codes, RFC 792 and RFC 1191 §3.
  public static final int CODE_NET_UNREACHABLE = 0;
  public static final int CODE_HOST_UNREACHABLE = 1;
  public static final int CODE_PROTOCOL_UNREACHABLE = 2;
  public static final int CODE_PORT_UNREACHABLE = 3;
  public static final int CODE_FRAGMENTATION_NEEDED = 4;
  // Time exceeded codes, RFC 792.
  public static final int CODE_TTL_EXCEEDED_IN_TRANSIT = 0;
  public static final int CODE_FRAGMENT_REASSEMBLY_TIME_EXCEEDED = 1;

  /** Type, code, checksum, rest of header. */
  public static final int HEADER_LENGTH = 8;

  /** RFC 792: an error quotes the original IP header plus the first 64 bits of its data. */
  private static final int QUOTED_DATA_LENGTH = 8;

  /**
   * @throws IllegalArgumentException if type or code does not fit a byte
   */
  public IcmpPacket {
    if ((type & ~0xFF) != 0 || (code & ~0xFF) != 0) {
      throw new IllegalArgumentException(
          "ICMP type/code out of range: type=" + type + " code=" + code);
    }
    Objects.requireNonNull(payload, "payload");
  }

  /** An echo request (RFC 792 "Echo or Echo Reply Message"); identifier and sequence are 16-bit. */
  public static IcmpPacket echoRequest(int identifier, int sequence, ByteString data) {
    return new IcmpPacket(TYPE_ECHO_REQUEST, 0, echoRest(identifier, sequence), data);
  }

  /** An echo reply; identifier and sequence are 16-bit. */
  public static IcmpPacket echoReply(int identifier, int sequence, ByteString data) {
    return new IcmpPacket(TYPE_ECHO_REPLY, 0, echoRest(identifier, sequence), data);
  }

  /**
   * The reply to an echo request: same identifier, sequence and data (RFC 792).
   *
   * @throws IllegalArgumentException if {@code echoRequest} is not an echo request
   */
  public static IcmpPacket replyTo(IcmpPacket echoRequest) {
    if (!echoRequest.isEchoRequest()) {
      throw new IllegalArgumentException("not an echo request: " + echoRequest);
    }
    return new IcmpPacket(TYPE_ECHO_REPLY, 0, echoRequest.restOfHeader, echoRequest.payload);
  }

  /**
   * A destination unreachable error quoting {@code originalDatagram}: its IP header and the first 8
   * bytes of its data (RFC 792), or less if the datagram is shorter.
   */
  public static IcmpPacket destinationUnreachable(int code, ByteString originalDatagram) {
    return new IcmpPacket(TYPE_DEST_UNREACHABLE, code, 0, quote(originalDatagram));
  }

  /**
   * "Fragmentation needed and DF set" with the next-hop MTU in the low 16 bits of the rest of the
   * header (RFC 1191 §4), quoting {@code originalDatagram} as RFC 792 says.
   */
  public static IcmpPacket fragmentationNeeded(int nextHopMtu, ByteString originalDatagram) {
    if ((nextHopMtu & ~0xFFFF) != 0) {
      throw new IllegalArgumentException("next-hop MTU does not fit 16 bits: " + nextHopMtu);
    }
    return new IcmpPacket(
        TYPE_DEST_UNREACHABLE, CODE_FRAGMENTATION_NEEDED, nextHopMtu, quote(originalDatagram));
  }

  /** A time exceeded error (RFC 792) quoting {@code originalDatagram}. */
  public static IcmpPacket timeExceeded(int code, ByteString originalDatagram) {
    return new IcmpPacket(TYPE_TIME_EXCEEDED, code, 0, quote(originalDatagram));
  }

  private static int echoRest(int identifier, int sequence) {
    if ((identifier & ~0xFFFF) != 0 || (sequence & ~0xFFFF) != 0) {
      throw new IllegalArgumentException(
          "ICMP echo identifier/sequence out of 0..65535: " + identifier + "/" + sequence);
    }
    return identifier << 16 | sequence;
  }

  /** The IP header (IHL*4, at least 20) plus 8 bytes, capped at the datagram's length. */
  private static ByteString quote(ByteString datagram) {
    int length = datagram.length();
    if (length == 0) {
      return datagram;
    }
    int headerLength = Math.max((Bytes.u8(datagram, 0) & 0xF) * 4, Ipv4Packet.MIN_HEADER_LENGTH);
    int quoted = Math.min(length, headerLength + QUOTED_DATA_LENGTH);
    return quoted == length ? datagram : datagram.slice(0, quoted);
  }

  /** The echo identifier: the high 16 bits of the rest of the header. */
  public int identifier() {
    return restOfHeader >>> 16;
  }

  /** The echo sequence number: the low 16 bits of the rest of the header. */
  public int sequence() {
    return restOfHeader & 0xFFFF;
  }

  /** The next-hop MTU of a "fragmentation needed" message (RFC 1191 §4); 0 from old routers. */
  public int nextHopMtu() {
    return restOfHeader & 0xFFFF;
  }

  public boolean isEchoRequest() {
    return type == TYPE_ECHO_REQUEST;
  }

  public boolean isEchoReply() {
    return type == TYPE_ECHO_REPLY;
  }

  /**
   * Reads a message that fills {@code bs} (the IPv4 payload).
   *
   * @param verifyChecksum false when checksums are offloaded
   * @throws MalformedPacketException TRUNCATED below 8 bytes; BAD_CHECKSUM
   */
  public static IcmpPacket parse(ByteString bs, boolean verifyChecksum)
      throws MalformedPacketException {
    int length = bs.length();
    if (length < HEADER_LENGTH) {
      throw new MalformedPacketException(TRUNCATED, "ICMP message shorter than 8 bytes");
    }
    if (verifyChecksum && Checksum.fold(Checksum.sum(bs, 0, length, 0)) != 0) {
      throw new MalformedPacketException(BAD_CHECKSUM, "ICMP checksum");
    }
    return new IcmpPacket(
        Bytes.u8(bs, 0), Bytes.u8(bs, 1), Bytes.i32(bs, 4), bs.slice(HEADER_LENGTH, length));
  }

  /** The message with its checksum, in one new array ({@link #writeTo(byte[], int)}). */
  public ByteString encode() {
    byte[] b = new byte[encodedLength()];
    writeTo(b, 0);
    return ByteString.fromArrayUnsafe(b);
  }

  @Override
  public int ipProtocol() {
    return Ipv4Packet.PROTO_ICMP;
  }

  @Override
  public int encodedLength() {
    return HEADER_LENGTH + payload.length();
  }

  /**
   * THE emitter of the ICMP header: the message into {@code dst} at {@code offset}, with the
   * checksum over the whole message (RFC 792), the data copied and summed in one pass.
   *
   * @return {@link #encodedLength()}
   */
  public int writeTo(byte[] dst, int offset) {
    dst[offset] = (byte) type;
    dst[offset + 1] = (byte) code;
    dst[offset + 2] = 0;
    dst[offset + 3] = 0;
    Bytes.put32(dst, offset + 4, restOfHeader);
    int sum = Checksum.sum(dst, offset, HEADER_LENGTH, 0);
    sum = Checksum.copyAndSum(payload, dst, offset + HEADER_LENGTH, sum);
    Bytes.put16(dst, offset + 2, Checksum.fold(sum));
    return encodedLength();
  }

  /** As {@link #writeTo(byte[], int)}: ICMPv4's checksum has no pseudo-header (RFC 792). */
  @Override
  public int writeTo(byte[] dst, int offset, Ipv4Address src, Ipv4Address dstAddress) {
    return writeTo(dst, offset);
  }
}
