package dev.vnetif.cli;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How much faster than real time a simulation ran: the virtual time that passed and the wall time
 * it took, over the same span. The wall time is read here and only here, for this report: nothing
 * simulated depends on it.
 */
record SpeedUp(long virtualNanos, long wallNanos) {

  /** Virtual seconds per wall second. */
  double ratio() {
    return wallNanos > 0 ? (double) virtualNanos / wallNanos : 0;
  }

  /** {@code virtual time 90.412 s, wall time 3.214 s, speed-up 28.1x}. */
  String line() {
    return String.format(
        Locale.ROOT,
        "virtual time %.3f s, wall time %.3f s, speed-up %.1fx",
        virtualNanos / 1e9,
        wallNanos / 1e9,
        ratio());
  }

  /** The same figures for {@code --json}. */
  Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("virtual_seconds", virtualNanos / 1e9);
    m.put("wall_seconds", wallNanos / 1e9);
    m.put("speed_up", ratio());
    return m;
  }

  /** Starts measuring a span on {@code clock} (virtual) and on the wall clock. */
  static Stopwatch start(TrafficClock clock) {
    return new Stopwatch(clock, clock.nanos(), WallClock.nanos());
  }

  /** A span being measured. */
  record Stopwatch(TrafficClock clock, long virtualStart, long wallStart) {
    /** The span from the start until now. */
    SpeedUp stop() {
      return new SpeedUp(clock.nanos() - virtualStart, WallClock.nanos() - wallStart);
    }
  }
}
