package dev.vnetif.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A byte count as a user types it: {@code 3780}, {@code 64K}, {@code 10M}, {@code 1G}. As in
 * iperf(1), the bare suffixes are binary: K = 2^10, M = 2^20, G = 2^30 bytes. Spelled out, {@code
 * KB}/{@code MB}/{@code GB} are decimal (10^3, 10^6, 10^9) and {@code KiB}/{@code MiB}/{@code GiB}
 * binary.
 */
final class ByteSize {
  private static final Pattern SIZE =
      Pattern.compile("(\\d+)(KiB|MiB|GiB|KB|MB|GB|K|M|G)?", Pattern.CASE_INSENSITIVE);

  private ByteSize() {}

  /**
   * The number of bytes {@code text} stands for.
   *
   * @throws IllegalArgumentException naming {@code option} and {@code text} when it is not a number
   *     with an optional K, M or G suffix, or does not fit in a long
   */
  static long parse(String option, String text) {
    Matcher m = SIZE.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          option
              + ": '"
              + text
              + "' is not a size; expected a number with an optional suffix (K, M, G, KB, MB, GB,"
              + " KiB, MiB, GiB), e.g. 10M");
    }
    String suffix = m.group(2) == null ? "" : m.group(2).toUpperCase(Locale.ROOT);
    long unit =
        switch (suffix) {
          case "K", "KIB" -> 1L << 10;
          case "M", "MIB" -> 1L << 20;
          case "G", "GIB" -> 1L << 30;
          case "KB" -> 1_000L;
          case "MB" -> 1_000_000L;
          case "GB" -> 1_000_000_000L;
          default -> 1L;
        };
    try {
      return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException(option + ": '" + text + "' is too large", e);
    }
  }
}
