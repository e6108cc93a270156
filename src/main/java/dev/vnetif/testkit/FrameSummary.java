package dev.vnetif.testkit;

import dev.vnetif.Frame;
import dev.vnetif.wire.ArpPacket;
import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.IcmpPacket;
import dev.vnetif.wire.Ipv4Packet;
import dev.vnetif.wire.MalformedPacketException;
import dev.vnetif.wire.TcpSegment;
import dev.vnetif.wire.UdpPacket;
import java.util.List;
import java.util.Locale;
import org.apache.pekko.util.ByteString;

/**
 * One frame as one line of text, the way tshark's summary and tcpdump read, for failure messages:
 *
 * <pre>
 *     1 0.000000 10.0.0.2 ARP who-has 10.0.0.3 tell 10.0.0.2
 *     2 0.004895 10.0.0.3 ARP 10.0.0.3 is-at 8e:a1:65:8e:ec:67
 *     3 0.005471 10.0.0.2 10.0.0.2:55447 &gt; 10.0.0.3:80 TCP [S] seq 2224273493 win 65535 len 0 [mss=1460,ws=3]
 *     4 0.008087 10.0.0.3 10.0.0.3:80 &gt; 10.0.0.2:55447 TCP [S.] seq 3601209413 ack 2224273494 win 65535 len 0 [mss=1460,ws=3]
 *     6 0.026409 10.0.0.2 10.0.0.2 &gt; 10.0.0.3 ICMP echo request id 26210 seq 1 len 56
 *     9 0.031002 10.0.0.3 10.0.0.3:7 &gt; 10.0.0.2:5000 UDP len 5
 * </pre>
 *
 * Columns: the frame's number, its time in seconds relative to a reference (the first frame a probe
 * saw, as tshark's), the host (or port) it came from when known, then the summary. Sequence and
 * acknowledgment numbers are absolute (unsigned), not tshark's relative ones: scripted tests assert
 * exact values. The acknowledgment number is shown only with the ACK bit, as tcpdump does. A frame
 * that does not parse says why, with its length. Checksums are not verified here.
 */
public final class FrameSummary {
  private FrameSummary() {}

  /** The summary of a frame's bytes, without number, time or origin. */
  public static String of(ByteString frame) {
    EthernetFrame ethernet;
    try {
      ethernet = EthernetFrame.parse(frame);
    } catch (MalformedPacketException e) {
      return "malformed Ethernet frame of " + frame.length() + " bytes (" + e.getMessage() + ")";
    }
    try {
      return switch (ethernet.etherType()) {
        case EthernetFrame.ETHERTYPE_ARP -> arp(ArpPacket.parse(ethernet.payload()));
        case EthernetFrame.ETHERTYPE_IPV4 -> ipv4(Ipv4Packet.parse(ethernet.payload(), false));
        default ->
            String.format(
                Locale.ROOT,
                "%s > %s ethertype 0x%04x len %d",
                ethernet.source(),
                ethernet.destination(),
                ethernet.etherType(),
                ethernet.payload().length());
      };
    } catch (MalformedPacketException e) {
      return String.format(
          Locale.ROOT,
          "%s > %s malformed (ethertype 0x%04x, %d bytes): %s",
          ethernet.source(),
          ethernet.destination(),
          ethernet.etherType(),
          frame.length(),
          e.getMessage());
    }
  }

  /** The summary of a tapped frame. */
  public static String of(Frame frame) {
    return of(frame.bytes());
  }

  /**
   * One numbered, timed line: {@code number}, the time since {@code referenceNanos} in seconds with
   * microseconds, {@code origin} (may be empty), the summary.
   */
  public static String line(int number, long nanos, long referenceNanos, String origin, String s) {
    long relative = nanos - referenceNanos;
    String sign = relative < 0 ? "-" : "";
    long abs = Math.abs(relative);
    return String.format(
        Locale.ROOT,
        origin.isEmpty() ? "%5d %s%d.%06d %s%s" : "%5d %s%d.%06d %-8s %s",
        number,
        sign,
        abs / 1_000_000_000L,
        abs % 1_000_000_000L / 1_000L,
        origin,
        s);
  }

