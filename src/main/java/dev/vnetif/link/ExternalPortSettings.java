package dev.vnetif.link;

import java.net.InetSocketAddress;

/**
 * An external port: Ethernet frames exchanged with something outside the JVM as UDP datagrams, one
 * frame per datagram — what socat's {@code TUN,tun-type=tap} bridged to a {@code UDP-DATAGRAM} peer
 * and QEMU's {@code -netdev dgram} speak.
 *
 * @param name label in switch stats and logs
 * @param remote where frames are sent; null to learn it from the first datagram
 * @param mtu the outside link's MTU: frames over mtu + 14 are dropped and counted
 * @param packetInformation each datagram starts with the 4-byte packet-information header of a
 *     TUN/TAP device opened without {@code IFF_NO_PI} (flags, protocol)
 */
public record ExternalPortSettings(
    String name, InetSocketAddress remote, int mtu, boolean packetInformation) {
  public ExternalPortSettings {
    if (mtu < 68 || mtu > 65535) {
      throw new IllegalArgumentException("external port mtu must be within 68..65535, got " + mtu);
    }
    if (remote != null && remote.isUnresolved()) {
      throw new IllegalArgumentException("external port remote must be resolved, got " + remote);
    }
  }

  /** Largest Ethernet frame the port passes. */
  public int maxFrameSize() {
    return mtu + 14;
  }
}
