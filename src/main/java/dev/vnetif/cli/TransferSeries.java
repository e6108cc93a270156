package dev.vnetif.cli;

import dev.vnetif.TcpFlowStats;
import dev.vnetif.tcp.TcpState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The time series of one direction of an iperf run, what {@code iperf --report} writes as CSV and
 * draws: per reading of the sending flow, its windows, round-trip times and counters, the goodput
 * since the reading before, and the loss and recovery events in between.
 *
 * @param title what the series is of, e.g. "10.0.0.2:49152 -> 10.0.0.3:5001"
 */
record TransferSeries(String title, List<TransferSeries.Row> rows) {

  /** The CSV header, one column per component of {@link Row} in its order. */
  static final String CSV_HEADER =
      "time_s,state,cwnd_bytes,ssthresh_bytes,bytes_in_flight,srtt_ms,rto_ms,goodput_mbit_s,"
          + "bytes_acked,retransmits,fast_retransmits,timeouts,new_retransmits,"
          + "new_fast_retransmits,new_timeouts,event";

  /**
   * One reading. Counters are the flow's totals so far; the {@code new} ones are what they grew by
   * since the row before.
   *
   * @param seconds since both ends connected, on the network's clock
   * @param ssthresh bytes, or {@link Integer#MAX_VALUE} before the first loss
   * @param goodputMbitPerSecond bytes newly acknowledged since the row before, in 10^6 bit/s over
   *     the time since it (0 in the first row)
   */
  record Row(
      double seconds,
      TcpState state,
      int cwnd,
      int ssthresh,
      long bytesInFlight,
      double srttMillis,
      double rtoMillis,
      double goodputMbitPerSecond,
      long bytesAcked,
      long retransmits,
      long fastRetransmits,
      long timeouts,
      long newRetransmits,
      long newFastRetransmits,
      long newTimeouts) {

    /**
     * The row's event, the most severe first: {@code timeout} (RFC 6298 §5.4), {@code
     * fast-retransmit} (RFC 5681 §3.2, entering recovery), {@code retransmit} (any other, e.g.
     * NewReno's partial-ACK retransmission, RFC 6582 §3.2), or empty.
     */
    String event() {
      if (newTimeouts > 0) {
        return "timeout";
      }
      if (newFastRetransmits > 0) {
        return "fast-retransmit";
      }
      return newRetransmits > 0 ? "retransmit" : "";
    }

    boolean hasSsthresh() {
      return ssthresh != Integer.MAX_VALUE;
    }
  }

  TransferSeries {
    rows = List.copyOf(rows);
  }

  /** The rows of {@code samples}, taken in time order from one flow. */
  static TransferSeries of(String title, List<TransferSample> samples) {
    List<Row> rows = new ArrayList<>(samples.size());
    TransferSample before = null;
    for (TransferSample sample : samples) {
      rows.add(row(before, sample));
      before = sample;
    }
    return new TransferSeries(title, rows);
  }

  private static Row row(TransferSample before, TransferSample now) {
    TcpFlowStats s = now.stats();
    TcpFlowStats b = before == null ? null : before.stats();
    long elapsed = before == null ? 0 : now.nanos() - before.nanos();
    long acked = b == null ? 0 : s.bytesAcked() - b.bytesAcked();
    return new Row(
        now.nanos() / 1e9,
        s.state(),
        s.cwnd(),
        s.ssthresh(),
        s.bytesInFlight(),
        s.srtt().toNanos() / 1e6,
        s.rto().toNanos() / 1e6,
        elapsed > 0 ? acked * 8e3 / elapsed : 0,
        s.bytesAcked(),
        s.retransmits(),
        s.fastRetransmits(),
        s.timeouts(),
        b == null ? s.retransmits() : s.retransmits() - b.retransmits(),
        b == null ? s.fastRetransmits() : s.fastRetransmits() - b.fastRetransmits(),
        b == null ? s.timeouts() : s.timeouts() - b.timeouts());
  }

  /** The series as CSV: {@link #CSV_HEADER}, then a line per row; ssthresh empty when none. */
  void writeCsv(Appendable out) throws IOException {
    out.append(CSV_HEADER).append('\n');
    for (Row r : rows) {
      out.append(
          String.format(
              Locale.ROOT,
              "%.6f,%s,%d,%s,%d,%.3f,%.3f,%.3f,%d,%d,%d,%d,%d,%d,%d,%s\n",
              r.seconds(),
              r.state(),
              r.cwnd(),
              r.hasSsthresh() ? Integer.toString(r.ssthresh()) : "",
              r.bytesInFlight(),
              r.srttMillis(),
              r.rtoMillis(),
              r.goodputMbitPerSecond(),
              r.bytesAcked(),
              r.retransmits(),
              r.fastRetransmits(),
              r.timeouts(),
              r.newRetransmits(),
              r.newFastRetransmits(),
              r.newTimeouts(),
              r.event()));
    }
  }
}
