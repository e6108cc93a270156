package dev.vnetif.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;

/**
 * Writes the tool's charts (JFreeChart) as PNG files without a display: AWT runs headless, and the
 * image holds nothing but the chart (no time, no host name), so the same data gives the same file
 * on the same fonts.
 */
final class PngCharts {
  static final Color GRID = new Color(0xDD, 0xDD, 0xDD);

  private PngCharts() {}

  /**
   * Makes AWT headless unless told otherwise; call before the first chart object is made, since AWT
   * reads the setting once: a DISPLAY in the environment must not make it look for a screen.
   */
  static void headless() {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  /** White background, light grid lines: a chart for a page, not JFreeChart's grey default. */
  static void style(XYPlot plot) {
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(GRID);
    plot.setRangeGridlinePaint(GRID);
    plot.setDomainGridlineStroke(new BasicStroke(1f));
    plot.setRangeGridlineStroke(new BasicStroke(1f));
    plot.setOutlinePaint(Color.GRAY);
  }

  /**
   * Draws {@code chart} at {@code width} x {@code height} pixels into {@code file}, creating its
   * directory.
   *
   * @throws IOException when the file cannot be written
   */
  static void write(JFreeChart chart, int width, int height, Path file) throws IOException {
    chart.setBackgroundPaint(Color.WHITE);
    BufferedImage image =
        chart.createBufferedImage(width, height, BufferedImage.TYPE_INT_RGB, null);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (!ImageIO.write(image, "png", file.toFile())) {
      throw new IOException("no PNG writer in this JVM for " + file);
    }
  }
}
