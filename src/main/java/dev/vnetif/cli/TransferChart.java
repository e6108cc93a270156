package dev.vnetif.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.util.ShapeUtils;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The chart of a {@link TransferSeries}: three plots over one time axis, the sender's windows in
 * KiB (cwnd, ssthresh, bytes in flight, with a mark at each fast retransmit and timeout), its
 * round-trip times in ms (SRTT, RTO), and the goodput in Mbit/s.
 */
final class TransferChart {
  static final int WIDTH = 1000;
  static final int HEIGHT = 760;

  static final Color CWND = new Color(0x1F, 0x77, 0xB4);
  static final Color SSTHRESH = new Color(0x2C, 0xA0, 0x2C);
  static final Color IN_FLIGHT = new Color(0xFF, 0x7F, 0x0E);
  static final Color FAST_RETRANSMIT = new Color(0xE6, 0x9F, 0x00);
  static final Color TIMEOUT = new Color(0xD6, 0x27, 0x28);
  static final Color SRTT = new Color(0x1F, 0x77, 0xB4);
  static final Color RTO = new Color(0x7F, 0x7F, 0x7F);
  static final Color GOODPUT = new Color(0x2C, 0xA0, 0x2C);

  /** The goodput line averages over this much of the series (the CSV has each row's own). */
  static final double GOODPUT_WINDOW_SECONDS = 0.1;

  private static final BasicStroke LINE = new BasicStroke(1.5f);
  private static final BasicStroke DASHED =
      new BasicStroke(
          1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);

  private TransferChart() {}

  /** Draws {@code series} into {@code file} as a PNG. */
  static void write(TransferSeries series, Path file) throws IOException {
    PngCharts.write(chart(series), WIDTH, HEIGHT, file);
  }

  static JFreeChart chart(TransferSeries series) {
    PngCharts.headless();
    NumberAxis time = new NumberAxis("time (s)");
    time.setAutoRangeIncludesZero(true);
    CombinedDomainXYPlot combined = new CombinedDomainXYPlot(time);
    combined.setGap(12);
    combined.add(windows(series), 3);
    combined.add(roundTrips(series), 2);
    combined.add(goodput(series), 2);
    JFreeChart chart =
        new JFreeChart(series.title(), new Font("SansSerif", Font.BOLD, 15), combined, true);
    chart.setPadding(new RectangleInsets(8, 8, 8, 16));
    return chart;
  }

  private static XYPlot windows(TransferSeries series) {
    XYSeries cwnd = new XYSeries("cwnd", false, true);
    XYSeries ssthresh = new XYSeries("ssthresh", false, true);
    XYSeries inFlight = new XYSeries("bytes in flight", false, true);
    XYSeries fast = new XYSeries("fast retransmit", false, true);
    XYSeries timeouts = new XYSeries("timeout", false, true);
    for (TransferSeries.Row r : series.rows()) {
      double kib = r.cwnd() / 1024.0;
      cwnd.add(r.seconds(), kib);
      if (r.hasSsthresh()) {
        ssthresh.add(r.seconds(), r.ssthresh() / 1024.0);
      }
      inFlight.add(r.seconds(), r.bytesInFlight() / 1024.0);
      if (r.newTimeouts() > 0) {
        timeouts.add(r.seconds(), kib);
      } else if (r.newFastRetransmits() > 0) {
        fast.add(r.seconds(), kib);
      }
    }
    XYSeriesCollection lines = new XYSeriesCollection();
    lines.addSeries(cwnd);
    lines.addSeries(ssthresh);
    lines.addSeries(inFlight);
    XYLineAndShapeRenderer lineRenderer = new XYLineAndShapeRenderer(true, false);
    lineRenderer.setSeriesPaint(0, CWND);
    lineRenderer.setSeriesStroke(0, LINE);
    lineRenderer.setSeriesPaint(1, SSTHRESH);
    lineRenderer.setSeriesStroke(1, DASHED);
    lineRenderer.setSeriesPaint(2, IN_FLIGHT);
    lineRenderer.setSeriesStroke(2, new BasicStroke(1f));
    XYSeriesCollection events = new XYSeriesCollection();
    events.addSeries(fast);
    events.addSeries(timeouts);
    XYLineAndShapeRenderer eventRenderer = new XYLineAndShapeRenderer(false, true);
    eventRenderer.setSeriesPaint(0, FAST_RETRANSMIT);
    eventRenderer.setSeriesShape(0, ShapeUtils.createDownTriangle(4f));
    eventRenderer.setSeriesPaint(1, TIMEOUT);
    eventRenderer.setSeriesShape(1, ShapeUtils.createDiagonalCross(5f, 1.2f));
    XYPlot plot = new XYPlot(events, null, axis("window (KiB)"), eventRenderer);
    // Marks drawn over the lines: dataset 0 is rendered last in the default (reverse) order.
    plot.setDataset(1, lines);
    plot.setRenderer(1, lineRenderer);
    PngCharts.style(plot);
    return plot;
  }

  private static XYPlot roundTrips(TransferSeries series) {
    XYSeries srtt = new XYSeries("SRTT", false, true);
    XYSeries rto = new XYSeries("RTO", false, true);
    for (TransferSeries.Row r : series.rows()) {
      srtt.add(r.seconds(), r.srttMillis());
      rto.add(r.seconds(), r.rtoMillis());
    }
    XYSeriesCollection data = new XYSeriesCollection();
    data.addSeries(srtt);
    data.addSeries(rto);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
    renderer.setSeriesPaint(0, SRTT);
    renderer.setSeriesStroke(0, LINE);
    renderer.setSeriesPaint(1, RTO);
    renderer.setSeriesStroke(1, DASHED);
    XYPlot plot = new XYPlot(data, null, axis("RTT (ms)"), renderer);
    PngCharts.style(plot);
    return plot;
  }

  private static XYPlot goodput(TransferSeries series) {
    XYSeries goodput =
        new XYSeries(
            String.format(Locale.ROOT, "goodput (%.0f ms average)", GOODPUT_WINDOW_SECONDS * 1e3),
            false,
            true);
    // ACKs come in bursts (a delayed ACK covers two segments, a window's ACKs come together):
    // per 10 ms row the rate is all or nothing, so the line is each row's average over the
    // rows of the last GOODPUT_WINDOW_SECONDS.
    List<TransferSeries.Row> rows = series.rows();
    int from = 0;
    for (int i = 1; i < rows.size(); i++) {
      TransferSeries.Row now = rows.get(i);
      while (from < i - 1
          && now.seconds() - rows.get(from + 1).seconds() >= GOODPUT_WINDOW_SECONDS) {
        from++;
      }
      TransferSeries.Row start = rows.get(from);
      double seconds = now.seconds() - start.seconds();
      if (seconds > 0) {
        goodput.add(now.seconds(), (now.bytesAcked() - start.bytesAcked()) * 8 / seconds / 1e6);
      }
    }
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
    renderer.setSeriesPaint(0, GOODPUT);
    renderer.setSeriesStroke(0, LINE);
    XYPlot plot =
        new XYPlot(new XYSeriesCollection(goodput), null, axis("goodput (Mbit/s)"), renderer);
    PngCharts.style(plot);
    return plot;
  }

  private static NumberAxis axis(String label) {
    NumberAxis axis = new NumberAxis(label);
    axis.setAutoRangeIncludesZero(true);
    return axis;
  }
}
