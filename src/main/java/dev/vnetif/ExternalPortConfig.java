package dev.vnetif;

import java.net.InetSocketAddress;

/**
 * An external port of the switch: frames exchanged with a TAP device (through socat) or a VM (QEMU
 * {@code -netdev dgram}) as UDP datagrams, one frame per datagram.
 *
 * @param local where the port listens (port 0 picks one)
 * @param remote where frames go; null to learn it from the first datagram
 * @param mtu the outside link's MTU (frames over MTU + 14 are dropped, counted)
 * @param packetInformation datagrams carry the 4-byte TUN/TAP packet-information header (socat's
 *     TAP without {@code iff-no-pi})
 * @param name the port's name in switch stats and frame taps
 */
public record ExternalPortConfig(
    InetSocketAddress local,
    InetSocketAddress remote,
    int mtu,
    boolean packetInformation,
    String name) {
  public ExternalPortConfig {
    if (local == null || local.isUnresolved()) {
      throw new IllegalArgumentException("local address must be resolved, got " + local);
    }
    if (mtu < 68 || mtu > 65535) {
      throw new IllegalArgumentException("mtu must be within 68..65535, got " + mtu);
    }
  }

  /** MTU 1500, frames without packet information, named "external". */
  public static ExternalPortConfig of(InetSocketAddress local, InetSocketAddress remote) {
    return new ExternalPortConfig(local, remote, 1500, false, "external");
  }

  public ExternalPortConfig withMtu(int value) {
    return new ExternalPortConfig(local, remote, value, packetInformation, name);
  }

  public ExternalPortConfig withPacketInformation(boolean on) {
    return new ExternalPortConfig(local, remote, mtu, on, name);
  }

  public ExternalPortConfig withName(String value) {
    return new ExternalPortConfig(local, remote, mtu, packetInformation, value);
  }
}
