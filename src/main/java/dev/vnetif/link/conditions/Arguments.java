package dev.vnetif.link.conditions;

import java.time.Duration;
import java.util.Objects;

/**
 * The argument checks of the link-condition values: each failure is an {@link
 * IllegalArgumentException} (a {@link NullPointerException} for a missing value) whose message
 * names the argument and the value given. Support for the value model in {@code dev.vnetif}; not an
 * API of its own.
 */
public final class Arguments {
  private Arguments() {}

  /** A probability or correlation: in [0, 1] (NaN is refused). */
  public static double probability(String what, double value) {
    if (!(value >= 0.0 && value <= 1.0)) {
      throw new IllegalArgumentException(what + " must be in [0, 1], got " + value);
    }
    return value;
  }

  /** A duration that is not negative and fits in a long of nanoseconds (about 292 years). */
  public static Duration nonNegative(String what, Duration value) {
    Objects.requireNonNull(value, what);
    if (value.isNegative()) {
      throw new IllegalArgumentException(what + " must be >= 0, got " + value);
    }
    try {
      value.toNanos();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(what + " is too long, got " + value, e);
    }
    return value;
  }

  /** A count or size of at least {@code minimum}. */
  public static long atLeast(String what, long value, long minimum) {
    if (value < minimum) {
      throw new IllegalArgumentException(what + " must be >= " + minimum + ", got " + value);
    }
    return value;
  }

  /** A count or size of at least {@code minimum}. */
  public static int atLeast(String what, int value, int minimum) {
    if (value < minimum) {
      throw new IllegalArgumentException(what + " must be >= " + minimum + ", got " + value);
    }
    return value;
  }
}
