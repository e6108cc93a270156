package dev.vnetif.link.conditions;

import dev.vnetif.ConditionStep;

/**
 * {@code rate}: netem's serialization, each frame starting when both it is ready and the previous
 * one is through: {@code max(ready, busy until) + (length + overhead) * 8 / rate}.
 */
final class RateRunner extends StepRunner {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final long bitsPerSecond;
  private final int overheadBytes;
  private long busyUntil = Long.MIN_VALUE;

  RateRunner(ConditionStep.Rate step) {
    super(step);
    this.bitsPerSecond = step.bitsPerSecond();
    this.overheadBytes = step.overheadBytes();
  }

  @Override
  Verdict apply(InFlight frame) {
    if (frame.early) {
      return Verdict.PASS; // netem puts a reordered frame at the head, outside the rate
    }
    long start = frame.readyAt;
    if (busyUntil > start) {
      start = busyUntil;
      queued++;
    }
    busyUntil = later(start, transmissionNanos(frame.bytes.length()));
    frame.readyAt = busyUntil;
    return Verdict.PASS;
  }

  /**
   * Nanoseconds to send {@code length} bytes plus the overhead (at least one byte), rounded down.
   */
  long transmissionNanos(int length) {
    long bits = Math.max(1L, (long) length + overheadBytes) * 8;
    if (bits <= Long.MAX_VALUE / NANOS_PER_SECOND) {
      return bits * NANOS_PER_SECOND / bitsPerSecond;
    }
    return (long) Math.min(0x1.0p62, (double) bits * NANOS_PER_SECOND / bitsPerSecond);
  }
}
