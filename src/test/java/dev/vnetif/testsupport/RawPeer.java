package dev.vnetif.testsupport;

import dev.vnetif.RawPort;
import dev.vnetif.time.VirtualTime;
import dev.vnetif.wire.ArpPacket;
import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.Ipv4Packet;
import dev.vnetif.wire.MacAddress;
import dev.vnetif.wire.MalformedPacketException;
import dev.vnetif.wire.TcpSegment;
import java.time.Duration;
import org.apache.pekko.util.ByteString;

/**
 * A scripted host on a {@link RawPort}: it owns an IPv4 address, answers ARP requests for it while
 * the test waits for traffic, and sends hand-built IPv4 datagrams — the way packetdrill or mirage's
 * RFC 5961 tests play the peer.
 *
 * <p>On a network in virtual time, give it the {@link VirtualTime}: its waits then let virtual time
 * pass (in {@link #VIRTUAL_STEP}s) instead of wall time, and {@link #arrivedAt()} tells the virtual
 * instant the last datagram was taken, to the step.
 */
public final class RawPeer {
  /** How far virtual time moves between two looks at the port while waiting. */
  public static final Duration VIRTUAL_STEP = Duration.ofMillis(1);

  private final RawPort port;
  private final Ipv4Address address;
  private final VirtualTime time;
  private int identification = 1;
  private Duration arrivedAt;

  public RawPeer(RawPort port, Ipv4Address address) {
    this(port, address, null);
  }

  /** A peer whose waits run in {@code time} (null: real time). */
  public RawPeer(RawPort port, Ipv4Address address, VirtualTime time) {
    this.port = port;
    this.address = address;
    this.time = time;
  }

  /** Virtual time when the last datagram was taken from the port (virtual-time peers only). */
  public Duration arrivedAt() {
    return arrivedAt;
  }

  public Ipv4Address address() {
    return address;
  }

  public MacAddress mac() {
    return port.mac();
  }

  /** Sends a TCP segment to {@code dst} at {@code dstMac}. */
  public void sendTcp(MacAddress dstMac, Ipv4Address dst, TcpSegment segment) {
    sendIp(dstMac, dst, Ipv4Packet.PROTO_TCP, segment.encode(address, dst));
  }

  /**
   * Sends {@code segments} to {@code dst} as one switch delivery, in order: the host hands them to
   * the flow as one batch, so a test can put, say, an ACK and a RST into the same input.
   */
  public void sendTcpBatch(
      MacAddress dstMac, Ipv4Address dst, java.util.List<TcpSegment> segments) {
    java.util.List<ByteString> frames = new java.util.ArrayList<>();
    for (TcpSegment segment : segments) {
      Ipv4Packet packet =
          Ipv4Packet.of(
              address,
              dst,
              Ipv4Packet.PROTO_TCP,
              64,
              identification++,
              true,
              segment.encode(address, dst));
      frames.add(
          EthernetFrame.encode(dstMac, port.mac(), EthernetFrame.ETHERTYPE_IPV4, packet.encode()));
    }
    port.send(frames);
  }

  public void sendIp(MacAddress dstMac, Ipv4Address dst, int protocol, ByteString transport) {
    sendDatagram(
        dstMac, Ipv4Packet.of(address, dst, protocol, 64, identification++, true, transport));
  }

  /** Sends {@code packet} exactly as given (flags, fragment offset, source) to {@code dstMac}. */
  public void sendDatagram(MacAddress dstMac, Ipv4Packet packet) {
    port.send(
        EthernetFrame.encode(dstMac, port.mac(), EthernetFrame.ETHERTYPE_IPV4, packet.encode()));
  }

  /**
   * The next IPv4 datagram addressed to this peer, answering ARP requests for its address on the
   * way; null when none arrives within {@code timeout}.
   */
  public Ipv4Packet nextDatagram(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Duration virtualDeadline = time == null ? null : time.now().plus(timeout);
    while (true) {
      ByteString bytes;
      if (time == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        bytes = port.poll(Duration.ofNanos(left));
        if (bytes == null) {
          return null;
        }
      } else {
        bytes = nextFrameInVirtualTime(virtualDeadline);
        if (bytes == null) {
          return null;
        }
      }
      try {
        EthernetFrame frame = EthernetFrame.parse(bytes);
        if (frame.etherType() == EthernetFrame.ETHERTYPE_ARP) {
          answerArp(ArpPacket.parse(frame.payload()));
        } else if (frame.etherType() == EthernetFrame.ETHERTYPE_IPV4) {
          Ipv4Packet packet = Ipv4Packet.parse(frame.payload(), true);
          if (packet.destination().equals(address)) {
            return packet;
          }
        }
      } catch (MalformedPacketException e) {
        throw new AssertionError("the stack sent a malformed frame: " + e.getMessage(), e);
      }
    }
  }

  /**
   * The next frame delivered by {@code deadline} of virtual time: what the simulation delivers at
   * this instant first, then time moves on a step at a time. Null past the deadline.
   */
  private ByteString nextFrameInVirtualTime(Duration deadline) throws InterruptedException {
    while (true) {
      time.runUntilIdle();
      ByteString bytes = port.poll(Duration.ZERO);
      if (bytes != null) {
        arrivedAt = time.now();
        return bytes;
      }
      Duration left = deadline.minus(time.now());
      if (left.isNegative() || left.isZero()) {
        return null;
      }
      time.advance(left.compareTo(VIRTUAL_STEP) < 0 ? left : VIRTUAL_STEP);
    }
  }

  /** The next TCP segment for this peer (checksum verified), or null after {@code timeout}. */
  public TcpSegment nextTcp(Duration timeout) throws InterruptedException {
    Ipv4Packet packet = nextDatagram(timeout);
    if (packet == null) {
      return null;
    }
    try {
      return TcpSegment.parse(packet.payload(), packet.source(), packet.destination(), true);
    } catch (MalformedPacketException e) {
      throw new AssertionError("the stack sent a malformed TCP segment: " + e.getMessage(), e);
    }
  }

  private void answerArp(ArpPacket arp) {
    if (arp.isRequest() && arp.targetIp().equals(address)) {
      port.send(
          EthernetFrame.encode(
              arp.senderMac(),
              port.mac(),
              EthernetFrame.ETHERTYPE_ARP,
              ArpPacket.reply(port.mac(), address, arp.senderMac(), arp.senderIp()).encode()));
    }
  }
}
