package dev.vnetif.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4AddressTest {

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0", "10.0.0.2", "192.168.0.199", "255.255.255.255", "1.22.133.4"})
  void parsesAndPrintsDottedQuad(String text) {
    assertEquals(text, Ipv4Address.of(text).toString());
  }

  @Test
  void holdsFirstOctetInTheHighByte() {
    assertEquals(0xC0A800C7, Ipv4Address.of("192.168.0.199").toInt());
    assertEquals(Ipv4Address.of("10.0.0.2"), Ipv4Address.fromInt(0x0A000002));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "10.0.0",
        "10.0.0.2.",
        "10.0.0.256",
        "10..0.2",
        ".10.0.0.2",
        "a.b.c.d",
        "010.0.0.2",
        "10.0.0.02",
        "1000.0.0.1",
        " 10.0.0.2",
        "10.0.0.2 ",
        "10.0.0.2/24",
        "-1.0.0.0",
        "10.0.0.2.3"
      })
  void rejectsBadTextNamingIt(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Ipv4Address.of(text));
    assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
  }

  @Test
  void rejectsNull() {
    assertThrows(IllegalArgumentException.class, () -> Ipv4Address.of(null));
  }

  @Test
  void convertsToAndFromInetAddress() throws Exception {
    Inet4Address inet = (Inet4Address) InetAddress.getByName("192.168.0.199");
    Ipv4Address address = Ipv4Address.fromInet(inet);
    assertEquals(Ipv4Address.of("192.168.0.199"), address);
    assertEquals(inet, address.toInet());
  }

  @Test
  void readsAndWritesBytes() {
    byte[] buffer = new byte[6];
    Ipv4Address.of("10.0.0.2").writeTo(buffer, 1);
    assertArrayEquals(Hex.bytes("00 0a000002 00"), buffer);
    assertEquals(Ipv4Address.of("10.0.0.2"), Ipv4Address.read(Hex.bs("00 0a000002 00"), 1));
    assertEquals(
        Ipv4Address.of("10.0.0.2"),
        Ipv4Address.read(Hex.fragmented(Hex.bs("00 0a000002 00"), 2, 3), 1));
  }

  @Test
  void comparesAsUnsignedNumbers() {
    assertTrue(Ipv4Address.of("10.0.0.1").compareTo(Ipv4Address.of("192.168.0.1")) < 0);
    assertTrue(Ipv4Address.of("255.0.0.0").compareTo(Ipv4Address.of("127.0.0.1")) > 0);
    assertEquals(0, Ipv4Address.of("10.0.0.1").compareTo(Ipv4Address.fromInt(0x0A000001)));
  }

  @Test
  void classifiesAddresses() {
    assertTrue(Ipv4Address.BROADCAST.isBroadcast());
    assertEquals("255.255.255.255", Ipv4Address.BROADCAST.toString());
    assertFalse(Ipv4Address.of("10.0.0.255").isBroadcast());
    assertTrue(Ipv4Address.ANY.isUnspecified());
    assertEquals("0.0.0.0", Ipv4Address.ANY.toString());
    assertFalse(Ipv4Address.of("0.0.0.1").isUnspecified());
    assertTrue(Ipv4Address.of("224.0.0.1").isMulticast());
    assertTrue(Ipv4Address.of("239.255.255.255").isMulticast());
    assertFalse(Ipv4Address.of("240.0.0.1").isMulticast());
    assertFalse(Ipv4Address.of("223.255.255.255").isMulticast());
    assertTrue(Ipv4Address.of("127.0.0.1").isLoopback());
  }

  @Test
  void equalityByValue() {
    assertEquals(Ipv4Address.of("10.0.0.2"), Ipv4Address.of("10.0.0.2"));
    assertEquals(Ipv4Address.of("10.0.0.2").hashCode(), Ipv4Address.of("10.0.0.2").hashCode());
    assertNotEquals(Ipv4Address.of("10.0.0.2"), Ipv4Address.of("10.0.0.3"));
  }
}
