package dev.vnetif.wire;

/**
 * Arithmetic on 32-bit TCP sequence numbers, which wrap around at 2^32 (RFC 9293 §3.4, serial
 * number arithmetic as in RFC 1982). Values are Java {@code int}s holding the unsigned number;
 * {@code a} is "before" {@code b} when {@code b - a} taken modulo 2^32 is below 2^31, so
 * comparisons are meaningful only for numbers less than 2^31 apart, which TCP guarantees for any
 * two numbers it compares.
 */
public final class SeqNum {

  private SeqNum() {}

  /** {@code a < b} in sequence space. */
  public static boolean lt(int a, int b) {
    return a - b < 0;
  }

  /** {@code a <= b} in sequence space. */
  public static boolean leq(int a, int b) {
    return a - b <= 0;
  }

  /** {@code a > b} in sequence space. */
  public static boolean gt(int a, int b) {
    return a - b > 0;
  }

  /** {@code a >= b} in sequence space. */
  public static boolean geq(int a, int b) {
    return a - b >= 0;
  }

  /** {@code a + n} modulo 2^32. */
  public static int add(int a, int n) {
    return a + n;
  }

  /** The signed distance {@code a - b}: positive when {@code a} is after {@code b}. */
  public static int diff(int a, int b) {
    return a - b;
  }

  /** The later of the two in sequence space. */
  public static int max(int a, int b) {
    return a - b >= 0 ? a : b;
  }

  /** The earlier of the two in sequence space. */
  public static int min(int a, int b) {
    return a - b <= 0 ? a : b;
  }

  /**
   * {@code start <= x < start + len} in sequence space (RFC 9293 §3.10.7.4's window test). A window
   * of length 0 or less contains nothing; a window of 2^32 contains everything.
   */
  public static boolean inWindow(int x, int start, long len) {
    return Integer.toUnsignedLong(x - start) < len;
  }

  /** {@code start <= x < start + len} for an int length; a negative length contains nothing. */
  public static boolean inWindow(int x, int start, int len) {
    return Integer.toUnsignedLong(x - start) < len;
  }

  /** The sequence number as the unsigned value it stands for, 0..2^32-1. */
  public static long toUnsigned(int seq) {
    return Integer.toUnsignedLong(seq);
  }
}
