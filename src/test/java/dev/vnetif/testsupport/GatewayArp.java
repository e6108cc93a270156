package dev.vnetif.testsupport;

import dev.vnetif.RawPort;
import dev.vnetif.wire.ArpPacket;
import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.Ipv4Packet;
import dev.vnetif.wire.MalformedPacketException;
import org.apache.pekko.util.ByteString;

/**
 * A {@link RawPort} standing in for a host's default gateway, as the SYN-flood tests use it: it
 * answers ARP requests for the gateway's address, so the host sends off-link traffic to the port,
 * and hands back the IPv4 packets it receives for the test to judge.
 */
public final class GatewayArp {
  private GatewayArp() {}

  /**
   * Takes one frame the port received: an ARP request for {@code gateway} is answered from the
   * port's MAC; returns the IPv4 packet the frame carries, or null for any other frame.
   *
   * @throws MalformedPacketException if the frame does not parse
   */
  public static Ipv4Packet answer(RawPort router, ByteString frame, Ipv4Address gateway)
      throws MalformedPacketException {
    EthernetFrame ethernet = EthernetFrame.parse(frame);
    if (ethernet.etherType() == EthernetFrame.ETHERTYPE_ARP) {
      ArpPacket arp = ArpPacket.parse(ethernet.payload());
      if (arp.isRequest() && arp.targetIp().equals(gateway)) {
        router.send(
            EthernetFrame.encode(
                arp.senderMac(),
                router.mac(),
                EthernetFrame.ETHERTYPE_ARP,
                arp.replyFrom(router.mac()).encode()));
      }
      return null;
    }
    return ethernet.etherType() == EthernetFrame.ETHERTYPE_IPV4
        ? Ipv4Packet.parse(ethernet.payload(), false)
        : null;
  }
}
