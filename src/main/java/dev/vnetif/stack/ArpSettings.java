package dev.vnetif.stack;

import java.time.Duration;

/**
 * ARP tunables (RFC 826; retry and queueing behaviour after RFC 1122 §2.3.2.1–2).
 *
 * @param entryTimeout how long a learned mapping is trusted before it is resolved again
 * @param retryInterval time between unanswered requests
 * @param maxRequests requests sent before resolution fails
 * @param maxPendingPackets packets held per unresolved address; the oldest is dropped beyond it
 *     (RFC 1122 §2.3.2.2 asks to keep at least one)
 */
public record ArpSettings(
    Duration entryTimeout, Duration retryInterval, int maxRequests, int maxPendingPackets) {
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
  }
}
