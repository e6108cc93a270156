package dev.vnetif.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * One reporting interval of an iperf run (iperf3's {@code -i}): per stream, what its sender got
 * into the send buffer in that time, the retransmissions it made, and its congestion window at the
 * end.
 *
 * @param omitted within iperf3's {@code -O} warm-up: printed, but not part of the summary
 */
record IperfInterval(List<Stream> streams, boolean omitted) {

  /**
   * One stream's share; times in seconds from the start of the test (the end of the warm-up).
   *
   * @param rttMicros the sender's smoothed round-trip time at the end of the interval
   */
  record Stream(
      IperfStream stream,
      double start,
      double end,
      long bytes,
      long retransmits,
      int cwnd,
      long rttMicros) {
    double seconds() {
      return end - start;
    }

    /** iperf3 rates are in bits (10^3-based multiples), as network links are. */
    double bitsPerSecond() {
      return seconds() > 0 ? bytes * 8 / seconds() : 0;
    }
  }

  /** The interval from {@code before} to {@code after}, stream by stream, timed from {@code t0}. */
  static IperfInterval between(
      List<IperfStream> streams,
      List<IperfStream.Snapshot> before,
      List<IperfStream.Snapshot> after,
      long t0,
      boolean omitted) {
    List<Stream> parts = new ArrayList<>();
    for (int i = 0; i < streams.size(); i++) {
      IperfStream.Snapshot a = before.get(i);
      IperfStream.Snapshot b = after.get(i);
      parts.add(
          new Stream(
              streams.get(i),
              (a.nanos() - t0) / 1e9,
              (b.nanos() - t0) / 1e9,
              b.written() - a.written(),
              b.retransmits() - a.retransmits(),
              b.cwnd(),
              b.rttMicros()));
    }
    return new IperfInterval(parts, omitted);
  }

  /** No bytes and no retransmission in any stream. */
  boolean idle() {
    return streams.stream().allMatch(s -> s.bytes() == 0 && s.retransmits() == 0);
  }
}
