package dev.vnetif.cli;

/**
 * The wall clock of the command-line tool: the one place it reads the machine's time. Bench rates
 * and latencies (Pekko's sockets cannot run in virtual time), the wall time beside a simulation's
 * virtual time (its speed-up), ping pacing and progress bars all read it; what the network does
 * reads the network's clock instead.
 */
final class WallClock {
  private WallClock() {}

  static long nanos() {
    return System.nanoTime();
  }
}
