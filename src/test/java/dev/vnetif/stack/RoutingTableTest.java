package dev.vnetif.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.Ipv4Cidr;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RoutingTableTest {

  private static final Ipv4Address OWN = ip("10.0.0.2");
  private static final Ipv4Address GATEWAY = ip("10.0.0.1");
  private static final Ipv4Address NEIGHBOUR = ip("10.0.0.77");
  private static final Ipv4Address REMOTE = ip("192.0.2.10");

  private final RoutingTable withGateway = new RoutingTable(Ipv4Cidr.parse("10.0.0.2/24"), GATEWAY);
  private final RoutingTable withoutGateway = new RoutingTable(Ipv4Cidr.parse("10.0.0.2/24"), null);

  private static Ipv4Address ip(String text) {
    return Ipv4Address.of(text);
  }

  @Test
  @DisplayName("An on-link destination is its own next hop, gateway or not")
  void onLinkGoesDirect() {
    assertEquals(NEIGHBOUR, withGateway.nextHop(NEIGHBOUR));
    assertEquals(NEIGHBOUR, withoutGateway.nextHop(NEIGHBOUR));
    assertEquals(GATEWAY, withGateway.nextHop(GATEWAY));
    assertEquals(ip("10.0.0.0"), withGateway.nextHop(ip("10.0.0.0")));
    assertEquals(ip("10.0.0.254"), withGateway.nextHop(ip("10.0.0.254")));
  }

  @Test
  @DisplayName("An off-link destination goes to the gateway")
  void offLinkGoesToTheGateway() {
    assertEquals(GATEWAY, withGateway.nextHop(REMOTE));
    assertEquals(GATEWAY, withGateway.nextHop(ip("10.0.1.2")), "just past the /24");
    assertEquals(GATEWAY, withGateway.nextHop(ip("9.255.255.255")), "just before the /24");
  }

  @Test
  @DisplayName("An off-link destination without a gateway has no route")
  void offLinkWithoutGatewayHasNoRoute() {
    assertNull(withoutGateway.nextHop(REMOTE));
    assertNull(withoutGateway.nextHop(ip("10.0.1.2")));
  }

  @Test
  @DisplayName(
      "The limited broadcast is a broadcast, local, and sent directly even without a gateway")
  void limitedBroadcast() {
    Ipv4Address limited = ip("255.255.255.255");
    assertTrue(withGateway.isBroadcast(limited));
    assertTrue(withGateway.isLocal(limited));
    assertEquals(limited, withGateway.nextHop(limited));
    assertEquals(limited, withoutGateway.nextHop(limited));
  }

  @Test
  @DisplayName("The directed broadcast of the own network is a broadcast, local and on-link")
  void directedBroadcast() {
    Ipv4Address directed = ip("10.0.0.255");
    assertTrue(withGateway.isBroadcast(directed));
    assertTrue(withGateway.isLocal(directed));
    assertEquals(directed, withGateway.nextHop(directed));
    assertEquals(directed, withoutGateway.nextHop(directed));
  }

  @Test
  @DisplayName("Another network's directed broadcast is neither a broadcast nor local")
  void foreignDirectedBroadcastIsNotOurs() {
    Ipv4Address foreign = ip("10.0.1.255");
    assertFalse(withGateway.isBroadcast(foreign));
    assertFalse(withGateway.isLocal(foreign));
    assertEquals(GATEWAY, withGateway.nextHop(foreign));
  }

  @Test
  @DisplayName("The own address is local and not a broadcast")
  void ownAddressIsLocal() {
    assertTrue(withGateway.isLocal(OWN));
    assertFalse(withGateway.isBroadcast(OWN));
  }

  @Test
  @DisplayName("Other on-link addresses, the gateway and the network address are not local")
  void otherOnLinkAddressesAreNotLocal() {
    assertFalse(withGateway.isLocal(NEIGHBOUR));
    assertFalse(withGateway.isLocal(GATEWAY));
    assertFalse(withGateway.isLocal(ip("10.0.0.3")));
    assertFalse(withGateway.isBroadcast(NEIGHBOUR));
    assertFalse(withGateway.isLocal(REMOTE));
    assertFalse(withGateway.isLocal(ip("0.0.0.0")));
  }

  @Test
  @DisplayName("/32: only the own address is on-link, everything else goes to the gateway")
  void slash32Routing() {
    RoutingTable host = new RoutingTable(Ipv4Cidr.parse("10.0.0.2/32"), GATEWAY);
    assertEquals(OWN, host.nextHop(OWN));
    assertEquals(GATEWAY, host.nextHop(ip("10.0.0.3")));
    assertEquals(GATEWAY, host.nextHop(REMOTE));
    assertNull(new RoutingTable(Ipv4Cidr.parse("10.0.0.2/32"), null).nextHop(ip("10.0.0.3")));
    assertTrue(host.isLocal(OWN));
    assertFalse(host.isLocal(ip("10.0.0.3")));
    assertTrue(host.isBroadcast(ip("255.255.255.255")));
  }

  @Test
  @DisplayName(
      "/32: the own address is not a broadcast (a one-address network has no directed broadcast)")
  void slash32OwnAddressIsNotBroadcast() {
    RoutingTable host = new RoutingTable(Ipv4Cidr.parse("10.0.0.2/32"), GATEWAY);
    // A /32 has no host bits, so "all host bits set" is the host's own unicast address.
    // Calling it a broadcast makes the host ignore echo requests and never send RSTs to itself.
    assertFalse(host.isBroadcast(OWN));
  }

  @Test
  @DisplayName("/31: the peer is a unicast address, not a directed broadcast (RFC 3021 §2.1)")
  void slash31HasNoDirectedBroadcast() {
    RoutingTable pointToPoint = new RoutingTable(Ipv4Cidr.parse("10.0.0.0/31"), null);
    Ipv4Address peer = ip("10.0.0.1");
    assertEquals(peer, pointToPoint.nextHop(peer));
    assertFalse(pointToPoint.isBroadcast(peer));
    assertFalse(pointToPoint.isLocal(peer));
  }

  @Test
  @DisplayName(
      "/0: every address is on-link and sent directly; only 255.255.255.255 is a broadcast")
  void slash0Routing() {
    RoutingTable everything = new RoutingTable(Ipv4Cidr.parse("10.0.0.2/0"), GATEWAY);
    assertEquals(REMOTE, everything.nextHop(REMOTE));
    assertEquals(ip("0.0.0.1"), everything.nextHop(ip("0.0.0.1")));
    assertEquals(ip("255.255.255.254"), everything.nextHop(ip("255.255.255.254")));
    assertEquals(REMOTE, new RoutingTable(Ipv4Cidr.parse("10.0.0.2/0"), null).nextHop(REMOTE));
    assertTrue(everything.isBroadcast(ip("255.255.255.255")));
    assertTrue(everything.isLocal(ip("255.255.255.255")));
    assertFalse(everything.isBroadcast(ip("10.255.255.255")));
    assertTrue(everything.isLocal(OWN));
    assertFalse(everything.isLocal(REMOTE));
  }
}
