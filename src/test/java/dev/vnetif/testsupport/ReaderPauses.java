package dev.vnetif.testsupport;

import java.time.Duration;
import java.util.SplittableRandom;

/**
 * Where and how long a slow reader pauses, decided by a seed and the bytes read alone, not by how
 * the bytes happen to fall into reads. A read returns everything buffered — tens of kilobytes on a
 * fast path — so "pause on 1% of reads" would rarely pause at all; instead the pause points are
 * byte offsets about {@code meanGap} apart (uniformly 0.5 to 1.5 times it), each with a pause drawn
 * from [{@code minPause}, {@code maxPause}]. With {@code meanGap = chunk / p} that is
 * mirage-tcpip's "a fraction p of chunk-sized reads pause". Used from one reading loop at a time.
 */
public final class ReaderPauses {
  /** Separate streams, so where the pauses fall does not depend on how long they are. */
  private final SplittableRandom gaps;

  private final SplittableRandom durations;
  private final long meanGap;
  private final long minPauseNanos;
  private final long pauseSpanNanos;
  private long nextPoint;
  private long passed;
  private long pausedNanos;

  public ReaderPauses(long seed, long meanGap, Duration minPause, Duration maxPause) {
    if (meanGap < 2) {
      throw new IllegalArgumentException("meanGap must be >= 2 bytes, got " + meanGap);
    }
    if (maxPause.compareTo(minPause) < 0) {
      throw new IllegalArgumentException("maxPause " + maxPause + " < minPause " + minPause);
    }
    SplittableRandom base = new SplittableRandom(seed);
    this.gaps = base.split();
    this.durations = base.split();
    this.meanGap = meanGap;
    this.minPauseNanos = minPause.toNanos();
    this.pauseSpanNanos = maxPause.toNanos() - minPause.toNanos();
    this.nextPoint = gap();
  }

  /** The pause points within the first {@code total} bytes for this seed and spacing. */
  public static long pointsWithin(long seed, long meanGap, long total) {
    ReaderPauses pauses = new ReaderPauses(seed, meanGap, Duration.ZERO, Duration.ZERO);
    pauses.pauseAfter(total);
    return pauses.passed();
  }

  private long gap() {
    return gaps.nextLong(meanGap / 2, meanGap + meanGap / 2 + 1);
  }

  /**
   * How long to wait before the next read, {@code bytesRead} bytes having been read so far: the
   * pauses of every point passed since the last call, added up; zero if none.
   */
  public synchronized Duration pauseAfter(long bytesRead) {
    long nanos = 0;
    while (nextPoint <= bytesRead) {
      nanos += minPauseNanos + (pauseSpanNanos == 0 ? 0 : durations.nextLong(pauseSpanNanos + 1));
      passed++;
      nextPoint += gap();
    }
    pausedNanos += nanos;
    return Duration.ofNanos(nanos);
  }

  /** Pause points passed so far. */
  public synchronized long passed() {
    return passed;
  }

  /** All pauses so far, added up. */
  public synchronized Duration paused() {
    return Duration.ofNanos(pausedNanos);
  }
}
