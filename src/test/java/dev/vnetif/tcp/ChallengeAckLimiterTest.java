package dev.vnetif.tcp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link ChallengeAckLimiter} on its own: RFC 5961 §7's per-second bound. */
class ChallengeAckLimiterTest {
  private static final long MS = 1_000_000L;
  private static final long T = 1_000_000_000_000L;

  @Test
  @DisplayName(
      "RFC 5961 §7: at most the limit (3) per second; the fourth in the same second is refused")
  void limitPerSecond() {
    ChallengeAckLimiter limiter = new ChallengeAckLimiter(3);
    assertTrue(limiter.tryAcquire(T));
    assertTrue(limiter.tryAcquire(T + 10 * MS));
    assertTrue(limiter.tryAcquire(T + 20 * MS));
    assertFalse(limiter.tryAcquire(T + 30 * MS));
    assertFalse(limiter.tryAcquire(T + 999 * MS));
  }

  @Test
  @DisplayName(
      "RFC 5961 §7: the second is counted from the first challenge of the window: refused 1 ns before it ends, allowed at exactly 1 s")
  void windowBoundary() {
    ChallengeAckLimiter limiter = new ChallengeAckLimiter(1);
    assertTrue(limiter.tryAcquire(T));
    assertFalse(limiter.tryAcquire(T + 1_000 * MS - 1));
    assertTrue(limiter.tryAcquire(T + 1_000 * MS));
    assertFalse(limiter.tryAcquire(T + 1_500 * MS));
  }

  @Test
  @DisplayName(
      "RFC 5961 §7: a new window starts at the first challenge after the old one ended, not on a fixed grid")
  void windowAnchoredAtFirstChallenge() {
    ChallengeAckLimiter limiter = new ChallengeAckLimiter(2);
    assertTrue(limiter.tryAcquire(T));
    assertTrue(limiter.tryAcquire(T + 900 * MS));
    // The next window opens at 2.5 s, so it lasts until 3.5 s.
    assertTrue(limiter.tryAcquire(T + 2_500 * MS));
    assertTrue(limiter.tryAcquire(T + 3_000 * MS));
    assertFalse(limiter.tryAcquire(T + 3_499 * MS));
    assertTrue(limiter.tryAcquire(T + 3_500 * MS));
  }

  @Test
  @DisplayName("RFC 5961 §7: refused attempts neither count nor move the window")
  void refusalsDoNotExtendWindow() {
    ChallengeAckLimiter limiter = new ChallengeAckLimiter(1);
    assertTrue(limiter.tryAcquire(T));
    for (int i = 1; i < 100; i++) {
      assertFalse(limiter.tryAcquire(T + i * 10 * MS - 1));
    }
    assertTrue(limiter.tryAcquire(T + 1_000 * MS));
  }

  @Test
  @DisplayName("the first challenge is allowed at any clock value, zero and negative included")
  void firstChallengeAtAnyTime() {
    assertTrue(new ChallengeAckLimiter(1).tryAcquire(0));
    assertTrue(new ChallengeAckLimiter(1).tryAcquire(-5 * MS));
    assertTrue(new ChallengeAckLimiter(1).tryAcquire(Long.MIN_VALUE + 1));
  }
}
