package dev.vnetif.link;

/**
 * The time source of one virtual network. Every actor of a network reads time from its clock rather
 * than from {@link System}, so that a network can later run in virtual time and a run can be
 * replayed (ARCHITECTURE.md, "Time is injected").
 */
public interface NetworkClock {

  /** Monotonic time in nanoseconds, for timers and round-trip measurements. */
  long nanoTime();

  /** Wall-clock time in nanoseconds since the Unix epoch, for frame timestamps and pcap. */
  long epochNanos();

  /** The real clock: {@link System#nanoTime()} anchored once to the wall clock. */
  static NetworkClock system() {
    return SystemClock.INSTANCE;
  }
}
