package dev.vnetif;

import dev.vnetif.link.TappedFrame;
import dev.vnetif.wire.ArpPacket;
import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.IcmpPacket;
import dev.vnetif.wire.Ipv4Packet;
import dev.vnetif.wire.MalformedPacketException;
import dev.vnetif.wire.TcpSegment;
import dev.vnetif.wire.UdpPacket;
import java.time.Instant;
import java.util.Optional;
import org.apache.pekko.util.ByteString;

/**
 * One frame the switch forwarded, as a listener sees it: the raw bytes, where it came in, when, and
 * parsed views computed on demand. A view is empty when the frame does not carry that protocol or
 * does not parse (checksums are not verified here: listeners see the wire).
 */
public final class Frame {
  private final TappedFrame tapped;

  Frame(TappedFrame tapped) {
    this.tapped = tapped;
  }

  public ByteString bytes() {
    return tapped.bytes();
  }

  /** The switch port the frame came in on. */
  public int ingressPort() {
    return tapped.ingressPort();
  }

  /** The name of the host (or raw port) that sent it. */
  public String ingressHost() {
    return tapped.ingressName();
  }

  /** When the switch forwarded it, in nanoseconds since the Unix epoch. */
  public long epochNanos() {
    return tapped.epochNanos();
  }

  public Instant timestamp() {
    return Instant.ofEpochSecond(0, tapped.epochNanos());
  }

  public Optional<EthernetFrame> ethernet() {
    try {
      return Optional.of(EthernetFrame.parse(tapped.bytes()));
    } catch (MalformedPacketException e) {
      return Optional.empty();
    }
  }

  public Optional<ArpPacket> arp() {
    return ethernet()
        .filter(e -> e.etherType() == EthernetFrame.ETHERTYPE_ARP)
        .flatMap(e -> parse(() -> ArpPacket.parse(e.payload())));
  }

  public Optional<Ipv4Packet> ipv4() {
    return ethernet()
        .filter(e -> e.etherType() == EthernetFrame.ETHERTYPE_IPV4)
        .flatMap(e -> parse(() -> Ipv4Packet.parse(e.payload(), false)));
  }

  public Optional<IcmpPacket> icmp() {
    return ipv4()
        .filter(ip -> ip.protocol() == Ipv4Packet.PROTO_ICMP && !ip.isFragment())
        .flatMap(ip -> parse(() -> IcmpPacket.parse(ip.payload(), false)));
  }

  public Optional<UdpPacket> udp() {
    return ipv4()
        .filter(ip -> ip.protocol() == Ipv4Packet.PROTO_UDP && !ip.isFragment())
        .flatMap(
            ip -> parse(() -> UdpPacket.parse(ip.payload(), ip.source(), ip.destination(), false)));
  }

  public Optional<TcpSegment> tcp() {
    return ipv4()
        .filter(ip -> ip.protocol() == Ipv4Packet.PROTO_TCP && !ip.isFragment())
        .flatMap(
            ip ->
                parse(() -> TcpSegment.parse(ip.payload(), ip.source(), ip.destination(), false)));
  }

  private interface Parser<T> {
    T parse() throws MalformedPacketException;
  }

  private static <T> Optional<T> parse(Parser<T> parser) {
    try {
      return Optional.of(parser.parse());
    } catch (MalformedPacketException e) {
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return "Frame[port "
        + tapped.ingressPort()
        + " ("
        + tapped.ingressName()
        + "), "
        + tapped.bytes().length()
        + " bytes]";
  }
}
