package dev.vnetif.link;

import java.time.Instant;

/**
 * Real time. The epoch is read once and advanced with {@link System#nanoTime()}: cheaper than
 * {@link Instant#now()} per frame, monotonic, and with nanosecond resolution, so frames in one
 * capture never appear to go back in time.
 */
final class SystemClock implements NetworkClock {
  static final SystemClock INSTANCE = new SystemClock();

  private final long epochAtStart;
  private final long nanoAtStart;

  private SystemClock() {
    Instant now = Instant.now();
    nanoAtStart = System.nanoTime();
    epochAtStart = now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public long epochNanos() {
    return epochAtStart + (System.nanoTime() - nanoAtStart);
  }
}
