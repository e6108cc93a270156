package dev.vnetif.wire;

import static dev.vnetif.wire.MalformedPacketException.Reason.BAD_CHECKSUM;
import static dev.vnetif.wire.MalformedPacketException.Reason.BAD_HEADER_LENGTH;
import static dev.vnetif.wire.MalformedPacketException.Reason.BAD_LENGTH;
import static dev.vnetif.wire.MalformedPacketException.Reason.TRUNCATED;

import java.util.Objects;
import org.apache.pekko.util.ByteString;

/**
 * A TCP segment (RFC 9293 §3.1). The data offset and checksum fields are not kept: {@link #writeTo}
 * derives them, and the checksum needs the IPv4 addresses of the pseudo-header. Sequence and
 * acknowledgment numbers are unsigned 32-bit values held in ints; compare them with {@link SeqNum}.
 *
 * @param sourcePort 0..65535
 * @param destinationPort 0..65535
 * @param seq SEG.SEQ
 * @param ack SEG.ACK, meaningful when {@link #ACK} is set
 * @param flags the control bits, 0..255 ({@link #FIN} .. {@link #CWR})
 * @param window the raw 16-bit window field, not yet shifted by the window scale
 * @param urgentPointer 0..65535, meaningful when {@link #URG} is set
 * @param options the options, {@link TcpOptions#NONE} when there are none
 * @param payload the data, a slice of the parsed buffer
 */
