package dev.vnetif.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * iperf3's text report, with its own format strings ({@code iperf_locale.c}): a line per stream and
 * interval with transfer, bitrate, retransmissions and congestion window, then after a separator
 * the sender's and the receiver's summary lines. Under {@code --bidir} each line names its role as
 * iperf3's bidirectional report does. Trailing blanks of iperf3's formats are left off.
 */
final class IperfText {
  static final String SEPARATOR = "- - - - - - - - - - - - - - - - - - - - - - - - -";
  private static final String INTERVAL =
      "[%3d]%s %6.2f-%-6.2f sec  %ss  %ss/sec  %3d   %ss       %s";
  private static final String SENDER = "[%3d]%s %6.2f-%-6.2f sec  %ss  %ss/sec  %3d             %s";
  private static final String RECEIVER =
      "[%3d]%s %6.2f-%-6.2f sec  %ss  %ss/sec                  %s";

  private final PrintWriter out;
  private final boolean bidir;

  IperfText(PrintWriter out, boolean bidir) {
    this.out = out;
    this.bidir = bidir;
  }

  /** iperf3's lines before the first interval. */
  void printConnected(
      String serverHost, int serverPort, String localHost, int localPort, boolean reverse) {
    out.printf("Connecting to host %s, port %d%n", serverHost, serverPort);
    if (reverse) {
      out.printf("Reverse mode, remote host %s is sending%n", serverHost);
    }
    out.printf(
        "[%3d] local %s port %d connected to %s port %d%n",
        IperfStream.ID, localHost, localPort, serverHost, serverPort);
    out.println(header() + "  Cwnd");
    out.flush();
  }

  void printInterval(IperfInterval interval) {
    for (IperfInterval.Stream s : interval.streams()) {
      out.println(
          line(
              INTERVAL,
              role(s.stream()),
              s.start(),
              s.end(),
              s.bytes(),
              s.bitsPerSecond(),
              s.retransmits(),
              IperfUnits.bytes(s.cwnd()),
              interval.omitted() ? "(omitted)" : ""));
    }
    out.flush();
  }

  void printSummary(List<IperfSummary> summaries) {
    out.println(SEPARATOR);
    out.println(header());
    for (IperfSummary s : summaries) {
      IperfSummary.Side tx = s.sender();
      IperfSummary.Side rx = s.receiver();
      String role = role(s.stream());
      out.println(
          line(
              SENDER,
              role,
              tx.start(),
              tx.end(),
              tx.bytes(),
              tx.bitsPerSecond(),
              tx.retransmits(),
              "sender"));
      out.println(
          line(RECEIVER, role, rx.start(), rx.end(), rx.bytes(), rx.bitsPerSecond(), "receiver"));
    }
    out.flush();
  }

  private String header() {
    return (bidir ? "[ ID][Role]" : "[ ID]")
        + " Interval           Transfer     Bitrate         Retr";
  }

  private String role(IperfStream stream) {
    return bidir ? "[" + stream.role + "]" : "";
  }

  /** One line: id, role, start, end, bytes and rate as iperf3 scales them, then {@code rest}. */
  private static String line(
      String format,
      String role,
      double start,
      double end,
      long bytes,
      double bitsPerSecond,
      Object... rest) {
    Object[] args = new Object[6 + rest.length];
    args[0] = IperfStream.ID;
    args[1] = role;
    args[2] = start;
    args[3] = end;
    args[4] = IperfUnits.bytes(bytes);
    args[5] = IperfUnits.bits(bitsPerSecond);
    System.arraycopy(rest, 0, args, 6, rest.length);
    return String.format(Locale.ROOT, format, args).stripTrailing();
  }
}
