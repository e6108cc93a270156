package dev.vnetif.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4CidrTest {

  private static Ipv4Address ip(String text) {
    return Ipv4Address.of(text);
  }

  @Test
  void derivesNetworkMaskAndBroadcast() {
    Ipv4Cidr cidr = Ipv4Cidr.parse("10.0.0.2/24");
    assertEquals(ip("10.0.0.2"), cidr.address());
    assertEquals(24, cidr.prefixLength());
    assertEquals(ip("10.0.0.0"), cidr.network());
    assertEquals(ip("255.255.255.0"), cidr.netmask());
    assertEquals(ip("10.0.0.255"), cidr.broadcast());
    assertEquals("10.0.0.2/24", cidr.toString());
  }

  @Test
  void containsOnlyItsNetwork() {
    Ipv4Cidr cidr = Ipv4Cidr.parse("172.16.5.9/20");
    assertEquals(ip("172.16.0.0"), cidr.network());
    assertEquals(ip("172.16.15.255"), cidr.broadcast());
    assertTrue(cidr.contains(ip("172.16.0.0")));
    assertTrue(cidr.contains(ip("172.16.15.255")));
    assertFalse(cidr.contains(ip("172.16.16.0")));
    assertFalse(cidr.contains(ip("172.15.255.255")));
  }

  @Test
  void handlesTheExtremePrefixes() {
    Ipv4Cidr all = Ipv4Cidr.parse("10.1.2.3/0");
    assertEquals(Ipv4Address.ANY, all.network());
    assertEquals(Ipv4Address.ANY, all.netmask());
    assertEquals(Ipv4Address.BROADCAST, all.broadcast());
    assertTrue(all.contains(ip("200.1.1.1")));

    Ipv4Cidr host = Ipv4Cidr.parse("10.1.2.3/32");
    assertEquals(ip("10.1.2.3"), host.network());
    assertEquals(ip("255.255.255.255"), host.netmask());
    assertEquals(ip("10.1.2.3"), host.broadcast());
    assertTrue(host.contains(ip("10.1.2.3")));
    assertFalse(host.contains(ip("10.1.2.4")));
  }

  @Test
  void roundTripsThroughToString() {
    for (int prefix = 0; prefix <= 32; prefix++) {
      Ipv4Cidr cidr = new Ipv4Cidr(ip("192.168.77.130"), prefix);
      assertEquals(cidr, Ipv4Cidr.parse(cidr.toString()));
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.0.0.2",
        "10.0.0.2/33",
        "10.0.0.2/-1",
        "10.0.0.2/",
        "10.0.0.256/24",
        "/24",
        "10.0.0.2/24/1",
        "10.0.0.2/abc",
        "10.0.0.2/024",
        "10.0.0.2/ 24",
        "",
        "10.0.0/24"
      })
  void rejectsBadTextNamingIt(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse(text));
    assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
  }

  @Test
  void explainsWhatIsWrong() {
    assertTrue(messageOf("10.0.0.2").contains("missing '/prefix'"));
    assertTrue(messageOf("10.0.0.2/33").contains("0..32"));
    assertTrue(messageOf("10.0.0.300/24").contains("invalid IPv4 address '10.0.0.300'"));
  }

  private static String messageOf(String text) {
    return assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse(text)).getMessage();
  }

  @Test
  void constructorRejectsPrefixOutOfRange() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Cidr(ip("10.0.0.2"), 33));
    assertTrue(e.getMessage().contains("33"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Ipv4Cidr(ip("10.0.0.2"), -1));
  }
}
