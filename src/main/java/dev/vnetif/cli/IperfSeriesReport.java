package dev.vnetif.cli;

import dev.vnetif.TcpFlow;
import java.io.IOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code iperf --report DIR} writes: per direction of the run, the time series of its sending
 * flow ({@link TransferSeries}) as {@code iperf.csv} and its chart as {@code iperf.png}; under
 * {@code --bidir} one pair per direction, {@code iperf-tx-c.*} and {@code iperf-rx-c.*}.
 *
 * <p>{@link #start} and {@link #stop} run on the run's clock executor, as the run's own steps do.
 */
final class IperfSeriesReport {
  private final Path directory;
  private final long intervalNanos;
  private final TrafficClock clock;
  private final List<Sampled> sampled = new ArrayList<>();
  private final List<TransferSeries> series = new ArrayList<>();

  private record Sampled(IperfStream stream, String title, TransferSampler sampler) {}

  IperfSeriesReport(Path directory, long intervalNanos, TrafficClock clock) {
    this.directory = directory;
    this.intervalNanos = intervalNanos;
    this.clock = clock;
  }

  /** Both ends connected: time zero of every series; starts sampling each stream's sender. */
  void start(List<IperfStream> streams) {
    for (IperfStream stream : streams) {
      TcpFlow flow = stream.sender();
      String title =
          (stream.role.isEmpty() ? "" : stream.role + ": ")
              + hostPort(flow.src())
              + " -> "
              + hostPort(flow.dst());
      sampled.add(
          new Sampled(
              stream, title, TransferSampler.start(stream::senderStats, clock, intervalNanos)));
    }
  }

  /** The run ended (or failed): a last reading of each sender, and no more. */
  void stop() {
    if (!series.isEmpty()) {
      return;
    }
    for (Sampled s : sampled) {
      series.add(TransferSeries.of(s.title(), s.sampler().stop()));
    }
  }

  /** The series taken, one per direction; empty when the run never connected. */
  List<TransferSeries> series() {
    return List.copyOf(series);
  }

  /**
   * Writes each direction's CSV and PNG into the directory, creating it.
   *
   * @return the files written, in order
   */
  List<Path> write() throws IOException {
    Files.createDirectories(directory);
    List<Path> written = new ArrayList<>();
    for (int i = 0; i < series.size(); i++) {
      String role = sampled.get(i).stream().role;
      String base = role.isEmpty() ? "iperf" : "iperf-" + role.toLowerCase(Locale.ROOT);
      Path csv = directory.resolve(base + ".csv");
      try (Writer out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
        series.get(i).writeCsv(out);
      }
      Path png = directory.resolve(base + ".png");
      TransferChart.write(series.get(i), png);
      written.add(csv);
      written.add(png);
    }
    return written;
  }

  private static String hostPort(InetSocketAddress address) {
    return address.getAddress().getHostAddress() + ":" + address.getPort();
  }
}
