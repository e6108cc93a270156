package dev.vnetif.cli;

import dev.vnetif.TcpFlowStats;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code vnetif goodput} prints: a markdown table with a row per cell (RTT, loss, measured
 * goodput, retransmits, timeouts, the Mathis and PFTK figures for the same MSS, RTT and loss, and
 * the virtual and wall time the cell took), or the same as one JSON document.
 *
 * @param t0 PFTK's first timeout: the TCP's minimum RTO
 * @param total the virtual time of all cells together and the whole command's wall time (actor
 *     systems included)
 */
record GoodputTable(
    List<GoodputCell.Result> cells, GoodputCell.Settings settings, Duration t0, SpeedUp total) {

  static final String HEADER =
      "| RTT | loss | goodput (Mbit/s) | retransmits | timeouts | Mathis (Mbit/s) "
          + "| PFTK (Mbit/s) | virtual (s) | wall (s) |";

  /** Any cell whose transfer failed. */
  boolean anyFailed() {
    return cells.stream().anyMatch(c -> c.error() != null);
  }

  void printMarkdown(PrintWriter out) {
    out.println(HEADER);
    out.println("|---|---|---|---|---|---|---|---|---|");
    for (GoodputCell.Result c : cells) {
      TcpFlowStats s = c.sender();
      out.printf(
          Locale.ROOT,
          "| %s | %s | %s | %s | %s | %s | %s | %.1f | %.1f |%n",
          rttText(c.spec().rtt()),
          lossText(c.spec().lossPercent()),
          c.error() == null ? mbit(c.goodputBitsPerSecond()) : "failed",
          s == null ? "-" : Long.toString(s.retransmits()),
          s == null ? "-" : Long.toString(s.timeouts()),
          mbit(mathis(c)),
          mbit(pftk(c)),
          c.time().virtualNanos() / 1e9,
          c.time().wallNanos() / 1e9);
    }
    for (GoodputCell.Result c : cells) {
      if (c.error() != null) {
        out.printf("%s: %s%n", c.spec().describe(), c.error());
      }
    }
    out.printf(
        Locale.ROOT,
        "%nall cells: virtual time %.1f s, wall time %.1f s, speed-up %.1fx%n",
        total.virtualNanos() / 1e9,
        total.wallNanos() / 1e9,
        total.ratio());
  }

  String json() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("seed", settings.seed());
    doc.put("congestion_control", settings.congestionControl());
    doc.put("loss_detection", settings.lossDetection());
    doc.put("rate_bits_per_second", settings.rateBitsPerSecond());
    doc.put("min_virtual_seconds", settings.minVirtual().toNanos() / 1e9);
    doc.put("min_losses", settings.minLosses());
    doc.put("lossless_virtual_seconds", settings.losslessVirtual().toNanos() / 1e9);
    doc.put("pftk_b", GoodputModels.PFTK_SEGMENTS_PER_ACK);
    doc.put("pftk_t0_seconds", t0.toNanos() / 1e9);
    List<Object> rows = new ArrayList<>();
    for (GoodputCell.Result c : cells) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("rtt_ms", c.spec().rtt().toNanos() / 1e6);
      row.put("loss_percent", c.spec().lossPercent());
      row.put("mss", c.mss());
      row.put("bytes", c.bytes());
      row.put("goodput_mbit_per_second", c.goodputBitsPerSecond() / 1e6);
      TcpFlowStats s = c.sender();
      row.put("retransmits", s == null ? null : s.retransmits());
      row.put("fast_retransmits", s == null ? null : s.fastRetransmits());
      row.put("timeouts", s == null ? null : s.timeouts());
      row.put("mathis_mbit_per_second", modelJson(mathis(c)));
      row.put("pftk_mbit_per_second", modelJson(pftk(c)));
      row.putAll(c.time().json());
      row.put("error", c.error());
      rows.add(row);
    }
    doc.put("cells", rows);
    doc.put("total", total.json());
    return JsonWriter.write(doc);
  }

  private double mathis(GoodputCell.Result c) {
    if (c.spec().lossProbability() == 0 || c.mss() == 0) {
      return Double.NaN;
    }
    return GoodputModels.mathisBitsPerSecond(c.mss(), c.spec().rtt(), c.spec().lossProbability());
  }

  private double pftk(GoodputCell.Result c) {
    if (c.spec().lossProbability() == 0 || c.mss() == 0) {
      return Double.NaN;
    }
    return GoodputModels.pftkBitsPerSecond(
        c.mss(),
        c.spec().rtt(),
        c.spec().lossProbability(),
        GoodputModels.PFTK_SEGMENTS_PER_ACK,
        t0);
  }

  /** JSON has no NaN: a model without loss has no figure. */
  private static Object modelJson(double bitsPerSecond) {
    return Double.isNaN(bitsPerSecond) ? null : bitsPerSecond / 1e6;
  }

  /** Three significant figures, as the models' inputs deserve: 45.1, 6.97, 0.364. */
  static String mbit(double bitsPerSecond) {
    if (Double.isNaN(bitsPerSecond)) {
      return "-";
    }
    double m = bitsPerSecond / 1e6;
    String format = m >= 100 ? "%.0f" : m >= 10 ? "%.1f" : m >= 1 ? "%.2f" : "%.3f";
    return String.format(Locale.ROOT, format, m);
  }

  /** {@code 10 ms}, {@code 2.5 ms}. */
  static String rttText(Duration rtt) {
    double ms = rtt.toNanos() / 1e6;
    return (ms == Math.rint(ms) ? Long.toString((long) ms) : String.format(Locale.ROOT, "%s", ms))
        + " ms";
  }

  /** {@code 0.1%}, {@code 5%}, {@code 0%}. */
  static String lossText(double percent) {
    return new BigDecimal(Double.toString(percent)).stripTrailingZeros().toPlainString() + "%";
  }
}
