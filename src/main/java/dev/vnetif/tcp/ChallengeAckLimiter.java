package dev.vnetif.tcp;

/**
 * RFC 5961 §7: at most {@code limitPerSecond} challenge ACKs per second, so that an attacker cannot
 * turn them into an amplifier. Counted per connection, in windows of one second from the first
 * challenge of the window. A host's TIME_WAIT table shares one among all its entries.
 */
public final class ChallengeAckLimiter {
  private static final long SECOND = 1_000_000_000L;
  private final int limitPerSecond;
  private long windowStart;
  private int sentInWindow;
  private boolean started;

  public ChallengeAckLimiter(int limitPerSecond) {
    this.limitPerSecond = limitPerSecond;
  }

  /** True if a challenge ACK may be sent now (and counts it). */
  public boolean tryAcquire(long nowNanos) {
    if (!started || nowNanos - windowStart >= SECOND) {
      started = true;
      windowStart = nowNanos;
      sentInWindow = 0;
    }
    if (sentInWindow >= limitPerSecond) {
      return false;
    }
    sentInWindow++;
    return true;
  }
}
