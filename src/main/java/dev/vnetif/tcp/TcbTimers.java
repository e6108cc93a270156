package dev.vnetif.tcp;

/**
 * The deadlines a {@link Tcb} keeps, each off ({@link #OFF}) or at an absolute time in nanoseconds.
 * The flow actor runs one scheduler timer per kind; tests read them directly.
 */
public final class TcbTimers {
  /**
   * The kinds of timer (RFC 9293 §3.8, RFC 6298, RFC 1122 §4.2.3.2/§4.2.3.6, RFC 8985 §6.3 and
   * §7.2).
   */
  public enum Kind {
    RETRANSMIT,
    DELAYED_ACK,
    PERSIST,
    KEEPALIVE,
    TIME_WAIT,
    /** RACK's reorder timer: a segment's time to be judged lost comes (RFC 8985 §6.3). */
    REORDER,
    /** The tail loss probe's timeout, PTO (RFC 8985 §7.2). */
    PROBE
  }

  public static final long OFF = Long.MAX_VALUE;
  private static final Kind[] KINDS = Kind.values();

  private final long[] deadlines = new long[KINDS.length];

  TcbTimers() {
    java.util.Arrays.fill(deadlines, OFF);
  }

  public long deadline(Kind kind) {
    return deadlines[kind.ordinal()];
  }

  public boolean isArmed(Kind kind) {
    return deadlines[kind.ordinal()] != OFF;
  }

  void arm(Kind kind, long at) {
    deadlines[kind.ordinal()] = at;
  }

  void cancel(Kind kind) {
    deadlines[kind.ordinal()] = OFF;
  }

  void cancelAll() {
    java.util.Arrays.fill(deadlines, OFF);
  }

  /** The earliest armed deadline, or {@link #OFF}. */
  public long next() {
    long next = OFF;
    for (long d : deadlines) {
      next = Math.min(next, d);
    }
    return next;
  }

  /** True if {@code kind} is armed and due at {@code now}. */
  boolean due(Kind kind, long now) {
    long d = deadlines[kind.ordinal()];
    return d != OFF && d - now <= 0;
  }
}
