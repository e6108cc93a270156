package dev.vnetif.tcp;

/**
 * TCP keepalive (RFC 1122 §4.2.3.6) as the seed's {@code Keepalive.t} describes it: after {@code
 * afterNanos} without hearing from the peer, send a probe every {@code intervalNanos}; after {@code
 * probes} unanswered probes, the connection is dead.
 */
public record KeepaliveSettings(long afterNanos, long intervalNanos, int probes) {
  public KeepaliveSettings {
    if (afterNanos < 0) {
      throw new IllegalArgumentException("keepalive after must be >= 0, got " + afterNanos + " ns");
    }
    if (intervalNanos <= 0) {
      throw new IllegalArgumentException(
          "keepalive interval must be > 0, got " + intervalNanos + " ns");
    }
    if (probes < 1) {
      throw new IllegalArgumentException("keepalive probes must be >= 1, got " + probes);
    }
  }
}
