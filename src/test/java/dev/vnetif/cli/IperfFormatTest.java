package dev.vnetif.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The pieces of iperf's report on their own: iperf3's units, the JSON writer, an interval. */
class IperfFormatTest {

  @Test
  @DisplayName("units as iperf3 prints them: four places, bytes by 1024, bits by 1000")
  void units() {
    assertEquals(" 113 MByte", IperfUnits.bytes(113 * 1024 * 1024 + 1000));
    assertEquals("1.10 GByte", IperfUnits.bytes(1.1 * (1L << 30)));
    assertEquals("13.6 MByte", IperfUnits.bytes(13.6 * (1 << 20)));
    assertEquals(" 409 KByte", IperfUnits.bytes(409 * 1024));
    assertEquals("0.00 Byte", IperfUnits.bytes(0));
    assertEquals(" 947 Mbit", IperfUnits.bits(947e6));
    assertEquals("1.01 Gbit", IperfUnits.bits(1.01e9));
    assertEquals("10.3 Mbit", IperfUnits.bits(10.3e6));
  }

  @Test
  @DisplayName("JSON: escapes survive a strict parser, numbers keep their value, order is kept")
  void jsonWriter() {
    Map<String, Object> doc = new LinkedHashMap<>();
    String tricky = "a \"quoted\" \\ back\nslash\t\u0001 é";
    doc.put("text", tricky);
    doc.put("long", 123456789012L);
    doc.put("double", 4.668149828641468E7);
    doc.put("nan", Double.NaN);
    doc.put("flag", true);
    doc.put("list", List.of(1, Map.of("x", "y"), List.of()));
    doc.put("empty", Map.of());
    String json = JsonWriter.write(doc);
    Config c =
        ConfigFactory.parseString(json, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON));
    assertEquals(tricky, c.getString("text"));
    assertEquals(123456789012L, c.getLong("long"));
    assertEquals(4.668149828641468E7, c.getDouble("double"));
    assertTrue(c.getIsNull("nan"), "JSON has no NaN");
    assertTrue(c.getBoolean("flag"));
    assertEquals(3, c.getList("list").size());
    assertTrue(json.indexOf("\"text\"") < json.indexOf("\"long\""), json);
  }

  @Test
  @DisplayName("an interval is the difference of two readings, timed from time zero")
  void intervalBetweenSnapshots() {
    IperfStream stream = new IperfStream("", true);
    IperfStream.Snapshot a = new IperfStream.Snapshot(1_500_000_000L, 1000, 900, 2, 10_000, 300);
    IperfStream.Snapshot b =
        new IperfStream.Snapshot(2_000_000_000L, 126_000, 120_000, 5, 20_000, 250);
    IperfInterval i =
        IperfInterval.between(List.of(stream), List.of(a), List.of(b), 1_000_000_000L, false);
    IperfInterval.Stream s = i.streams().get(0);
    assertEquals(0.5, s.start(), 1e-12);
    assertEquals(1.0, s.end(), 1e-12);
    assertEquals(125_000, s.bytes());
    assertEquals(3, s.retransmits());
    assertEquals(20_000, s.cwnd());
    assertEquals(250, s.rttMicros());
    assertEquals(2_000_000, s.bitsPerSecond(), 1e-6);
  }
}
