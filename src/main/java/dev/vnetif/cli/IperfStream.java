package dev.vnetif.cli;

import dev.vnetif.TcpFlow;
import dev.vnetif.TcpFlowStats;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One direction of an iperf run, what iperf3 calls a stream: the counters its two ends advance and
 * the flow that sends on it. Under {@code --bidir} both directions share one connection, so both
 * streams carry iperf3's first data socket number and differ by role, as iperf3's bidirectional
 * report tells them apart ({@code TX-C}: the client sends, {@code RX-C}: the client receives).
 */
final class IperfStream {
  /** iperf3 numbers a stream by its socket; its first data socket is 5, so users expect [ 5]. */
  static final int ID = 5;

  /** {@code TX-C}, {@code RX-C}, or empty when the run has one direction. */
  final String role;

  /** Whether the client is the sending end (iperf3's "sender" flag, seen from the client). */
  final boolean clientSends;

  /** Bytes whose write completed: they are in the sender's send buffer. */
  final AtomicLong written = new AtomicLong();

  /** Bytes the receiving end has read. */
  final AtomicLong read = new AtomicLong();

  private volatile TcpFlow sender;

  IperfStream(String role, boolean clientSends) {
    this.role = role;
    this.clientSends = clientSends;
  }

  void sender(TcpFlow flow) {
    this.sender = flow;
  }

  /** The flow that sends on this stream, or null before both ends connected. */
  TcpFlow sender() {
    return sender;
  }

  /** The sending flow's TCP state as its actor last published it, or null before it connected. */
  TcpFlowStats senderStats() {
    TcpFlow flow = sender;
    return flow == null ? null : flow.stats();
  }

  /** The counters now, with the sending flow's TCP state as its actor last published it. */
  Snapshot snapshot(long nanos) {
    TcpFlowStats s = senderStats();
    return new Snapshot(
        nanos,
        written.get(),
        read.get(),
        s == null ? 0 : s.retransmits(),
        s == null ? 0 : s.cwnd(),
        s == null ? 0 : s.srtt().toNanos() / 1_000);
  }

  /** One reading of a stream's counters at {@code nanos} ({@link TrafficClock}). */
  record Snapshot(
      long nanos, long written, long read, long retransmits, int cwnd, long rttMicros) {}
}
