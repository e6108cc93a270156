package dev.vnetif.cli;

/**
 * The wall clock the bench measures with: both sides run in real time (Pekko's sockets cannot run
 * in a network's virtual time), so rates and latencies are wall-clock figures.
 */
final class BenchClock {
  private BenchClock() {}

  static long nanos() {
    return System.nanoTime();
  }
}
