package dev.vnetif.wire;

import static dev.vnetif.wire.MalformedPacketException.Reason.BAD_CHECKSUM;
import static dev.vnetif.wire.MalformedPacketException.Reason.BAD_HEADER_LENGTH;
import static dev.vnetif.wire.MalformedPacketException.Reason.BAD_LENGTH;
import static dev.vnetif.wire.MalformedPacketException.Reason.BAD_VERSION;
import static dev.vnetif.wire.MalformedPacketException.Reason.TRUNCATED;

import java.util.Objects;
import org.apache.pekko.util.ByteString;

/**
 * An IPv4 datagram (RFC 791 §3.1). Options are skipped on parse and never emitted, so an encoded
 * header is always 20 bytes (IHL 5).
 *
 * @param tos the type-of-service / DSCP+ECN octet, 0..255
 * @param identification 0..65535
 * @param dontFragment the DF flag
 * @param moreFragments the MF flag
 * @param fragmentOffset in 8-byte units, 0..8191
 * @param ttl 0..255
 * @param protocol 0..255, e.g. {@link #PROTO_TCP}
 * @param source the source address
 * @param destination the destination address
 * @param payload the bytes after the header up to the total length, a slice of the parsed buffer
 */
public record Ipv4Packet(
    int tos,
    int identification,
    boolean dontFragment,
    boolean moreFragments,
    int fragmentOffset,
    int ttl,
    int protocol,
    Ipv4Address source,
    Ipv4Address destination,
    ByteString payload) {

  public static final int PROTO_ICMP = 1;
  public static final int PROTO_TCP = 6;
  public static final int PROTO_UDP = 17;

  /** A header without options. */
  public static final int MIN_HEADER_LENGTH = 20;

  /** The largest payload an option-less datagram can carry: 65535 minus the header. */
  public static final int MAX_PAYLOAD_LENGTH = 0xFFFF - MIN_HEADER_LENGTH;

  private static final int VERSION = 4;
  // RFC 791 §3.1 "Flags": bit 0 reserved, bit 1 DF, bit 2 MF, then 13 bits of offset.
  private static final int FLAG_DF = 0x4000;
  private static final int FLAG_MF = 0x2000;
  private static final int OFFSET_MASK = 0x1FFF;

  /**
   * @throws IllegalArgumentException if a field is outside its range or the payload too long
   */
  public Ipv4Packet {
    checkFields(tos, identification, fragmentOffset, ttl, protocol);
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(destination, "destination");
    checkPayload(payload);
  }

  /** An unfragmented datagram with TOS 0. */
  public static Ipv4Packet of(
      Ipv4Address src,
      Ipv4Address dst,
      int protocol,
      int ttl,
      int identification,
      boolean dontFragment,
      ByteString payload) {
    return new Ipv4Packet(
        0, identification, dontFragment, false, 0, ttl, protocol, src, dst, payload);
  }

  /** True for any piece of a fragmented datagram: MF set or a non-zero offset (RFC 791 §3.2). */
  public boolean isFragment() {
    return moreFragments || fragmentOffset != 0;
  }

  /** The total length field of this datagram as {@link #encode()} writes it. */
  public int totalLength() {
    return MIN_HEADER_LENGTH + payload.length();
  }

  /**
   * Reads a datagram. The payload is {@code bs[IHL*4, totalLength)}, a slice; bytes after the total
   * length (Ethernet padding) are ignored.
   *
   * @param verifyChecksum false when checksums are offloaded
   * @throws MalformedPacketException BAD_VERSION if not version 4; TRUNCATED below 20 bytes or
   *     below IHL*4; BAD_HEADER_LENGTH for IHL below 5; BAD_LENGTH when the total length is below
   *     IHL*4 or past the buffer; BAD_CHECKSUM
   */
  public static Ipv4Packet parse(ByteString bs, boolean verifyChecksum)
      throws MalformedPacketException {
    int length = bs.length();
    if (length == 0) {
      throw new MalformedPacketException(TRUNCATED, "empty IPv4 packet");
    }
    int versionIhl = Bytes.u8(bs, 0);
    if (versionIhl >>> 4 != VERSION) {
      throw new MalformedPacketException(BAD_VERSION, "IP version is not 4");
    }
    if (length < MIN_HEADER_LENGTH) {
      throw new MalformedPacketException(TRUNCATED, "IPv4 packet shorter than 20 bytes");
    }
    int headerLength = (versionIhl & 0xF) * 4;
    if (headerLength < MIN_HEADER_LENGTH) {
      throw new MalformedPacketException(BAD_HEADER_LENGTH, "IPv4 IHL below 5");
    }
    if (headerLength > length) {
      throw new MalformedPacketException(
          TRUNCATED, "IPv4 header (with options) longer than the buffer");
    }
    int totalLength = Bytes.u16(bs, 2);
    if (totalLength < headerLength) {
      throw new MalformedPacketException(BAD_LENGTH, "IPv4 total length below the header length");
    }
    if (totalLength > length) {
      throw new MalformedPacketException(
          BAD_LENGTH, "IPv4 total length past the end of the buffer");
    }
    // RFC 791 §3.1 "Header Checksum": over the header only, options included.
    if (verifyChecksum && Checksum.fold(Checksum.sum(bs, 0, headerLength, 0)) != 0) {
      throw new MalformedPacketException(BAD_CHECKSUM, "IPv4 header checksum");
    }
    int flagsOffset = Bytes.u16(bs, 6);
    return new Ipv4Packet(
        Bytes.u8(bs, 1),
        Bytes.u16(bs, 4),
        (flagsOffset & FLAG_DF) != 0,
        (flagsOffset & FLAG_MF) != 0,
        flagsOffset & OFFSET_MASK,
        Bytes.u8(bs, 8),
        Bytes.u8(bs, 9),
        Ipv4Address.read(bs, 12),
        Ipv4Address.read(bs, 16),
        bs.slice(headerLength, totalLength));
  }

  /** A 20-byte header with its checksum, then the payload, in one new array ({@link #writeTo}). */
  public ByteString encode() {
    byte[] b = new byte[totalLength()];
    writeTo(b, 0);
    return ByteString.fromArrayUnsafe(b);
  }

  /**
   * Writes the datagram — header (through {@link #writeHeader}) and payload — into {@code dst} at
   * {@code at}.
   *
   * @return {@link #totalLength()}
   */
  public int writeTo(byte[] dst, int at) {
    writeHeader(
        dst,
        at,
        tos,
        identification,
        dontFragment,
        moreFragments,
        fragmentOffset,
        ttl,
        protocol,
        source,
        destination,
        payload.length());
    payload.copyToArray(dst, at + MIN_HEADER_LENGTH, payload.length());
    return totalLength();
  }

  /**
   * An unfragmented datagram with TOS 0: the same bytes as {@code of(src, dst, protocol, ttl,
   * identification, dontFragment, payload).encode()}.
   */
  public static ByteString encode(
      Ipv4Address src,
      Ipv4Address dst,
      int protocol,
      int ttl,
      int identification,
      boolean dontFragment,
      ByteString payload) {
    return of(src, dst, protocol, ttl, identification, dontFragment, payload).encode();
  }

  /**
   * THE emitter of the IPv4 header: 20 bytes (no options) with their checksum into {@code h} at
   * {@code at}, the building block of {@link #encode} and of frames assembled in one array ({@link
   * Ipv4Frame}).
   */
  public static void writeHeader(
      byte[] h,
      int at,
      int tos,
      int identification,
      boolean dontFragment,
      boolean moreFragments,
      int fragmentOffset,
      int ttl,
      int protocol,
      Ipv4Address source,
      Ipv4Address destination,
      int payloadLength) {
    h[at] = (byte) (VERSION << 4 | MIN_HEADER_LENGTH / 4);
    h[at + 1] = (byte) tos;
    Bytes.put16(h, at + 2, MIN_HEADER_LENGTH + payloadLength);
    Bytes.put16(h, at + 4, identification);
    Bytes.put16(
        h, at + 6, (dontFragment ? FLAG_DF : 0) | (moreFragments ? FLAG_MF : 0) | fragmentOffset);
    h[at + 8] = (byte) ttl;
    h[at + 9] = (byte) protocol;
    h[at + 10] = 0;
    h[at + 11] = 0;
    source.writeTo(h, at + 12);
    destination.writeTo(h, at + 16);
    Bytes.put16(h, at + 10, Checksum.fold(Checksum.sum(h, at, MIN_HEADER_LENGTH, 0)));
  }

  private static void checkFields(
      int tos, int identification, int fragmentOffset, int ttl, int protocol) {
    if ((tos & ~0xFF) != 0
        || (identification & ~0xFFFF) != 0
        || (fragmentOffset & ~OFFSET_MASK) != 0
        || (ttl & ~0xFF) != 0
        || (protocol & ~0xFF) != 0) {
      throw new IllegalArgumentException(
          "IPv4 field out of range: tos="
              + tos
              + " identification="
              + identification
              + " fragmentOffset="
              + fragmentOffset
              + " ttl="
              + ttl
              + " protocol="
              + protocol);
    }
  }

  private static void checkPayload(ByteString payload) {
    Objects.requireNonNull(payload, "payload");
    if (payload.length() > MAX_PAYLOAD_LENGTH) {
      throw new IllegalArgumentException(
          "IPv4 payload of " + payload.length() + " bytes exceeds " + MAX_PAYLOAD_LENGTH);
    }
  }
}
