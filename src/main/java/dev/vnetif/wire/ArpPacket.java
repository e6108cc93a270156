package dev.vnetif.wire;

import static dev.vnetif.wire.MalformedPacketException.Reason.TRUNCATED;
import static dev.vnetif.wire.MalformedPacketException.Reason.UNSUPPORTED;

import java.util.Objects;
import org.apache.pekko.util.ByteString;

/**
 * An ARP packet for IPv4 over Ethernet (RFC 826): hardware type 1, protocol type 0x0800, six-byte
 * hardware and four-byte protocol addresses. Other combinations are not this stack's business and
 * are rejected as UNSUPPORTED.
 *
 * @param operation {@link #OP_REQUEST} or {@link #OP_REPLY}
 * @param senderMac sender hardware address
 * @param senderIp sender protocol address
 * @param targetMac target hardware address ({@link MacAddress#ZERO} in a request)
 * @param targetIp target protocol address
 */
public record ArpPacket(
    int operation,
    MacAddress senderMac,
    Ipv4Address senderIp,
    MacAddress targetMac,
    Ipv4Address targetIp) {

  public static final int OP_REQUEST = 1;
  public static final int OP_REPLY = 2;

  /** Length of an Ethernet/IPv4 ARP packet; the frame may carry padding after it. */
  public static final int LENGTH = 28;

  private static final int HTYPE_ETHERNET = 1;

  /**
   * @throws IllegalArgumentException if the operation is neither request nor reply
   */
  public ArpPacket {
    if (operation != OP_REQUEST && operation != OP_REPLY) {
      throw new IllegalArgumentException(
          "ARP operation must be 1 (request) or 2 (reply): " + operation);
    }
    Objects.requireNonNull(senderMac, "senderMac");
    Objects.requireNonNull(senderIp, "senderIp");
    Objects.requireNonNull(targetMac, "targetMac");
    Objects.requireNonNull(targetIp, "targetIp");
  }

  /** "Who has {@code targetIp}? Tell {@code senderIp}": the target MAC is zero. */
  public static ArpPacket request(
      MacAddress senderMac, Ipv4Address senderIp, Ipv4Address targetIp) {
    return new ArpPacket(OP_REQUEST, senderMac, senderIp, MacAddress.ZERO, targetIp);
  }

  /** "{@code senderIp} is at {@code senderMac}", addressed to the asker. */
  public static ArpPacket reply(
      MacAddress senderMac, Ipv4Address senderIp, MacAddress targetMac, Ipv4Address targetIp) {
    return new ArpPacket(OP_REPLY, senderMac, senderIp, targetMac, targetIp);
  }

  /** The reply to this request from the owner of its target IP (RFC 826 "Packet Reception"). */
  public ArpPacket replyFrom(MacAddress ownerMac) {
    return reply(ownerMac, targetIp, senderMac, senderIp);
  }

  /**
   * A gratuitous ARP announcing {@code ip} (RFC 5227 §3): a request whose sender and target IP are
   * both {@code ip}, so every cache holding {@code ip} updates its entry.
   */
  public static ArpPacket gratuitous(MacAddress mac, Ipv4Address ip) {
    return new ArpPacket(OP_REQUEST, mac, ip, MacAddress.ZERO, ip);
  }

  public boolean isRequest() {
    return operation == OP_REQUEST;
  }

  public boolean isReply() {
    return operation == OP_REPLY;
  }

  /** True when sender and target IP are the same (an announcement, RFC 5227 §3). */
  public boolean isGratuitous() {
    return senderIp.equals(targetIp);
  }

  /**
   * Reads the first 28 bytes of {@code bs}; Ethernet padding after them is ignored.
   *
   * @throws MalformedPacketException TRUNCATED below 28 bytes; UNSUPPORTED for anything but
   *     Ethernet/IPv4 addresses or an operation other than 1 or 2
   */
  public static ArpPacket parse(ByteString bs) throws MalformedPacketException {
    if (bs.length() < LENGTH) {
      throw new MalformedPacketException(TRUNCATED, "ARP packet shorter than 28 bytes");
    }
    // RFC 826 "Packet format": ar$hrd, ar$pro, ar$hln, ar$pln, ar$op.
    if (Bytes.u16(bs, 0) != HTYPE_ETHERNET
        || Bytes.u16(bs, 2) != EthernetFrame.ETHERTYPE_IPV4
        || Bytes.u8(bs, 4) != 6
        || Bytes.u8(bs, 5) != 4) {
      throw new MalformedPacketException(UNSUPPORTED, "ARP for other than Ethernet/IPv4");
    }
    int operation = Bytes.u16(bs, 6);
    if (operation != OP_REQUEST && operation != OP_REPLY) {
      throw new MalformedPacketException(UNSUPPORTED, "ARP operation other than request or reply");
    }
    return new ArpPacket(
        operation,
        MacAddress.read(bs, 8),
        Ipv4Address.read(bs, 14),
        MacAddress.read(bs, 18),
        Ipv4Address.read(bs, 24));
  }

  /** The 28 bytes of the packet ({@link #writeTo}). */
  public ByteString encode() {
    byte[] b = new byte[LENGTH];
    writeTo(b, 0);
    return ByteString.fromArrayUnsafe(b);
  }

  /** THE emitter of an ARP packet: its 28 bytes into {@code b} at {@code at}. */
  public void writeTo(byte[] b, int at) {
    Bytes.put16(b, at, HTYPE_ETHERNET);
    Bytes.put16(b, at + 2, EthernetFrame.ETHERTYPE_IPV4);
    b[at + 4] = 6;
    b[at + 5] = 4;
    Bytes.put16(b, at + 6, operation);
    senderMac.writeTo(b, at + 8);
    senderIp.writeTo(b, at + 14);
    targetMac.writeTo(b, at + 18);
    targetIp.writeTo(b, at + 24);
  }
}
