package dev.vnetif.link.conditions;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * How the link-condition values print: the units and spellings of {@code tc qdisc ... netem}, so a
 * {@link dev.vnetif.LinkConditions} reads like the command line that would set it up. Support for
 * the value model in {@code dev.vnetif}; not an API of its own.
 */
public final class NetemText {
  private NetemText() {}

  /** A probability as tc prints it: {@code 0.01} is {@code "1%"}, {@code 0.005} is "0.5%". */
  public static String percent(double probability) {
    return BigDecimal.valueOf(probability).movePointRight(2).stripTrailingZeros().toPlainString()
        + "%";
  }

  /** A duration in the largest of s, ms, us, ns that states it exactly: "50ms", "1500us". */
  public static String time(Duration duration) {
    long nanos = duration.toNanos();
    if (nanos == 0) {
      return "0ms";
    }
    if (nanos % 1_000_000_000L == 0) {
      return nanos / 1_000_000_000L + "s";
    }
    if (nanos % 1_000_000L == 0) {
      return nanos / 1_000_000L + "ms";
    }
    if (nanos % 1_000L == 0) {
      return nanos / 1_000L + "us";
    }
    return nanos + "ns";
  }

  /** A rate in the largest of Gbit, Mbit, Kbit, bit (decimal, as tc) that states it exactly. */
  public static String rate(long bitsPerSecond) {
    if (bitsPerSecond % 1_000_000_000L == 0) {
      return bitsPerSecond / 1_000_000_000L + "Gbit";
    }
    if (bitsPerSecond % 1_000_000L == 0) {
      return bitsPerSecond / 1_000_000L + "Mbit";
    }
    if (bitsPerSecond % 1_000L == 0) {
      return bitsPerSecond / 1_000L + "Kbit";
    }
    return bitsPerSecond + "bit";
  }
}
