package dev.vnetif.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressTest {

  @Test
  void parsesAndPrintsColonForm() {
    MacAddress mac = MacAddress.of("02:00:5E:10:Aa:ff");
    assertEquals(0x02005E10AAFFL, mac.toLong());
    assertEquals("02:00:5e:10:aa:ff", mac.toString());
    assertEquals(mac, MacAddress.of(mac.toString()));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "02:00:00:00:00",
        "02:00:00:00:00:01:",
        "02-00-00-00-00-01",
        "02:00:00:00:00:0g",
        "2:00:00:00:00:001",
        " 02:00:00:00:00:01",
        "02:00:00:00:00:01 ",
        "02:00:00:00:00::1"
      })
  void rejectsBadTextNamingIt(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> MacAddress.of(text));
    assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
  }

  @Test
  void rejectsNull() {
    assertThrows(IllegalArgumentException.class, () -> MacAddress.of(null));
  }

  @Test
  void fromLongRejectsMoreThan48Bits() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> MacAddress.fromLong(1L << 48));
    assertTrue(e.getMessage().contains("1000000000000"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> MacAddress.fromLong(-1L));
  }

  @Test
  void readsAndWritesBytes() {
    MacAddress mac = MacAddress.of("02:00:00:00:00:01");
    byte[] buffer = new byte[8];
    mac.writeTo(buffer, 1);
    assertArrayEquals(Hex.bytes("00 020000000001 00"), buffer);
    assertArrayEquals(Hex.bytes("020000000001"), mac.toBytes());
    assertEquals(mac, MacAddress.read(Hex.bs("ffff 020000000001"), 2));
    assertEquals(mac, MacAddress.read(Hex.fragmented(Hex.bs("ffff 020000000001"), 3, 5), 2));
  }

  @Test
  void classifiesAddresses() {
    assertTrue(MacAddress.BROADCAST.isBroadcast());
    assertTrue(MacAddress.BROADCAST.isMulticast());
    assertEquals("ff:ff:ff:ff:ff:ff", MacAddress.BROADCAST.toString());
    assertEquals("00:00:00:00:00:00", MacAddress.ZERO.toString());

    MacAddress multicast = MacAddress.of("01:00:5e:00:00:01");
    assertTrue(multicast.isMulticast());
    assertFalse(multicast.isBroadcast());
    assertFalse(multicast.isLocallyAdministered());

    MacAddress local = MacAddress.of("02:00:00:00:00:01");
    assertTrue(local.isLocallyAdministered());
    assertFalse(local.isMulticast());

    MacAddress global = MacAddress.of("00:1b:21:3a:4f:5c");
    assertFalse(global.isLocallyAdministered());
    assertFalse(global.isMulticast());
  }

  @Test
  void equalityByValue() {
    assertEquals(MacAddress.of("02:00:00:00:00:01"), MacAddress.fromLong(0x020000000001L));
    assertEquals(
        MacAddress.of("02:00:00:00:00:01").hashCode(),
        MacAddress.fromLong(0x020000000001L).hashCode());
    assertNotEquals(MacAddress.of("02:00:00:00:00:01"), MacAddress.of("02:00:00:00:00:02"));
    assertSame(MacAddress.BROADCAST, MacAddress.of("ff:ff:ff:ff:ff:ff"));
    assertSame(MacAddress.ZERO, MacAddress.fromLong(0));
  }
}
