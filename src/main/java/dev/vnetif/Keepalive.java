package dev.vnetif;

import dev.vnetif.tcp.KeepaliveSettings;
import java.time.Duration;

/**
 * TCP keepalive as the seed's {@code Keepalive.t}: after {@code after} without hearing from the
 * peer, probe every {@code interval}; after {@code probes} unanswered probes the connection is dead
 * — reads return Eof and writes fail with {@link ConnectionClosedException}.
 */
public record Keepalive(Duration after, Duration interval, int probes) {
  public Keepalive {
    if (after == null || after.isNegative()) {
      throw new IllegalArgumentException("keepalive after must be >= 0, got " + after);
    }
    if (interval == null || interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("keepalive interval must be > 0, got " + interval);
    }
    if (probes < 1) {
      throw new IllegalArgumentException("keepalive probes must be >= 1, got " + probes);
    }
  }

  KeepaliveSettings toSettings() {
    return new KeepaliveSettings(after.toNanos(), interval.toNanos(), probes);
  }
}
