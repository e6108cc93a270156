package dev.vnetif.wire;

import static dev.vnetif.wire.MalformedPacketException.Reason.TRUNCATED;
import static dev.vnetif.wire.MalformedPacketException.Reason.UNSUPPORTED;

import java.util.Objects;
import org.apache.pekko.util.ByteString;

/**
 * An Ethernet II frame (DIX / IEEE 802.3 with an EtherType): destination, source, EtherType and
 * payload. No preamble, no FCS, and no padding to the 60-byte minimum: the virtual link carries
 * frames as they are, and every parser above ignores trailing bytes anyway.
 *
 * @param destination the destination MAC
 * @param source the source MAC
 * @param etherType 0x0600..0xFFFF, e.g. {@link #ETHERTYPE_IPV4}
 * @param payload the bytes after the 14-byte header, a slice of the parsed frame
 */
public record EthernetFrame(
    MacAddress destination, MacAddress source, int etherType, ByteString payload) {

  /** IPv4 (RFC 894). */
  public static final int ETHERTYPE_IPV4 = 0x0800;

  /** ARP (RFC 826). */
  public static final int ETHERTYPE_ARP = 0x0806;

  /** Destination, source and EtherType. */
  public static final int HEADER_LENGTH = 14;

  /** IEEE 802.1Q VLAN tag and IEEE 802.1ad service tag, which this stack does not carry. */
  private static final int ETHERTYPE_VLAN = 0x8100;

  private static final int ETHERTYPE_QINQ = 0x88A8;

  /** Values below this are IEEE 802.3 length fields, not EtherTypes. */
  private static final int ETHERTYPE_MIN = 0x0600;

  /**
   * @throws IllegalArgumentException if the EtherType does not fit 16 bits
   */
  public EthernetFrame {
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(payload, "payload");
    if ((etherType & ~0xFFFF) != 0) {
      throw new IllegalArgumentException("EtherType does not fit 16 bits: " + etherType);
    }
  }

  /**
   * Reads a frame; the payload is a slice of {@code bs}, not a copy.
   *
   * @throws MalformedPacketException TRUNCATED below 14 bytes; UNSUPPORTED for VLAN tags and for
   *     802.3 length fields (values below 0x0600)
   */
  public static EthernetFrame parse(ByteString bs) throws MalformedPacketException {
    int length = bs.length();
    if (length < HEADER_LENGTH) {
      throw new MalformedPacketException(TRUNCATED, "Ethernet frame shorter than 14 bytes");
    }
    int etherType = Bytes.u16(bs, 12);
    if (etherType < ETHERTYPE_MIN) {
      throw new MalformedPacketException(
          UNSUPPORTED, "IEEE 802.3 length field instead of an EtherType");
    }
    if (etherType == ETHERTYPE_VLAN || etherType == ETHERTYPE_QINQ) {
      throw new MalformedPacketException(UNSUPPORTED, "VLAN-tagged frame");
    }
    return new EthernetFrame(
        MacAddress.read(bs, 0), MacAddress.read(bs, 6), etherType, bs.slice(HEADER_LENGTH, length));
  }

  /** The destination MAC of a frame of at least 6 bytes as a 48-bit value; never allocates. */
  public static long peekDestination(ByteString frame) {
    return MacAddress.readLong(frame, 0);
  }

  /** The source MAC of a frame of at least 12 bytes as a 48-bit value; never allocates. */
  public static long peekSource(ByteString frame) {
    return MacAddress.readLong(frame, 6);
  }

  /** The EtherType of a frame of at least 14 bytes, unchecked. */
  public static int peekEtherType(ByteString frame) {
    return Bytes.u16(frame, 12);
  }

  /** The 14-byte header followed by the payload, in one new array. */
  public ByteString encode() {
    return encode(destination, source, etherType, payload);
  }

  /** The 14-byte header ({@link #writeHeader}) followed by a copy of {@code payload}. */
  public static ByteString encode(
      MacAddress destination, MacAddress source, int etherType, ByteString payload) {
    byte[] frame = new byte[HEADER_LENGTH + payload.length()];
    writeHeader(frame, 0, destination, source, etherType);
    payload.copyToArray(frame, HEADER_LENGTH, payload.length());
    return ByteString.fromArrayUnsafe(frame);
  }

  /** THE emitter of the Ethernet header: destination, source, EtherType at {@code at}. */
  public static void writeHeader(
      byte[] dst, int at, MacAddress destination, MacAddress source, int etherType) {
    destination.writeTo(dst, at);
    source.writeTo(dst, at + 6);
    Bytes.put16(dst, at + 12, etherType);
  }
}
