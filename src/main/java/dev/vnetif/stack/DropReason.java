package dev.vnetif.stack;

/**
 * Why a host discarded a frame or a packet. Every discarded input is counted under exactly one
 * reason in {@link HostCounters}, so the sum of drops plus what was handled equals what was
 * received.
 */
public enum DropReason {
  /** Shorter than an Ethernet header or an unsupported framing (802.3, VLAN tag). */
  ETHERNET_MALFORMED,
  /** Unicast to another host's MAC (a flooded frame). */
  ETHERNET_NOT_FOR_US,
  /** An EtherType the host does not speak. */
  ETHERNET_UNKNOWN_TYPE,
  ARP_MALFORMED,
  /** A request for another host's address, or a reply nobody asked about. */
  ARP_NOT_FOR_US,
  IPV4_MALFORMED,
  IPV4_BAD_CHECKSUM,
  /** Addressed to another host (this host does not route). */
  IPV4_NOT_FOR_US,
  /** Fragments are not reassembled yet: counted and dropped. */
  IPV4_FRAGMENT,
  IPV4_UNKNOWN_PROTOCOL,
  ICMP_MALFORMED,
  ICMP_BAD_CHECKSUM,
  /** An ICMP type the host does not act on, or an echo reply for no pending ping. */
  ICMP_IGNORED,
  UDP_MALFORMED,
  UDP_BAD_CHECKSUM,
  /** No listener on the port; answered with ICMP port unreachable unless broadcast. */
  UDP_PORT_CLOSED,
  TCP_MALFORMED,
  TCP_BAD_CHECKSUM,
  /** No connection or listener for the segment; answered with RST (RFC 9293 §3.10.7.1). */
  TCP_PORT_CLOSED,
  /**
   * A SYN for a listener whose backlog of half-open connections is full (RFC 4987), with SYN
   * cookies off ({@code vnetif.tcp.syn-cookies}); with them on it is answered with a cookie.
   */
  TCP_BACKLOG_FULL,
  /** A TCP segment to a broadcast address (TCP is unicast only). */
  TCP_NOT_UNICAST,
  /** Outgoing: more packets waited for an ARP answer than the queue holds. */
  ARP_QUEUE_OVERFLOW,
  /** Outgoing: the next hop never answered ARP. */
  ARP_UNRESOLVED,
  /** Outgoing: no on-link route and no gateway. */
  NO_ROUTE,
  /** Outgoing: larger than the MTU (fragmentation is not done). */
  TOO_BIG,
  /**
   * A SYN that reached a listener while a connection for its 4-tuple was still open there: a
   * retransmitted SYN racing the new flow's registration with the host. The flow answers the next
   * one.
   */
  TCP_SYN_FOR_OPEN_FLOW,
  /** A SYN that reached a listener after unlisten (it was on its way when the port closed). */
  TCP_SYN_AFTER_UNLISTEN,
  /**
   * A segment a closed flow handed back to its host while the host still listed that flow for its
   * 4-tuple. Cannot happen while a flow's close reaches its host before its hand-back; counted so a
   * break of that order shows.
   */
  TCP_SEGMENT_FOR_ENDED_FLOW,
  /**
   * An ARP packet from a sender that would have been added to the table (RFC 826: we are its
   * target) while the table was full ({@link ArpSettings#maxEntries()}). A request is still
   * answered; known senders are still updated.
   */
  ARP_TABLE_FULL,
  /**
   * An ARP packet whose sender cannot be a neighbour: a broadcast, multicast, reserved (240/4),
   * loopback or 0/8 protocol address (other than 0.0.0.0, an RFC 5227 probe), or a group hardware
   * address. Nothing is learned from it and it is not answered.
   */
  ARP_INVALID_SENDER,
  /**
   * An IPv4 datagram from 255.255.255.255 or this network's directed broadcast, which is never a
   * source (RFC 1122 §3.2.1.3 (c), (d)); discarded silently, so an echo request from it gets no
   * reply.
   */
  IPV4_SOURCE_BROADCAST,
  /** An IPv4 datagram from a class D (multicast, 224/4) address (RFC 1122 §3.2.1.3). */
  IPV4_SOURCE_MULTICAST,
  /** An IPv4 datagram from a class E (reserved, 240/4) address (RFC 1122 §3.2.1.3 (f)). */
  IPV4_SOURCE_RESERVED,
  /**
   * An IPv4 datagram from 0.0.0.0 or another "this network" address (0/8). RFC 1122 §3.2.1.3 (a),
   * (b) allows these only while a host initialises itself (BOOTP, DHCP), which no host here does.
   */
  IPV4_SOURCE_UNSPECIFIED,
  /**
   * An IPv4 datagram from 127/8 that came from the wire: loopback addresses never leave a host (RFC
   * 1122 §3.2.1.3 (g)).
   */
  IPV4_SOURCE_LOOPBACK,
  /**
   * An IPv4 datagram from the wire claiming this host's own address as its source: spoofed (what
   * the host sends itself never touches the switch), and answering it would talk to ourselves.
   */
  IPV4_SOURCE_OWN_ADDRESS,
  /**
   * An ACK for a listening port and no connection, while the listener has sent SYN cookies lately,
   * whose cookie did not validate (forged, for another 4-tuple, expired, or with options we never
   * sent; RFC 4987 §3.6): answered with RST as any ACK in LISTEN is (RFC 9293 §3.10.7.2).
   */
  TCP_SYN_COOKIE_INVALID
}
