package dev.vnetif.cli;

import java.time.Instant;

/**
 * The wall clock iperf measures with. A transfer between two virtual hosts runs in real time (the
 * network's clock is the system clock unless a test made it virtual), and what a user compares the
 * figure with, iperf3 over a real link, is wall-clock time too. Every time iperf reads goes through
 * here, so a test can drive the interval arithmetic with a clock of its own.
 */
interface IperfClock {
  /** Monotonic nanoseconds, for intervals and rates. */
  long nanos();

  /** The time of day, for the report's timestamp only. */
  Instant now();

  IperfClock WALL =
      new IperfClock() {
        @Override
        public long nanos() {
          return System.nanoTime();
        }

        @Override
        public Instant now() {
          return Instant.now();
        }
      };
}
