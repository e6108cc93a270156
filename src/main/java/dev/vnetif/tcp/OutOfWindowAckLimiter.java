package dev.vnetif.tcp;

/**
 * An empty segment outside the window is answered with an ACK (RFC 9293 §3.10.7.4, first check) at
 * most once per interval, as Linux's tcp_invalid_ratelimit does: two confused ends must not trade
 * ACKs without end. Made at the first such answer; most connections never need one.
 */
final class OutOfWindowAckLimiter {
  /** Linux's default (sysctl_tcp_invalid_ratelimit): 500 ms. */
  static final long INTERVAL_NANOS = 500_000_000L;

  private long lastAnswerNanos;

  /** Made when the first answer goes out at {@code nowNanos}. */
  OutOfWindowAckLimiter(long nowNanos) {
    this.lastAnswerNanos = nowNanos;
  }

  /** True if an answer may go out now (and counts it). */
  boolean tryAcquire(long nowNanos) {
    if (nowNanos - lastAnswerNanos < INTERVAL_NANOS) {
      return false;
    }
    lastAnswerNanos = nowNanos;
    return true;
  }
}
