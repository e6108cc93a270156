package dev.vnetif.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.MacAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ArpCacheTest {

  private static final Duration ENTRY_TIMEOUT = Duration.ofSeconds(60);
  private static final long TIMEOUT_NANOS = ENTRY_TIMEOUT.toNanos();
  private static final int MAX_REQUESTS = 3;
  private static final int MAX_PENDING = 3;

  /**
   * Deliberately not zero and near the sign change, so that expiry must be computed by difference.
   */
  private static final long NOW = Long.MAX_VALUE - TIMEOUT_NANOS / 2;

  private static final Ipv4Address PEER = Ipv4Address.of("10.0.0.2");
  private static final Ipv4Address OTHER = Ipv4Address.of("10.0.0.3");
  private static final MacAddress PEER_MAC = MacAddress.of("02:00:00:00:00:02");
  private static final MacAddress NEW_MAC = MacAddress.of("02:00:00:00:00:22");

  private final ArpCache cache =
      new ArpCache(
          new ArpSettings(ENTRY_TIMEOUT, Duration.ofSeconds(1), MAX_REQUESTS, MAX_PENDING));

  private static ArpCache.PendingPacket packet(int tag) {
    return new ArpCache.PendingPacket(new byte[] {(byte) tag}, null);
  }

  @Test
  @DisplayName("Looking up an address never learned gives null")
  void unknownAddressIsNull() {
    assertNull(cache.lookup(PEER, NOW));
    assertFalse(cache.isKnown(PEER));
    assertEquals(0, cache.size());
  }

  @Test
  @DisplayName("A learned mapping is found by lookup, for that address only")
  void learnThenLookup() {
    assertNull(cache.learn(PEER, PEER_MAC, NOW), "no resolution was pending");
    assertEquals(PEER_MAC, cache.lookup(PEER, NOW));
    assertEquals(PEER_MAC, cache.lookup(PEER, NOW + 1));
    assertNull(cache.lookup(OTHER, NOW));
    assertTrue(cache.isKnown(PEER));
    assertEquals(1, cache.size());
  }

  @Test
  @DisplayName("Learning again replaces the MAC")
  void learnReplacesTheMac() {
    cache.learn(PEER, PEER_MAC, NOW);
    cache.learn(PEER, NEW_MAC, NOW + 5);
    assertEquals(NEW_MAC, cache.lookup(PEER, NOW + 6));
    assertEquals(1, cache.size());
  }

  @Test
  @DisplayName(
      "An entry is valid until entryTimeout after it was learned and expired at exactly entryTimeout")
  void entryExpiresAtExactlyTheTimeout() {
    cache.learn(PEER, PEER_MAC, NOW);
    assertEquals(PEER_MAC, cache.lookup(PEER, NOW + TIMEOUT_NANOS - 1));
    assertNull(cache.lookup(PEER, NOW + TIMEOUT_NANOS));
    // The expired entry is gone for good, not only hidden.
    assertNull(cache.lookup(PEER, NOW));
    assertFalse(cache.isKnown(PEER));
    assertEquals(0, cache.size());
  }

  @Test
  @DisplayName("Learning again restarts the entry's lifetime")
  void relearningRefreshesTheEntry() {
    cache.learn(PEER, PEER_MAC, NOW);
    cache.learn(PEER, PEER_MAC, NOW + 1_000);
    assertEquals(PEER_MAC, cache.lookup(PEER, NOW + TIMEOUT_NANOS));
    assertEquals(PEER_MAC, cache.lookup(PEER, NOW + 1_000 + TIMEOUT_NANOS - 1));
    assertNull(cache.lookup(PEER, NOW + 1_000 + TIMEOUT_NANOS));
  }

  @Test
  @DisplayName("The first packet for an address starts a resolution, later ones are queued")
  void enqueueStartsThenQueues() {
    assertEquals(ArpCache.Enqueued.STARTED_RESOLUTION, cache.enqueue(PEER, packet(1)));
    assertEquals(ArpCache.Enqueued.QUEUED, cache.enqueue(PEER, packet(2)));
    assertEquals(ArpCache.Enqueued.STARTED_RESOLUTION, cache.enqueue(OTHER, packet(3)));
    assertTrue(cache.isResolving(PEER));
    assertTrue(cache.isResolving(OTHER));
    assertNull(cache.takeDropped(), "nothing was dropped");
    assertNull(cache.lookup(PEER, NOW), "resolving is not resolved");
  }

  @Test
  @DisplayName(
      "Beyond maxPendingPackets the oldest packet is dropped and handed out once by takeDropped")
  void overflowDropsTheOldest() {
    ArpCache.PendingPacket p1 = packet(1);
    cache.enqueue(PEER, p1);
    cache.enqueue(PEER, packet(2));
    cache.enqueue(PEER, packet(3));
    assertEquals(ArpCache.Enqueued.QUEUED_DROPPED_OLDEST, cache.enqueue(PEER, packet(4)));
    assertSame(p1, cache.takeDropped());
    assertNull(cache.takeDropped(), "takeDropped hands a packet out once");

    ArpCache.Resolution resolution = cache.learn(PEER, PEER_MAC, NOW);
    assertNotNull(resolution);
    assertEquals(List.of(packet(2), packet(3), packet(4)), List.copyOf(resolution.waiting));
  }

  @Test
  @DisplayName("Each further overflow drops the then-oldest packet")
  void repeatedOverflowDropsInOrder() {
    for (int i = 1; i <= MAX_PENDING; i++) {
      cache.enqueue(PEER, packet(i));
    }
    assertEquals(ArpCache.Enqueued.QUEUED_DROPPED_OLDEST, cache.enqueue(PEER, packet(10)));
    assertEquals(packet(1), cache.takeDropped());
    assertEquals(ArpCache.Enqueued.QUEUED_DROPPED_OLDEST, cache.enqueue(PEER, packet(11)));
    assertEquals(packet(2), cache.takeDropped());
    assertEquals(List.of(packet(3), packet(10), packet(11)), cache.abandon(PEER));
  }

  @Test
  @DisplayName("learn completes the resolution and returns its waiting packets in order")
  void learnReturnsTheResolution() {
    cache.enqueue(PEER, packet(1));
    cache.enqueue(PEER, packet(2));
    cache.enqueue(OTHER, packet(9));
    ArpCache.Resolution resolution = cache.learn(PEER, PEER_MAC, NOW);
    assertNotNull(resolution);
    assertEquals(PEER, resolution.address);
    assertEquals(List.of(packet(1), packet(2)), List.copyOf(resolution.waiting));
    assertFalse(cache.isResolving(PEER));
    assertTrue(cache.isResolving(OTHER), "another address is untouched");
    assertEquals(PEER_MAC, cache.lookup(PEER, NOW));
    assertNull(cache.learn(PEER, PEER_MAC, NOW), "the resolution is returned once");
    assertEquals(
        ArpCache.Enqueued.STARTED_RESOLUTION,
        cache.enqueue(PEER, packet(3)),
        "a later packet starts a new resolution");
  }

  @Test
  @DisplayName("mayRetry is true until maxRequests requests were sent, then false")
  void mayRetryHonoursMaxRequests() {
    assertFalse(cache.mayRetry(PEER), "no resolution in progress");
    cache.enqueue(PEER, packet(1));
    for (int sent = 1; sent <= MAX_REQUESTS; sent++) {
      assertTrue(cache.mayRetry(PEER), "before request " + sent);
      assertTrue(cache.requestSent(PEER), "request " + sent + " is within the budget");
    }
    assertFalse(cache.mayRetry(PEER), "after " + MAX_REQUESTS + " requests");
    assertTrue(cache.isResolving(PEER), "still resolving until abandoned");
  }

  @Test
  @DisplayName("requestSent returns false once the retry budget of maxRequests is spent")
  void requestSentBeyondTheBudgetIsFalse() {
    cache.enqueue(PEER, packet(1));
    for (int sent = 1; sent <= MAX_REQUESTS; sent++) {
      cache.requestSent(PEER);
    }
    // The caller gives up with abandon; a request past the budget must not be counted as sent.
    assertFalse(
        cache.requestSent(PEER),
        "request " + (MAX_REQUESTS + 1) + " with maxRequests " + MAX_REQUESTS);
  }

  @Test
  @DisplayName("requestSent for an address not being resolved returns false")
  void requestSentWithoutResolutionIsFalse() {
    assertFalse(cache.requestSent(PEER));
    cache.learn(PEER, PEER_MAC, NOW);
    assertFalse(cache.requestSent(PEER));
  }

  @Test
  @DisplayName("abandon hands back the waiting packets in order and clears the resolution")
  void abandonReturnsPacketsAndClears() {
    cache.enqueue(PEER, packet(1));
    cache.enqueue(PEER, packet(2));
    cache.requestSent(PEER);
    assertEquals(List.of(packet(1), packet(2)), cache.abandon(PEER));
    assertFalse(cache.isResolving(PEER));
    assertFalse(cache.isKnown(PEER));
    assertFalse(cache.mayRetry(PEER));
    assertNull(cache.lookup(PEER, NOW));
    assertEquals(List.of(), cache.abandon(PEER), "a second abandon has nothing left");
    assertNull(cache.learn(PEER, PEER_MAC, NOW), "nothing left for a late reply to complete");
  }

  @Test
  @DisplayName("A restarted resolution gets a fresh request budget")
  void restartedResolutionHasFreshBudget() {
    cache.enqueue(PEER, packet(1));
    for (int sent = 1; sent <= MAX_REQUESTS; sent++) {
      cache.requestSent(PEER);
    }
    cache.abandon(PEER);
    assertEquals(ArpCache.Enqueued.STARTED_RESOLUTION, cache.enqueue(PEER, packet(2)));
    assertTrue(cache.mayRetry(PEER));
  }

  @Test
  @DisplayName("isKnown is true for a cached address and for one being resolved")
  void isKnownForCachedAndResolving() {
    assertFalse(cache.isKnown(PEER));
    assertFalse(cache.isKnown(OTHER));
    cache.learn(PEER, PEER_MAC, NOW);
    cache.enqueue(OTHER, packet(1));
    assertTrue(cache.isKnown(PEER), "cached");
    assertTrue(cache.isKnown(OTHER), "resolving");
    assertFalse(cache.isKnown(Ipv4Address.of("10.0.0.4")));
  }
}
