package dev.vnetif.cli;

import dev.vnetif.TcpFlowStats;
import java.io.PrintWriter;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;

/**
 * What one direction of an iperf run achieved: bytes, time and rate, the sender's TCP counters at
 * the end, and whether the receiver read exactly what the sender wrote.
 *
 * @param sender "name address:port" of the writing end
 * @param receiver "name address:port" of the reading end
 * @param sent what the sender wrote
 * @param received what the receiver read
 * @param senderStats the sending flow's state after the close, or null when it had none
 */
record IperfReport(
    String sender,
    String receiver,
    PayloadWriter.Sent sent,
    PayloadReader.Received received,
    TcpFlowStats senderStats) {

  /** From the first write to the receiver's EOF. */
  double seconds() {
    return Math.max(1, received.eofNanos() - sent.startNanos()) / 1e9;
  }

  /** Megabytes (10^6 bytes, as iperf's and network rates are counted) per second. */
  double megabytesPerSecond() {
    return received.bytes() / 1e6 / seconds();
  }

  boolean contentMatches() {
    return sent.bytes() == received.bytes()
        && MessageDigest.isEqual(sent.sha256(), received.sha256());
  }

  void print(PrintWriter out) {
    out.printf("--- %s -> %s ---%n", sender, receiver);
    out.printf(Locale.ROOT, "transferred: %d bytes in %.3f s%n", received.bytes(), seconds());
    out.printf(Locale.ROOT, "throughput: %.2f MB/s (1 MB = 10^6 bytes)%n", megabytesPerSecond());
    if (senderStats != null) {
      TcpFlowStats s = senderStats;
      out.printf(
          "retransmits: %d (fast retransmits: %d, timeouts: %d)%n",
          s.retransmits(), s.fastRetransmits(), s.timeouts());
      out.printf(
          Locale.ROOT,
          "sender tcp: mss %d, cwnd %d bytes, ssthresh %s, srtt %.3f ms%n",
          s.mss(),
          s.cwnd(),
          s.ssthresh() == Integer.MAX_VALUE ? "none (no loss)" : s.ssthresh() + " bytes",
          s.srtt().toNanos() / 1e6);
    }
    HexFormat hex = HexFormat.of();
    if (contentMatches()) {
      out.printf("content: SHA-256 match (%s)%n", hex.formatHex(sent.sha256()));
    } else {
      out.printf(
          "content: SHA-256 MISMATCH: wrote %d bytes, SHA-256 %s; read %d bytes, " + "SHA-256 %s%n",
          sent.bytes(),
          hex.formatHex(sent.sha256()),
          received.bytes(),
          hex.formatHex(received.sha256()));
    }
  }
}
