package dev.vnetif.testkit;

import dev.vnetif.Frame;
import dev.vnetif.Stack;
import dev.vnetif.wire.ArpPacket;
import dev.vnetif.wire.IcmpPacket;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.Ipv4Packet;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A test on a frame with the words that say what it looks for, so that a failed expectation can say
 * what it expected: {@code TCP 10.0.0.2:* > 10.0.0.3:80 [S]}. The factories cover what {@link
 * SwitchProbe} expects; {@link #of} makes any other.
 *
 * <p>Endpoints: an {@link InetSocketAddress} with port 0 matches any port ({@link #anyPort(Stack)}
 * makes one for a host), and its address must be an IPv4 address.
 *
 * @param description what a matching frame is, in the words of {@link FrameSummary}
 * @param predicate the test
 */
public record FrameMatcher(String description, Predicate<Frame> predicate)
    implements Predicate<Frame> {

  /** Every ARP frame. */
  public static final FrameMatcher ARP = new FrameMatcher("ARP", f -> f.arp().isPresent());

  /** Every frame. */
  public static final FrameMatcher ANY = new FrameMatcher("any frame", f -> true);

  public FrameMatcher {
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(predicate, "predicate");
  }

  /** A matcher from a predicate and the words for it. */
  public static FrameMatcher of(String description, Predicate<Frame> predicate) {
    return new FrameMatcher(description, predicate);
  }

  @Override
  public boolean test(Frame frame) {
    return predicate.test(frame);
  }

  /** Frames this or {@code other} matches. */
  public FrameMatcher or(FrameMatcher other) {
    return new FrameMatcher(
        description + " or " + other.description, predicate.or(other.predicate));
  }

  /** The host's address with port 0: any port of it. */
  public static InetSocketAddress anyPort(Stack host) {
    return new InetSocketAddress(host.address(), 0);
  }

  /**
   * A TCP segment from {@code from} to {@code to} with exactly the flags of {@code flags} (a {@link
   * TcpFlags} spec such as {@code "SA"}).
   */
  public static FrameMatcher tcp(InetSocketAddress from, InetSocketAddress to, String flags) {
    Endpoint source = Endpoint.of(from);
    Endpoint destination = Endpoint.of(to);
    int bits = TcpFlags.parse(flags);
    return new FrameMatcher(
        "TCP " + source + " > " + destination + " " + TcpFlags.format(bits),
        frame ->
            ip(frame)
                .filter(ip -> source.address.equals(ip.source()))
                .filter(ip -> destination.address.equals(ip.destination()))
                .flatMap(ip -> frame.tcp())
                .filter(tcp -> source.matchesPort(tcp.sourcePort()))
                .filter(tcp -> destination.matchesPort(tcp.destinationPort()))
                .filter(tcp -> tcp.flags() == bits)
                .isPresent());
  }

  /** A UDP datagram from {@code from} to {@code to}. */
  public static FrameMatcher udp(InetSocketAddress from, InetSocketAddress to) {
    Endpoint source = Endpoint.of(from);
    Endpoint destination = Endpoint.of(to);
    return new FrameMatcher(
        "UDP " + source + " > " + destination,
        frame ->
            ip(frame)
                .filter(ip -> source.address.equals(ip.source()))
                .filter(ip -> destination.address.equals(ip.destination()))
                .flatMap(ip -> frame.udp())
                .filter(udp -> source.matchesPort(udp.sourcePort()))
                .filter(udp -> destination.matchesPort(udp.destinationPort()))
                .isPresent());
  }

  /** "Who has {@code target}? Tell {@code sender}." */
  public static FrameMatcher arpRequest(Inet4Address sender, Inet4Address target) {
    Ipv4Address who = Ipv4Address.fromInet(sender);
    Ipv4Address wanted = Ipv4Address.fromInet(target);
    return new FrameMatcher(
        "ARP who-has " + wanted + " tell " + who,
        frame ->
            frame
                .arp()
                .filter(ArpPacket::isRequest)
                .filter(arp -> arp.senderIp().equals(who) && arp.targetIp().equals(wanted))
                .isPresent());
  }

  /** {@code sender} answers {@code target}'s request: "{@code sender} is at (its MAC)". */
  public static FrameMatcher arpReply(Inet4Address sender, Inet4Address target) {
    Ipv4Address owner = Ipv4Address.fromInet(sender);
    Ipv4Address asker = Ipv4Address.fromInet(target);
    return new FrameMatcher(
        "ARP " + owner + " is-at (its MAC), to " + asker,
        frame ->
            frame
                .arp()
                .filter(ArpPacket::isReply)
                .filter(arp -> arp.senderIp().equals(owner) && arp.targetIp().equals(asker))
                .isPresent());
  }

  /** An ICMP echo request ({@code request} true) or reply from {@code from} to {@code to}. */
  public static FrameMatcher icmpEcho(Inet4Address from, Inet4Address to, boolean request) {
    Ipv4Address source = Ipv4Address.fromInet(from);
    Ipv4Address destination = Ipv4Address.fromInet(to);
    return new FrameMatcher(
        source + " > " + destination + " ICMP echo " + (request ? "request" : "reply"),
        frame ->
            ip(frame)
                .filter(ip -> ip.source().equals(source) && ip.destination().equals(destination))
                .flatMap(ip -> frame.icmp())
                .filter(request ? IcmpPacket::isEchoRequest : IcmpPacket::isEchoReply)
                .isPresent());
  }

  private static Optional<Ipv4Packet> ip(Frame frame) {
    return frame.ipv4().filter(ip -> !ip.isFragment());
  }

  /** One end of a TCP or UDP exchange; port 0 is any port. */
  private record Endpoint(Ipv4Address address, int port) {
    static Endpoint of(InetSocketAddress socket) {
      Objects.requireNonNull(socket, "endpoint");
      if (!(socket.getAddress() instanceof Inet4Address inet)) {
        throw new IllegalArgumentException("not an IPv4 endpoint: " + socket);
      }
      return new Endpoint(Ipv4Address.fromInet(inet), socket.getPort());
    }

    boolean matchesPort(int actual) {
      return port == 0 || port == actual;
    }

    @Override
    public String toString() {
      return address + ":" + (port == 0 ? "*" : Integer.toString(port));
    }
  }
}
