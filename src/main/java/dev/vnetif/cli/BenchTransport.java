package dev.vnetif.cli;

import java.time.Duration;
import java.util.Arrays;

/**
 * One transport the end-to-end bench drives: the same three workloads, each run to completion,
 * verified, and timed from the first connect to the last close. An implementation throws {@link
 * BenchFailure} when a workload delivers wrong bytes, fails, or misses its deadline.
 */
interface BenchTransport extends AutoCloseable {

  /** The column heading: {@code virtual} or {@code pekko-tcp}. */
  String name();

  /**
   * One connection; {@code bytes} written by the client in {@link BenchPayloads#CHUNK_SIZE} writes;
   * the server reads to end of stream and counts.
   */
  BulkResult bulk(long bytes, Duration deadline) throws Exception;

  /** One connection; {@code roundTrips} strictly sequential 64-byte echoes. */
  PingPongResult pingPong(int roundTrips, Duration deadline) throws Exception;

  /**
   * {@code connections} connections, at most {@code concurrency} open at a time; on each the client
   * sends one byte, reads the echo, closes and waits for the server's close.
   */
  ConnectionRateResult connectionRate(int connections, int concurrency, Duration deadline)
      throws Exception;

  /**
   * {@code connections} connections opened (at most {@link #OPENING_AT_ONCE} at a time), each with
   * one byte echoed so both ends are established and have moved data, then all held open while the
   * heap is measured, then all closed. Both ends live in this JVM over either transport, so the
   * figure is the heap both ends of a connection take.
   *
   * @throws BenchFailure when not all could be opened; its summary says at how many it failed
   */
  MemoryResult heldConnections(int connections, Duration deadline) throws Exception;

  /**
   * Connections being opened at once by {@link #heldConnections}: a sliding window, within the
   * virtual listener's SYN backlog (128) and Pekko's default bind backlog (100).
   */
  int OPENING_AT_ONCE = 64;

  /**
   * The churn workload: {@code plan.connections()} connections through one server port, {@code
   * plan.concurrency()} at a time, each: connect, {@link ChurnPlan#ECHO_BYTES} echoed, the server
   * closes first (so it is the server that holds TIME_WAIT), then the client closes, or aborts for
   * a seeded fraction.
   */
  ChurnResult churn(ChurnPlan plan, Duration deadline) throws Exception;

  /** One line on the setup, for the report's header. */
  String describe();

  /** Releases what the transport holds (hosts, network); waits for that, briefly. */
  @Override
  void close();

  /** {@code bytes} moved from client to server in {@code nanos}. */
  record BulkResult(long bytes, long nanos) {
    /** Megabytes (10^6 bytes) per second. */
    double megabytesPerSecond() {
      return bytes / 1e6 / (nanos / 1e9);
    }
  }

  /** {@code latencyNanos[i]}: from writing request i to reading all of its echo. */
  record PingPongResult(int roundTrips, long nanos, long[] latencyNanos) {
    double roundTripsPerSecond() {
      return roundTrips / (nanos / 1e9);
    }

    double medianMicros() {
      return percentileMicros(0.50);
    }

    double p99Micros() {
      return percentileMicros(0.99);
    }

    /** Nearest-rank percentile. */
    double percentileMicros(double fraction) {
      return BenchTransport.percentile(latencyNanos, fraction) / 1e3;
    }
  }

  record ConnectionRateResult(int connections, int concurrency, long nanos) {
    double connectionsPerSecond() {
      return connections / (nanos / 1e9);
    }
  }

  /**
   * Heap in use after a full collection, before opening and with all connections open; {@code
   * openNanos}: the time it took to open them all.
   */
  record MemoryResult(int connections, long heapBefore, long heapHeld, long openNanos) {
    /** KiB (1024 bytes) of heap per connection, both ends. */
    double kibPerConnection() {
      return (heapHeld - heapBefore) / 1024.0 / connections;
    }
  }

  /** Nearest-rank percentile of {@code nanos} (0: the least, 1: the most); 0 when empty. */
  static long percentile(long[] nanos, double fraction) {
    if (nanos.length == 0) {
      return 0;
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(fraction * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }
}
