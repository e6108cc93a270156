package dev.vnetif.cli;

import dev.vnetif.link.PcapReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vnetif plot}: the time-sequence graph of one direction of a TCP connection in a capture
 * ({@link TimeSequenceSeries}, drawn by {@link TimeSequenceGraph}) as a PNG.
 */
@Command(
    name = "plot",
    mixinStandardHelpOptions = true,
    description =
        "Draw the time-sequence graph (tcptrace's, Wireshark's Stevens graph) of one TCP flow "
            + "direction in a pcap capture: segments over time (retransmissions in red), the ACK "
            + "line, the receive window's edge and the SACK blocks, as a PNG.",
    footer = {
      "Reads classic pcap files (microsecond or nanosecond, either byte order) of Ethernet, raw "
          + "IP or Linux cooked captures; pcapng must be converted (editcap -F pcap).",
      "Exit status: 0 when the graph (or the list) was written, 1 when the capture cannot be "
          + "read or holds no such TCP flow, 2 on a usage error."
    })
final class PlotCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "FILE.pcap", description = "The capture.")
  Path capture;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE.png",
      description = "Where to write the graph (default: the capture's name with .png).")
  Path output;

  @Option(
      names = "--flow",
      paramLabel = "ADDR:PORT>ADDR:PORT",
      description =
          "The direction to draw, sender first (quote the >). Default: the one that sent the "
              + "most data. --list shows them.")
  String flow;

  @Option(
      names = "--list",
      description = "List the TCP flow directions in the capture, the most data first; no graph.")
  boolean list;

  @Option(
      names = "--start",
      paramLabel = "SECONDS",
      description = "Draw from this time on (seconds from the connection's first segment).")
  Double start;

  @Option(
      names = "--end",
      paramLabel = "SECONDS",
      description = "Draw up to this time (seconds from the connection's first segment).")
  Double end;

  @Option(
      names = "--window",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Draw the receive window's edge (ACK + window; default). --no-window leaves it out, "
              + "so that the segments fill the height when the window is far above them.")
  boolean window;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    TcpDirection wanted = flow == null ? null : TcpDirection.parse(flow);
    double from = start == null ? Double.NEGATIVE_INFINITY : start;
    double to = end == null ? Double.POSITIVE_INFINITY : end;
    if (from > to) {
      throw new IllegalArgumentException("--start " + start + " is after --end " + end);
    }
    String name =
        capture.getFileName() == null ? capture.toString() : capture.getFileName().toString();
    try {
      List<CapturedSegment> segments =
          CapturedSegment.of(PcapReader.read(capture), capture.toString());
      List<TimeSequenceSeries.DirectionSummary> directions =
          TimeSequenceSeries.directions(segments);
      if (directions.isEmpty()) {
        err.println("vnetif plot: no TCP segment in " + capture);
        err.flush();
        return 1;
      }
      if (list) {
        for (TimeSequenceSeries.DirectionSummary d : directions) {
          out.printf(
              Locale.ROOT,
              "%-45s %12d bytes %8d segments%n",
              d.direction(),
              d.payloadBytes(),
              d.segments());
        }
        out.flush();
        return 0;
      }
      TcpDirection direction = wanted != null ? wanted : directions.get(0).direction();
      if (directions.stream().noneMatch(d -> d.direction().equals(direction))) {
        err.println(
            "vnetif plot: no TCP segment from "
                + direction
                + " in "
                + capture
                + "; it has "
                + String.join(
                    ", ", directions.stream().map(d -> d.direction().toString()).toList()));
        err.flush();
        return 1;
      }
      TimeSequenceSeries series = TimeSequenceSeries.of(segments, direction).between(from, to);
      Path png = output != null ? output : defaultOutput(capture);
      TimeSequenceGraph.write(series, name, window, png);
      out.printf(
          "%s: %d segments (%d retransmitted), %d ACKs, %d SACK blocks; graph written to %s%n",
          direction,
          series.sent().size(),
          series.retransmissions(),
          series.acks().size(),
          series.sacks().size(),
          png);
      out.flush();
      return 0;
    } catch (NoSuchFileException e) {
      return failed(err, "no such file: " + e.getFile());
    } catch (PcapReader.FormatException e) {
      return failed(err, e.getMessage());
    } catch (IOException e) {
      return failed(err, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private static int failed(PrintWriter err, String message) {
    err.println("vnetif plot: " + message);
    err.flush();
    return 1;
  }

  /** {@code run.pcap} gives {@code run.png}, next to it. */
  static Path defaultOutput(Path capture) {
    String file = capture.getFileName().toString();
    int dot = file.lastIndexOf('.');
    String base = dot > 0 ? file.substring(0, dot) : file;
    return capture.resolveSibling(base + ".png");
  }
}
