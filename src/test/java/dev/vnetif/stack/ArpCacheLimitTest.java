package dev.vnetif.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.MacAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The ARP table's bound and the freeing of expired mappings. */
class ArpCacheLimitTest {

  private static final Duration ENTRY_TIMEOUT = Duration.ofSeconds(60);
  private static final long TIMEOUT_NANOS = ENTRY_TIMEOUT.toNanos();
  private static final int MAX_ENTRIES = 4;

  /** Near the sign change, so that expiry must be computed by difference. */
  private static final long NOW = Long.MAX_VALUE - TIMEOUT_NANOS / 2;

  private static final MacAddress MAC = MacAddress.of("02:00:00:00:00:02");
  private static final MacAddress OTHER_MAC = MacAddress.of("02:00:00:00:00:03");

  private final ArpCache cache =
      new ArpCache(new ArpSettings(ENTRY_TIMEOUT, Duration.ofSeconds(1), 3, 3, MAX_ENTRIES));

  private static Ipv4Address ip(int host) {
    return Ipv4Address.fromInt(0x0A_00_00_00 | host);
  }

  private void fill(long at) {
    for (int i = 1; i <= MAX_ENTRIES; i++) {
      cache.learn(ip(i), MAC, at);
    }
  }

  @Test
  @DisplayName("Expired mappings are removed from memory without being looked up")
  void expiredMappingsAreFreed() {
    for (int i = 1; i <= MAX_ENTRIES; i++) {
      cache.learn(ip(i), MAC, NOW + i);
    }
    cache.lookup(ip(99), NOW + 2 + TIMEOUT_NANOS);
    assertEquals(MAX_ENTRIES - 2, cache.size(), "the two learned first expired");
    cache.expire(NOW + MAX_ENTRIES + TIMEOUT_NANOS);
    assertEquals(0, cache.size(), "nothing is held after the entry lifetime");
  }

  @Test
  @DisplayName("A full table has no room for a new address, but has for a known one")
  void fullTableHasNoRoomForNewcomers() {
    fill(NOW);
    assertFalse(cache.hasRoomFor(ip(100), NOW));
    assertTrue(cache.hasRoomFor(ip(1), NOW), "updating a mapping takes no room");
    cache.enqueue(ip(101), new ArpCache.PendingPacket(new byte[1], null));
    assertTrue(cache.hasRoomFor(ip(101), NOW), "an address we are resolving is always taken");
    assertTrue(cache.hasRoomFor(ip(100), NOW + TIMEOUT_NANOS), "expired mappings make room");
  }

  @Test
  @DisplayName("A new address is not recorded while the table is full; known ones still update")
  void unsolicitedLearnIsRefusedWhenFull() {
    fill(NOW);
    assertNull(cache.learn(ip(100), MAC, NOW + 1));
    assertNull(cache.lookup(ip(100), NOW + 1));
    assertEquals(MAX_ENTRIES, cache.size());
    cache.learn(ip(1), OTHER_MAC, NOW + 1);
    assertEquals(OTHER_MAC, cache.lookup(ip(1), NOW + 1));
    assertEquals(MAX_ENTRIES, cache.size());
  }

  @Test
  @DisplayName("The answer to our own request replaces the mapping closest to expiry when full")
  void solicitedLearnEvictsTheOldest() {
    for (int i = 1; i <= MAX_ENTRIES; i++) {
      cache.learn(ip(i), MAC, NOW + i);
    }
    cache.learn(ip(1), MAC, NOW + 10); // refreshed: now the latest to expire
    ArpCache.PendingPacket waiting = new ArpCache.PendingPacket(new byte[] {7}, null);
    cache.enqueue(ip(100), waiting);
    ArpCache.Resolution resolution = cache.learn(ip(100), OTHER_MAC, NOW + 11);
    assertNotNull(resolution);
    assertEquals(List.of(waiting), List.copyOf(resolution.waiting));
    assertEquals(OTHER_MAC, cache.lookup(ip(100), NOW + 11));
    assertNull(cache.lookup(ip(2), NOW + 11), "ip 2 was closest to expiry");
    assertEquals(MAC, cache.lookup(ip(1), NOW + 11), "the refreshed mapping stays");
    assertEquals(MAX_ENTRIES, cache.size());
  }

  @Test
  @DisplayName("A relearned mapping expires a full lifetime after its last learning, others before")
  void relearningMovesTheMappingToTheEnd() {
    cache.learn(ip(1), MAC, NOW);
    cache.learn(ip(2), MAC, NOW + 1);
    cache.learn(ip(1), MAC, NOW + 2);
    cache.expire(NOW + 1 + TIMEOUT_NANOS);
    assertEquals(1, cache.size());
    assertEquals(MAC, cache.lookup(ip(1), NOW + 1 + TIMEOUT_NANOS));
    assertNull(cache.lookup(ip(1), NOW + 2 + TIMEOUT_NANOS));
    assertEquals(0, cache.size());
  }

  @Test
  @DisplayName("The 4-argument settings keep the default bound; the bound must be positive")
  void settingsDefaultAndValidation() {
    ArpSettings fourArgs = new ArpSettings(ENTRY_TIMEOUT, Duration.ofSeconds(1), 3, 3);
    assertEquals(ArpSettings.DEFAULT_MAX_ENTRIES, fourArgs.maxEntries());
    assertEquals(1024, ArpSettings.DEFAULT_MAX_ENTRIES);
    assertEquals(16, fourArgs.withMaxEntries(16).maxEntries());
    assertThrows(IllegalArgumentException.class, () -> fourArgs.withMaxEntries(0));
  }
}
