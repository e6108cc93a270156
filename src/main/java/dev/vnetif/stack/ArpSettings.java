package dev.vnetif.stack;

import java.time.Duration;

/**
 * ARP tunables (RFC 826; retry and queueing behaviour after RFC 1122 §2.3.2.1–2).
 *
 * @param entryTimeout how long a learned mapping is trusted before it is resolved again; an expired
 *     mapping is removed from the table, not only ignored
 * @param retryInterval time between unanswered requests
 * @param maxRequests requests sent before resolution fails
 * @param maxPendingPackets packets held per unresolved address; the oldest is dropped beyond it
 *     (RFC 1122 §2.3.2.2 asks to keep at least one)
 * @param maxEntries mappings the table holds at most. When it is full, a sender that would be added
 *     only because it asked us (RFC 826: we are the target) is not added (counted as {@link
 *     DropReason#ARP_TABLE_FULL}; its request is still answered), while the answer to a request of
 *     ours takes the place of the mapping closest to expiry
 */
public record ArpSettings(
    Duration entryTimeout,
    Duration retryInterval,
    int maxRequests,
    int maxPendingPackets,
    int maxEntries) {

  /**
   * 1,024 mappings, Linux's hard limit for its neighbour table ({@code gc_thresh3}): far more
   * neighbours than a host of a virtual network talks to at once, and about 100 KB when full.
   */
  public static final int DEFAULT_MAX_ENTRIES = 1024;

  public ArpSettings {
    if (entryTimeout.isNegative() || entryTimeout.isZero()) {
      throw new IllegalArgumentException("arp entry-timeout must be positive, got " + entryTimeout);
    }
    if (retryInterval.isNegative() || retryInterval.isZero()) {
      throw new IllegalArgumentException(
          "arp retry-interval must be positive, got " + retryInterval);
    }
    if (maxRequests < 1) {
      throw new IllegalArgumentException("arp max-requests must be at least 1, got " + maxRequests);
    }
    if (maxPendingPackets < 1) {
      throw new IllegalArgumentException(
          "arp max-pending-packets must be at least 1, got " + maxPendingPackets);
    }
    if (maxEntries < 1) {
      throw new IllegalArgumentException("arp max-entries must be at least 1, got " + maxEntries);
    }
  }

  /** Settings with a table of {@link #DEFAULT_MAX_ENTRIES} mappings at most. */
  public ArpSettings(
      Duration entryTimeout, Duration retryInterval, int maxRequests, int maxPendingPackets) {
    this(entryTimeout, retryInterval, maxRequests, maxPendingPackets, DEFAULT_MAX_ENTRIES);
  }

  /** The same settings with another bound on the table. */
  public ArpSettings withMaxEntries(int entries) {
    return new ArpSettings(entryTimeout, retryInterval, maxRequests, maxPendingPackets, entries);
  }
}
