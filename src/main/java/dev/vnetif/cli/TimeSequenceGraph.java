package dev.vnetif.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.file.Path;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.chart.renderer.xy.YIntervalRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * Draws a {@link TimeSequenceSeries} as tcptrace does: each segment a vertical bar over the
 * sequence numbers it carried at the time it was seen (retransmissions in red), the ACK line
 * beneath them and the receive window's right edge above, both as steps, and the SACK blocks as
 * bars between them.
 */
final class TimeSequenceGraph {
  static final int WIDTH = 1000;
  static final int HEIGHT = 700;

  static final Color SENT = new Color(0x1F, 0x3A, 0x93);
  static final Color RETRANSMITTED = new Color(0xD6, 0x27, 0x28);
  static final Color SACKED = new Color(0x94, 0x67, 0xBD);
  static final Color ACKED = new Color(0x2C, 0xA0, 0x2C);
  static final Color WINDOW = new Color(0xC8, 0x9B, 0x00);

  private TimeSequenceGraph() {}

  /**
   * Draws {@code series} into {@code file} as a PNG, titled with {@code name}; {@code window}: with
   * the receive window's edge (far above the segments on a fast link, it squeezes them).
   */
  static void write(TimeSequenceSeries series, String name, boolean window, Path file)
      throws IOException {
    PngCharts.write(chart(series, name, window), WIDTH, HEIGHT, file);
  }

  static JFreeChart chart(TimeSequenceSeries series, String name, boolean withWindow) {
    PngCharts.headless();
    YIntervalSeries sent = new YIntervalSeries("segment");
    YIntervalSeries retransmitted = new YIntervalSeries("retransmission");
    YIntervalSeries sacked = new YIntervalSeries("SACK block");
    for (TimeSequenceSeries.Sent s : series.sent()) {
      (s.retransmission() ? retransmitted : sent).add(s.seconds(), s.end(), s.start(), s.end());
    }
    for (TimeSequenceSeries.Sack s : series.sacks()) {
      sacked.add(s.seconds(), s.right(), s.left(), s.right());
    }
    YIntervalSeriesCollection segments = new YIntervalSeriesCollection();
    segments.addSeries(retransmitted);
    segments.addSeries(sent);
    segments.addSeries(sacked);
    YIntervalRenderer bars = new YIntervalRenderer();
    // An I-beam per segment, as tcptrace draws them: a tick at each end of the bar.
    Rectangle2D tick = new Rectangle2D.Double(-2.5, -0.5, 5, 1);
    bars.setSeriesPaint(0, RETRANSMITTED);
    bars.setSeriesStroke(0, new BasicStroke(2f));
    bars.setSeriesPaint(1, SENT);
    bars.setSeriesStroke(1, new BasicStroke(1f));
    bars.setSeriesPaint(2, SACKED);
    bars.setSeriesStroke(2, new BasicStroke(2f));
    for (int i = 0; i < 3; i++) {
      bars.setSeriesShape(i, tick);
    }

    XYSeries acked = new XYSeries("ACK", false, true);
    XYSeries window = new XYSeries("receive window (ACK + window)", false, true);
    for (TimeSequenceSeries.Ack a : series.acks()) {
      acked.add(a.seconds(), a.ack());
      window.add(a.seconds(), a.windowEnd());
    }
    XYSeriesCollection lines = new XYSeriesCollection();
    lines.addSeries(acked);
    if (withWindow) {
      lines.addSeries(window);
    }
    XYStepRenderer steps = new XYStepRenderer();
    steps.setSeriesPaint(0, ACKED);
    steps.setSeriesStroke(0, new BasicStroke(1.2f));
    steps.setSeriesPaint(1, WINDOW);
    steps.setSeriesStroke(1, new BasicStroke(1.2f));

    NumberAxis time = new NumberAxis("time (s)");
    time.setAutoRangeIncludesZero(false);
    NumberAxis sequence = new NumberAxis("relative sequence number (bytes)");
    sequence.setAutoRangeIncludesZero(false);
    XYPlot plot = new XYPlot(segments, time, sequence, bars);
    plot.setDataset(1, lines);
    plot.setRenderer(1, steps);
    PngCharts.style(plot);

    JFreeChart chart =
        new JFreeChart(
            "time-sequence graph: " + series.direction(),
            new Font("SansSerif", Font.BOLD, 15),
            plot,
            true);
    chart.addSubtitle(new TextTitle(subtitle(series, name), new Font("SansSerif", Font.PLAIN, 12)));
    chart.setPadding(new RectangleInsets(8, 8, 8, 16));
    return chart;
  }

  private static String subtitle(TimeSequenceSeries series, String name) {
    return name
        + ": "
        + series.sent().size()
        + " segments, "
        + series.retransmissions()
        + " retransmitted, "
        + series.acks().size()
        + " ACKs, "
        + series.sacks().size()
        + " SACK blocks"
        + (series.windowScaled() ? "" : "; no handshake in the capture: window not scaled");
  }
}
