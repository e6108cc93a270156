package dev.vnetif.stack;

import dev.vnetif.link.NetworkClock;
import dev.vnetif.tcp.TcpConfig;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.Ipv4Cidr;
import dev.vnetif.wire.MacAddress;

/**
 * Everything a {@link StackActor} needs to start, already validated.
 *
 * @param name a label for logs, port names and pcap comments
 * @param cidr the host's address and on-link prefix
 * @param gateway next hop for off-link destinations, or null for none
 * @param mtu largest IPv4 datagram the host sends (RFC 791/1122)
 * @param ttl time-to-live of the datagrams it originates
 * @param verifyChecksums false when checksum verification is declared offloaded
 * @param arp ARP behaviour
 * @param seed drives this host's ephemeral ports and ICMP identifiers
 * @param clock the network's time source
 * @param tcp TCP settings of every connection (MSS = MTU − 40)
 * @param synBacklog half-open connections a listener holds at most (RFC 4987)
 * @param ephemeralLow first local port of outgoing connections (RFC 6056)
 * @param ephemeralHigh last local port of outgoing connections
 * @param mac the MAC to attach with, or null for one the switch draws from the seed (a host that
 *     restarts after a crash keeps its MAC, as a rebooted machine keeps its NIC)
 */
public record HostSettings(
    String name,
    Ipv4Cidr cidr,
    Ipv4Address gateway,
    int mtu,
    int ttl,
    boolean verifyChecksums,
    ArpSettings arp,
    long seed,
    NetworkClock clock,
    TcpConfig tcp,
    int synBacklog,
    int ephemeralLow,
    int ephemeralHigh,
    MacAddress mac) {

  /** The smallest MTU an IPv4 host must accept (RFC 791: 68 octets). */
  public static final int MIN_MTU = 68;

  public HostSettings {
    if (mtu < MIN_MTU || mtu > 65535) {
      throw new IllegalArgumentException("mtu must be within " + MIN_MTU + "..65535, got " + mtu);
    }
    if (ttl < 1 || ttl > 255) {
      throw new IllegalArgumentException("ttl must be within 1..255, got " + ttl);
    }
    if (ephemeralLow < 1 || ephemeralHigh > 65535 || ephemeralLow > ephemeralHigh) {
      throw new IllegalArgumentException(
          "ephemeral ports must satisfy 1 <= low <= high <= 65535,"
              + " got "
              + ephemeralLow
              + ".."
              + ephemeralHigh);
    }
    if (synBacklog < 1) {
      throw new IllegalArgumentException("syn backlog must be >= 1, got " + synBacklog);
    }
    if (gateway != null && !cidr.contains(gateway)) {
      throw new IllegalArgumentException(
          "gateway " + gateway + " is not on the host's network " + cidr);
    }
  }

  /** Settings with a MAC drawn by the switch. */
  public HostSettings(
      String name,
      Ipv4Cidr cidr,
      Ipv4Address gateway,
      int mtu,
      int ttl,
      boolean verifyChecksums,
      ArpSettings arp,
      long seed,
      NetworkClock clock,
      TcpConfig tcp,
      int synBacklog,
      int ephemeralLow,
      int ephemeralHigh) {
    this(
        name,
        cidr,
        gateway,
        mtu,
        ttl,
        verifyChecksums,
        arp,
        seed,
        clock,
        tcp,
        synBacklog,
        ephemeralLow,
        ephemeralHigh,
        null);
  }

  public Ipv4Address address() {
    return cidr.address();
  }

  /**
   * The same host after a restart: same address and MAC, a fresh seed (so fresh initial sequence
   * numbers and ports, as a rebooted machine has).
   */
  public HostSettings restarted(long newSeed, MacAddress keptMac) {
    return new HostSettings(
        name,
        cidr,
        gateway,
        mtu,
        ttl,
        verifyChecksums,
        arp,
        newSeed,
        clock,
        tcp,
        synBacklog,
        ephemeralLow,
        ephemeralHigh,
        keptMac);
  }
}
