package dev.vnetif.stream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.wire.Ipv4Address;
import java.net.Inet4Address;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A request's host as an address on the virtual network, which has no DNS. */
class HostTableTest {
  static final Inet4Address SERVER = Ipv4Address.of("10.0.0.3").toInet();

  @Test
  void anIpv4LiteralIsItsOwnAddress() {
    assertEquals(SERVER, HostTable.of(Map.of()).resolve("10.0.0.3"));
  }

  @Test
  void aNameResolvesThroughTheTableWithoutRegardToCase() {
    HostTable table = HostTable.of(Map.of("Api.Example", SERVER));

    assertEquals(SERVER, table.resolve("api.example"));
    assertEquals(SERVER, table.resolve("API.EXAMPLE"));
  }

  @Test
  void anUnknownNameIsRejectedNamingItAndTheKnownNames() {
    HostTable table = HostTable.of(Map.of("api", SERVER));

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> table.resolve("db"));

    assertTrue(e.getMessage().contains("unknown host 'db'"), e.getMessage());
    assertTrue(e.getMessage().contains("[api]"), e.getMessage());
  }

  @Test
  void anIllFormedLiteralIsRejectedAsAnAddressNotLookedUpAsAName() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> HostTable.of(Map.of()).resolve("10.0.0.300"));

    assertTrue(e.getMessage().contains("invalid IPv4 address '10.0.0.300'"), e.getMessage());
  }

  @Test
  void aBlankOrRepeatedNameIsRejectedAtCreation() {
    IllegalArgumentException blank =
        assertThrows(IllegalArgumentException.class, () -> HostTable.of(Map.of(" ", SERVER)));
    IllegalArgumentException twice =
        assertThrows(
            IllegalArgumentException.class,
            () -> HostTable.of(Map.of("api", SERVER, "API", SERVER)));

    assertTrue(blank.getMessage().contains("' '"), blank.getMessage());
    assertTrue(twice.getMessage().contains("given twice"), twice.getMessage());
  }
}