public record TcpSegment(
    int sourcePort,
    int destinationPort,
    int seq,
    int ack,
    int flags,
    int window,
    int urgentPointer,
    TcpOptions options,
    ByteString payload)
    implements IpPayload {

  public static final int FIN = 0x01;
  public static final int SYN = 0x02;
  public static final int RST = 0x04;
  public static final int PSH = 0x08;
  public static final int ACK = 0x10;
  public static final int URG = 0x20;
  public static final int ECE = 0x40;
  public static final int CWR = 0x80;

  /** The fixed header, without options. */
  public static final int MIN_HEADER_LENGTH = 20;

  /** The most a segment can be inside one IPv4 datagram without IP options. */
  public static final int MAX_SEGMENT_LENGTH = Ipv4Packet.MAX_PAYLOAD_LENGTH;

  /** The most payload a segment without TCP options can carry in one IPv4 datagram. */
  public static final int MAX_PAYLOAD_LENGTH = MAX_SEGMENT_LENGTH - MIN_HEADER_LENGTH;

  // flagsToString order: the handshake and teardown bits first, so names read "SYN|ACK", "FIN|ACK".
  private static final int[] FLAG_ORDER = {SYN, FIN, RST, PSH, ACK, URG, ECE, CWR};
  private static final String[] FLAG_NAMES = {
    "SYN", "FIN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"
  };

  /**
   * @throws IllegalArgumentException if a 16-bit field or the flags are out of range
   */
  public TcpSegment {
    if ((sourcePort & ~0xFFFF) != 0
        || (destinationPort & ~0xFFFF) != 0
        || (flags & ~0xFF) != 0
        || (window & ~0xFFFF) != 0
        || (urgentPointer & ~0xFFFF) != 0) {
      throw new IllegalArgumentException(
          "TCP field out of range: ports "
              + sourcePort
              + "->"
              + destinationPort
              + " flags=0x"
              + Integer.toHexString(flags)
              + " window="
              + window
              + " urgentPointer="
              + urgentPointer);
    }
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(payload, "payload");
    if (payload.length() > MAX_PAYLOAD_LENGTH) {
      throw new IllegalArgumentException(
          "TCP payload of " + payload.length() + " bytes exceeds " + MAX_PAYLOAD_LENGTH);
    }
  }

  /**
   * A segment without options or payload; add them with {@link #withOptions}/{@link #withPayload}.
   */
  public static TcpSegment of(
      int sourcePort, int destinationPort, int seq, int ack, int flags, int window) {
    return new TcpSegment(
        sourcePort,
        destinationPort,
        seq,
        ack,
        flags,
        window,
        0,
        TcpOptions.NONE,
        ByteString.emptyByteString());
  }

  public TcpSegment withOptions(TcpOptions options) {
    return new TcpSegment(
        sourcePort, destinationPort, seq, ack, flags, window, urgentPointer, options, payload);
  }

  public TcpSegment withPayload(ByteString payload) {
    return new TcpSegment(
        sourcePort, destinationPort, seq, ack, flags, window, urgentPointer, options, payload);
  }

  /** True when every bit of {@code flag} is set. */
  public boolean has(int flag) {
    return (flags & flag) == flag;
  }

  public boolean isSyn() {
    return (flags & SYN) != 0;
  }

  public boolean isFin() {
    return (flags & FIN) != 0;
  }

  public boolean isRst() {
    return (flags & RST) != 0;
  }

  public boolean isAck() {
    return (flags & ACK) != 0;
  }

  /** SEG.LEN (RFC 9293 §3.4): the payload plus one for SYN and one for FIN. */
  public int segmentLength() {
    return payload.length() + (isSyn() ? 1 : 0) + (isFin() ? 1 : 0);
  }

  /**
   * Reads a segment that fills {@code bs} (the IPv4 payload).
   *
   * @param src the IPv4 source, for the pseudo-header
   * @param dst the IPv4 destination, for the pseudo-header
   * @param verifyChecksum false when checksums are offloaded
   * @throws MalformedPacketException TRUNCATED below 20 bytes or below the data offset;
   *     BAD_HEADER_LENGTH for a data offset below 5; BAD_LENGTH past what IPv4 can carry;
   *     BAD_CHECKSUM; BAD_OPTION_LENGTH from {@link TcpOptions#parse}
   */
  public static TcpSegment parse(
      ByteString bs, Ipv4Address src, Ipv4Address dst, boolean verifyChecksum)
      throws MalformedPacketException {
    int length = bs.length();
    if (length < MIN_HEADER_LENGTH) {
      throw new MalformedPacketException(TRUNCATED, "TCP segment shorter than 20 bytes");
    }
    int headerLength = (Bytes.u8(bs, 12) >>> 4) * 4;
    if (headerLength < MIN_HEADER_LENGTH) {
      throw new MalformedPacketException(BAD_HEADER_LENGTH, "TCP data offset below 5");
    }
    if (headerLength > length) {
      throw new MalformedPacketException(TRUNCATED, "TCP data offset past the end of the segment");
    }
    if (length > MAX_SEGMENT_LENGTH) {
      throw new MalformedPacketException(
          BAD_LENGTH, "TCP segment longer than an IPv4 datagram carries");
    }
    // RFC 9293 §3.1 "Checksum": pseudo-header, header and data.
    if (verifyChecksum) {
      int sum = Checksum.pseudoHeader(src, dst, Ipv4Packet.PROTO_TCP, length);
      if (Checksum.fold(Checksum.sum(bs, 0, length, sum)) != 0) {
        throw new MalformedPacketException(BAD_CHECKSUM, "TCP checksum");
      }
    }
    TcpOptions options =
        headerLength == MIN_HEADER_LENGTH
            ? TcpOptions.NONE
            : TcpOptions.parse(bs, MIN_HEADER_LENGTH, headerLength - MIN_HEADER_LENGTH);
    return new TcpSegment(
        Bytes.u16(bs, 0),
        Bytes.u16(bs, 2),
        Bytes.i32(bs, 4),
        Bytes.i32(bs, 8),
        Bytes.u8(bs, 13),
        Bytes.u16(bs, 14),
        Bytes.u16(bs, 18),
        options,
        bs.slice(headerLength, length));
  }

  /**
   * The segment with its data offset and checksum, in one new array ({@link #writeTo}).
   *
   * @throws IllegalArgumentException if the options need more than 40 bytes or the segment would
   *     not fit one IPv4 datagram
   */
  public ByteString encode(Ipv4Address src, Ipv4Address dst) {
    byte[] b = new byte[encodedLength()];
    writeTo(b, 0, src, dst);
    return ByteString.fromArrayUnsafe(b);
  }

  /** Bytes of header (20 + options) this segment encodes to. */
  public int headerLength() {
    return MIN_HEADER_LENGTH + options.encodedLength();
  }

  @Override
  public int ipProtocol() {
    return Ipv4Packet.PROTO_TCP;
  }

  /**
   * Bytes of the whole encoded segment, header and payload.
   *
   * @throws IllegalArgumentException if the segment would not fit one IPv4 datagram
   */
  @Override
  public int encodedLength() {
    int length = headerLength() + payload.length();
    if (length > MAX_SEGMENT_LENGTH) {
      throw new IllegalArgumentException(
          "TCP segment of " + length + " bytes exceeds " + MAX_SEGMENT_LENGTH);
    }
    return length;
  }

  /**
   * THE emitter of the TCP header: writes the whole segment — header, options, payload — into
   * {@code dst} at {@code offset} and fills in the checksum (RFC 9293 §3.1, with the
   * pseudo-header). The payload is copied and summed in one pass ({@link Checksum#copyAndSum}):
   * this is the one copy a frame gets.
   *
   * @return the segment's length in bytes
   * @throws IllegalArgumentException if the options need more than 40 bytes or the segment would
   *     not fit one IPv4 datagram
   */
  @Override
  public int writeTo(byte[] dst, int offset, Ipv4Address src, Ipv4Address dstAddress) {
    int length = encodedLength();
    int headerLength = length - payload.length();
    Bytes.put16(dst, offset, sourcePort);
    Bytes.put16(dst, offset + 2, destinationPort);
    Bytes.put32(dst, offset + 4, seq);
    Bytes.put32(dst, offset + 8, ack);
    dst[offset + 12] = (byte) (headerLength / 4 << 4);
    dst[offset + 13] = (byte) flags;
    Bytes.put16(dst, offset + 14, window);
    dst[offset + 16] = 0;
    dst[offset + 17] = 0;
    Bytes.put16(dst, offset + 18, urgentPointer);
    if (headerLength > MIN_HEADER_LENGTH) {
      options.writeTo(dst, offset + MIN_HEADER_LENGTH);
    }
    int sum = Checksum.pseudoHeader(src, dstAddress, Ipv4Packet.PROTO_TCP, length);
    sum = Checksum.sum(dst, offset, headerLength, sum); // a multiple of 4: the payload chains on
    sum = Checksum.copyAndSum(payload, dst, offset + headerLength, sum);
    Bytes.put16(dst, offset + 16, Checksum.fold(sum));
    return length;
  }

  /** The set flags' names joined by '|', e.g. {@code "SYN|ACK"}; the empty string for none. */
  public static String flagsToString(int flags) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < FLAG_ORDER.length; i++) {
      if ((flags & FLAG_ORDER[i]) != 0) {
        if (sb.length() > 0) {
          sb.append('|');
        }
        sb.append(FLAG_NAMES[i]);
      }
    }
    return sb.toString();
  }

  /**
   * A compact, one-line form for logs and test failures, e.g. {@code TcpSegment[1024->80 seq=100
   * ack=200 SYN|ACK win=65535 opts=[mss=1460,ws=7] len=0]}; options are left out when there are
   * none, the urgent pointer when URG is clear.
   */
  @Override
  public String toString() {
    StringBuilder sb =
        new StringBuilder(96)
            .append("TcpSegment[")
            .append(sourcePort)
            .append("->")
            .append(destinationPort)
            .append(" seq=")
            .append(Integer.toUnsignedString(seq))
            .append(" ack=")
            .append(Integer.toUnsignedString(ack));
    if (flags != 0) {
      sb.append(' ').append(flagsToString(flags));
    }
    sb.append(" win=").append(window);
    if ((flags & URG) != 0) {
      sb.append(" urg=").append(urgentPointer);
    }
    if (!options.isEmpty()) {
      sb.append(" opts=").append(options);
    }
    return sb.append(" len=").append(payload.length()).append(']').toString();
  }
}
