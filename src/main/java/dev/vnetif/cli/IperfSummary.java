package dev.vnetif.cli;

import java.util.List;

/**
 * The end of an iperf run for one stream, as iperf3 sums it up: the sender's line (what it wrote
 * from time zero to when its writes finished, its retransmissions, its largest congestion window
 * and round-trip times) and the receiver's line (what it read from time zero to end of stream).
 * Time zero is the end of the warm-up ({@code -O}); the warm-up's bytes are in neither line.
 */
record IperfSummary(
    IperfStream stream,
    Side sender,
    Side receiver,
    int maxCwnd,
    long minRtt,
    long meanRtt,
    long maxRtt) {

  /** One line: seconds from time zero, bytes, and (for the sender) retransmissions. */
  record Side(double start, double end, long bytes, long retransmits) {
    double seconds() {
      return end - start;
    }

    double bitsPerSecond() {
      return seconds() > 0 ? bytes * 8 / seconds() : 0;
    }
  }

  /**
   * @param index the stream's place in the timeline's snapshots
   * @param received what the stream's receiver read, in all (warm-up included), and when EOF came
   */
  static IperfSummary of(
      int index,
      IperfStream stream,
      IperfTimeline.Result timeline,
      PayloadReader.Received received) {
    IperfStream.Snapshot base = timeline.base().get(index);
    IperfStream.Snapshot last = timeline.last().get(index);
    double t0 = timeline.startNanos();
    Side sender =
        new Side(
            0,
            (last.nanos() - t0) / 1e9,
            last.written() - base.written(),
            last.retransmits() - base.retransmits());
    Side receiver =
        new Side(0, Math.max(0, received.eofNanos() - t0) / 1e9, received.bytes() - base.read(), 0);
    int maxCwnd = last.cwnd();
    long minRtt = last.rttMicros();
    long maxRtt = last.rttMicros();
    long rttSum = 0;
    int samples = 0;
    List<IperfInterval> intervals = timeline.intervals();
    for (IperfInterval interval : intervals) {
      if (interval.omitted()) {
        continue;
      }
      IperfInterval.Stream s = interval.streams().get(index);
      maxCwnd = Math.max(maxCwnd, s.cwnd());
      minRtt = Math.min(minRtt, s.rttMicros());
      maxRtt = Math.max(maxRtt, s.rttMicros());
      rttSum += s.rttMicros();
      samples++;
    }
    long meanRtt = samples == 0 ? last.rttMicros() : rttSum / samples;
    return new IperfSummary(stream, sender, receiver, maxCwnd, minRtt, meanRtt, maxRtt);
  }
}
