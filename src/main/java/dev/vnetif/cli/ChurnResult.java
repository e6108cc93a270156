package dev.vnetif.cli;

/**
 * What the churn workload measured over one side.
 *
 * @param nanos from the first connect to the last connection's end
 * @param connectNanos per connection, from asking to connect to being connected
 * @param synRetransmitted connects whose client flow retransmitted its SYN (its retransmission
 *     timeouts when the connect completed), or -1 where the side cannot tell (Pekko: the kernel's)
 * @param aborted connections the client aborted
 * @param reused connects whose 4-tuple an earlier connection of the run had used
 * @param reusedInTimeWait of those, how many came within 2 MSL of that connection's end, while the
 *     server (which closes first) still held the 4-tuple in TIME_WAIT; -1 where unknown
 */
record ChurnResult(
    int connections,
    long nanos,
    long[] connectNanos,
    long synRetransmitted,
    int aborted,
    long reused,
    long reusedInTimeWait) {

  /** Connects slower than this count as having waited for a SYN retransmission. */
  static final long SLOW_CONNECT_NANOS = 1_000_000_000L;

  double connectionsPerSecond() {
    return connections / (nanos / 1e9);
  }

  double connectMillis(double fraction) {
    return BenchTransport.percentile(connectNanos, fraction) / 1e6;
  }

  /** Connects over 1 s: the first SYN retransmission comes after the initial RTO of 1 s. */
  long slowConnects() {
    long n = 0;
    for (long c : connectNanos) {
      if (c > SLOW_CONNECT_NANOS) {
        n++;
      }
    }
    return n;
  }
}
