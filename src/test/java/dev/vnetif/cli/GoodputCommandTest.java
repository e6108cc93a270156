package dev.vnetif.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code vnetif goodput} on a tiny grid: the table's shape, its model columns, its JSON. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class GoodputCommandTest {
  private static final Pattern ROW =
      Pattern.compile(
          "(?m)^\\| (\\d+) ms \\| ([\\d.]+)% \\| ([\\d.]+) \\| (\\d+) \\| (\\d+) \\| ([\\d.-]+) "
              + "\\| ([\\d.-]+) \\| (\\d+\\.\\d) \\| (\\d+\\.\\d) \\|$");

  @Test
  @DisplayName(
      "two short cells: a markdown table with a row per cell, whose Mathis and PFTK columns are "
          + "the issue's figures, measured goodput between zero and the link's rate")
  void tinyTable() {
    VnetifCliTest.Run r =
        VnetifCliTest.run(
            "goodput",
            "--losses",
            "1",
            "--rtts",
            "10ms,100ms",
            "--min-virtual",
            "4s",
            "--min-losses",
            "1000",
            "--seed",
            "2");
    assertEquals(0, r.exitCode(), r.out() + r.err());
    String out = r.out();
    assertTrue(
        out.contains(GoodputTable.HEADER + "\n|---|---|---|---|---|---|---|---|---|\n"), out);
    Matcher m = ROW.matcher(out);
    assertTrue(m.find(), out);
    assertEquals("10", m.group(1));
    assertEquals("1", m.group(2));
    // The table's three figures against the two or three, within 1%, scaled from the
    // issue's 1460-byte segments to the 1448 bytes of data a segment carries beside timestamps
    // (RFC 7323 §3.2): 14.3 -> 14.1, 7.0 -> 6.91, 1.42 -> 1.41, 0.97 -> 0.960.
    assertEquals(14.1, Double.parseDouble(m.group(6)), 14.1 * 0.01, "Mathis 10 ms 1%\n" + out);
    assertEquals(6.91, Double.parseDouble(m.group(7)), 6.91 * 0.01, "PFTK 10 ms 1%\n" + out);
    double goodput = Double.parseDouble(m.group(3));
    assertTrue(goodput > 0.5 && goodput < 1000, out);
    assertTrue(Integer.parseInt(m.group(4)) > 0, "1% loss over 4 s costs retransmissions\n" + out);
    // A lossy cell stops at the first 1-s boundary past --min-virtual; its writes then drain.
    assertTrue(Double.parseDouble(m.group(8)) >= 4.0, out);
    assertTrue(m.find(), out);
    assertEquals("100", m.group(1));
    assertEquals(1.41, Double.parseDouble(m.group(6)), 1.41 * 0.01, "Mathis 100 ms 1%\n" + out);
    assertEquals(0.960, Double.parseDouble(m.group(7)), 0.960 * 0.01, "PFTK 100 ms 1%\n" + out);
    assertTrue(!m.find(), "two cells, two rows\n" + out);
    assertTrue(
        Pattern.compile("all cells: virtual time [\\d.]+ s, wall time [\\d.]+ s, speed-up [\\d.]+x")
            .matcher(out)
            .find(),
        out);
    assertTrue(r.err().contains("goodput: 10 ms, 1% loss: "), r.err());
  }

  @Test
  @DisplayName(
      "--json: a cell per RTT x loss with the figures and the models (none without loss); a "
          + "lossy cell stops early once it has seen --min-losses retransmissions")
  void json() {
    VnetifCliTest.Run r =
        VnetifCliTest.run(
            "goodput",
            "--losses",
            "0,5",
            "--rtts",
            "10ms",
            "--min-virtual",
            "100s",
            "--min-losses",
            "20",
            "--lossless-virtual",
            "1s",
            "--json");
    assertEquals(0, r.exitCode(), r.out() + r.err());
    Config doc =
        ConfigFactory.parseString(
            r.out(), ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON));
    List<? extends ConfigValue> cells = doc.getList("cells");
    assertEquals(2, cells.size(), r.out());
    Config lossless = ((ConfigObject) cells.get(0)).toConfig();
    assertEquals(0.0, lossless.getDouble("loss_percent"));
    assertTrue(lossless.getIsNull("mathis_mbit_per_second"), r.out());
    assertEquals(0, lossless.getInt("retransmits"));
    assertEquals(1448, lossless.getInt("mss")); // 1460 less 12 bytes of timestamps
    // No loss: the 256 KiB window a 10 ms round trip, 210 Mbit/s, less the slow start.
    double window = lossless.getDouble("goodput_mbit_per_second");
    assertTrue(window > 100 && window < 215, r.out());
    Config lossy = ((ConfigObject) cells.get(1)).toConfig();
    assertEquals(5.0, lossy.getDouble("loss_percent"));
    assertTrue(lossy.getInt("retransmits") >= 20, r.out());
    assertTrue(lossy.getDouble("virtual_seconds") < 50, "stopped by --min-losses\n" + r.out());
    GoodputModelsTest.assertReproduces(
        "1.3", lossy.getDouble("pftk_mbit_per_second"), "PFTK 10 ms 5%");
    assertTrue(lossy.getDouble("wall_seconds") > 0, r.out());
    assertEquals("cubic", doc.getString("congestion_control"), "the default, as on Linux");
    assertEquals(2, doc.getInt("pftk_b"));
    assertEquals(0.2, doc.getDouble("pftk_t0_seconds"), 1e-9);
  }

  @Test
  @DisplayName("usage errors exit 2 before any network is built")
  void usageErrors() {
    for (String[] args :
        new String[][] {
          {"goodput", "--losses", "x"},
          {"goodput", "--losses", "100"},
          {"goodput", "--rtts", "0ms"},
          {"goodput", "-C", "bbr"}
        }) {
      VnetifCliTest.Run r = VnetifCliTest.run(args);
      assertEquals(2, r.exitCode(), String.join(" ", args) + ": " + r.out() + r.err());
      assertEquals("", r.out(), "no table");
    }
  }
}