  /** Lines joined with newlines, each indented by two spaces; "(none)" for no lines. */
  public static String block(List<String> lines) {
    return lines.isEmpty() ? "  (none)" : "  " + String.join("\n  ", lines);
  }

  private static String arp(ArpPacket arp) {
    if (arp.isRequest()) {
      return "ARP who-has "
          + arp.targetIp()
          + " tell "
          + arp.senderIp()
          + (arp.isGratuitous() ? " (gratuitous)" : "");
    }
    return "ARP " + arp.senderIp() + " is-at " + arp.senderMac();
  }

  private static String ipv4(Ipv4Packet ip) throws MalformedPacketException {
    if (ip.isFragment()) {
      return String.format(
          Locale.ROOT,
          "%s > %s IPv4 fragment proto %d id %d offset %d%s len %d",
          ip.source(),
          ip.destination(),
          ip.protocol(),
          ip.identification(),
          ip.fragmentOffset() * 8,
          ip.moreFragments() ? " MF" : "",
          ip.payload().length());
    }
    return switch (ip.protocol()) {
      case Ipv4Packet.PROTO_TCP ->
          tcp(ip, TcpSegment.parse(ip.payload(), ip.source(), ip.destination(), false));
      case Ipv4Packet.PROTO_UDP -> {
        UdpPacket udp = UdpPacket.parse(ip.payload(), ip.source(), ip.destination(), false);
        yield String.format(
            Locale.ROOT,
            "%s:%d > %s:%d UDP len %d",
            ip.source(),
            udp.sourcePort(),
            ip.destination(),
            udp.destinationPort(),
            udp.payload().length());
      }
      case Ipv4Packet.PROTO_ICMP ->
          ip.source()
              + " > "
              + ip.destination()
              + " "
              + icmp(IcmpPacket.parse(ip.payload(), false));
      default ->
          String.format(
              Locale.ROOT,
              "%s > %s IPv4 proto %d len %d",
              ip.source(),
              ip.destination(),
              ip.protocol(),
              ip.payload().length());
    };
  }

  private static String tcp(Ipv4Packet ip, TcpSegment segment) {
    StringBuilder text =
        new StringBuilder()
            .append(ip.source())
            .append(':')
            .append(segment.sourcePort())
            .append(" > ")
            .append(ip.destination())
            .append(':')
            .append(segment.destinationPort())
            .append(" TCP ")
            .append(TcpFlags.format(segment.flags()))
            .append(" seq ")
            .append(Integer.toUnsignedString(segment.seq()));
    if (segment.isAck()) {
      text.append(" ack ").append(Integer.toUnsignedString(segment.ack()));
    }
    text.append(" win ")
        .append(segment.window())
        .append(" len ")
        .append(segment.payload().length());
    if (!segment.options().isEmpty()) {
      text.append(' ').append(segment.options());
    }
    return text.toString();
  }

  private static String icmp(IcmpPacket icmp) {
    if (icmp.isEchoRequest() || icmp.isEchoReply()) {
      return String.format(
          Locale.ROOT,
          "ICMP echo %s id %d seq %d len %d",
          icmp.isEchoRequest() ? "request" : "reply",
          icmp.identifier(),
          icmp.sequence(),
          icmp.payload().length());
    }
    String kind =
        switch (icmp.type()) {
          case IcmpPacket.TYPE_DEST_UNREACHABLE -> "destination unreachable";
          case IcmpPacket.TYPE_TIME_EXCEEDED -> "time exceeded";
          default -> "type " + icmp.type();
        };
    return "ICMP " + kind + " code " + icmp.code();
  }
}
