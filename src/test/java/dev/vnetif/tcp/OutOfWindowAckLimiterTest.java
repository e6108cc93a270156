package dev.vnetif.tcp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link OutOfWindowAckLimiter} on its own. */
class OutOfWindowAckLimiterTest {
  private static final long MS = 1_000_000L;

  @Test
  @DisplayName("after an answer, the next one waits 500 ms (Linux's tcp_invalid_ratelimit)")
  void oneAnswerPerInterval() {
    long t0 = 7_000 * MS;
    OutOfWindowAckLimiter limiter = new OutOfWindowAckLimiter(t0); // answered at t0
    assertFalse(limiter.tryAcquire(t0));
    assertFalse(limiter.tryAcquire(t0 + 499 * MS));
    assertTrue(limiter.tryAcquire(t0 + 500 * MS));
    assertFalse(limiter.tryAcquire(t0 + 999 * MS), "the interval restarts at each answer");
    assertTrue(limiter.tryAcquire(t0 + 1_000 * MS));
  }

  @Test
  @DisplayName("times compare by difference, so a clock near Long.MAX_VALUE still works")
  void timesCompareByDifference() {
    long t0 = Long.MAX_VALUE - 100 * MS;
    OutOfWindowAckLimiter limiter = new OutOfWindowAckLimiter(t0);
    assertFalse(limiter.tryAcquire(t0 + 200 * MS)); // wrapped past Long.MAX_VALUE
    assertTrue(limiter.tryAcquire(t0 + 600 * MS));
  }
}
