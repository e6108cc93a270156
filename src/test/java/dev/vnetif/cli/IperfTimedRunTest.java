package dev.vnetif.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code vnetif iperf} as iperf3 users read it: timed runs, interval lines, the sender and receiver
 * summaries, and {@code --json}, whose numbers must add up exactly.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class IperfTimedRunTest {
  /** {@code [ 5] 0.00-0.50 sec 13.6 MBytes 113 Mbits/sec 0 409 KBytes}. */
  private static final Pattern INTERVAL =
      Pattern.compile(
          "(?m)^\\[  5\\](\\[[TR]X-C\\])? +(\\d+\\.\\d\\d)-(\\d+\\.\\d\\d) +sec +"
              + "(\\d+(?:\\.\\d+)?) ([KMG]?)Bytes +(\\d+(?:\\.\\d+)?) [KMG]?bits/sec +(\\d+) +"
              + "\\d+(?:\\.\\d+)? [KMG]?Bytes( +\\(omitted\\))?$");

  private static final Pattern SUMMARY =
      Pattern.compile(
          "(?m)^\\[  5\\](\\[[TR]X-C\\])? +0\\.00-(\\d+\\.\\d\\d) +sec +(\\d+(?:\\.\\d+)?) "
              + "([KMG]?)Bytes +\\d+(?:\\.\\d+)? [KMG]?bits/sec +(?:\\d+ +)?(sender|receiver)$");

  private static Config json(String out) {
    return ConfigFactory.parseString(
        out, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON).setOriginDescription("-J"));
  }

  private static List<Config> list(Config c, String path) {
    List<Config> all = new ArrayList<>();
    for (ConfigValue v : c.getList(path)) {
      all.add(((ConfigObject) v).toConfig());
    }
    return all;
  }

  private static double scaled(String number, String prefix) {
    double unit =
        switch (prefix) {
          case "K" -> 1024;
          case "M" -> 1024 * 1024;
          case "G" -> 1024.0 * 1024 * 1024;
          default -> 1;
        };
    return Double.parseDouble(number) * unit;
  }

  @Test
  @DisplayName(
      "-t 1.5 -i 0.5: iperf3's header, contiguous interval lines that add up to the sender's "
          + "line, a receiver line, iperf Done, exit 0")
  void timedRunPrintsIntervalsThatAddUp() {
    IperfCommandTest.Run r = IperfCommandTest.run("-t", "1.5", "-i", "0.5", "--no-progress");
    assertEquals(0, r.exitCode(), r.all());
    String out = r.out();
    assertTrue(
        out.contains("iperf: client 10.0.0.2 -> server 10.0.0.3 port 5001, 1.5 seconds from"), out);
    assertTrue(out.contains("Connecting to host 10.0.0.3, port 5001"), out);
    assertTrue(
        Pattern.compile(
                "(?m)^\\[  5\\] local 10\\.0\\.0\\.2 port \\d+ connected to 10\\.0\\.0\\.3 port 5001$")
            .matcher(out)
            .find(),
        out);
    assertTrue(
        out.contains("[ ID] Interval           Transfer     Bitrate         Retr  Cwnd"), out);
    Matcher m = INTERVAL.matcher(out);
    double previousEnd = 0;
    double sum = 0;
    int lines = 0;
    while (m.find()) {
      assertEquals(previousEnd, Double.parseDouble(m.group(2)), 0.001, "contiguous: " + m.group());
      previousEnd = Double.parseDouble(m.group(3));
      sum += scaled(m.group(4), m.group(5));
      lines++;
    }
    assertTrue(lines >= 3, "a line per half second of 1.5 s:\n" + out);
    assertTrue(previousEnd >= 1.5, "the last interval ends at the test time or after:\n" + out);
    assertTrue(out.contains(IperfText.SEPARATOR), out);
    Matcher s = SUMMARY.matcher(out);
    assertTrue(s.find(), out);
    assertEquals("sender", s.group(5), out);
    assertEquals(previousEnd, Double.parseDouble(s.group(2)), 0.001, "sender ends with the last");
    double sent = scaled(s.group(3), s.group(4));
    // Each printed figure has three significant digits: the sum is exact to within rounding.
    assertEquals(sent, sum, sent * 0.01 + lines * 5 * 1024, out);
    assertTrue(s.find(), out);
    assertEquals("receiver", s.group(5), out);
    assertEquals(sent, scaled(s.group(3), s.group(4)), sent * 0.01, "all of it was read");
    assertTrue(out.contains("content: SHA-256 match"), out);
    assertTrue(out.strip().endsWith("iperf Done."), out);
  }

  @Test
  @DisplayName(
      "--json: one strict JSON document after iperf3 -J whose intervals add up exactly to "
          + "sum_sent, which the receiver read in full, with the content check")
  void jsonAddsUpExactly() {
    IperfCommandTest.Run r = IperfCommandTest.run("-t", "1", "-i", "0.25", "--json", "--seed", "3");
    assertEquals(0, r.exitCode(), r.all());
    Config doc = json(r.out());
    assertEquals("TCP", doc.getString("start.test_start.protocol"));
    assertEquals(1.0, doc.getDouble("start.test_start.duration"));
    assertEquals(3780, doc.getInt("start.test_start.blksize"));
    assertEquals("10.0.0.3", doc.getString("start.connecting_to.host"));
    Config connected = list(doc, "start.connected").get(0);
    assertEquals(5, connected.getInt("socket"));
    assertEquals(5001, connected.getInt("remote_port"));
    List<Config> intervals = list(doc, "intervals");
    assertTrue(intervals.size() >= 4, r.out());
    long sum = 0;
    double previousEnd = 0;
    for (Config interval : intervals) {
      Config stream = list(interval, "streams").get(0);
      assertEquals(stream.getLong("bytes"), interval.getLong("sum.bytes"));
      assertEquals(previousEnd, stream.getDouble("start"), 1e-9);
      previousEnd = stream.getDouble("end");
      assertTrue(stream.getBoolean("sender"), "the client sends");
      assertFalse(stream.getBoolean("omitted"));
      assertTrue(stream.getInt("snd_cwnd") > 0, r.out());
      assertEquals(
          stream.getLong("bytes") * 8 / stream.getDouble("seconds"),
          stream.getDouble("bits_per_second"),
          1e-6 * stream.getDouble("bits_per_second") + 1e-9);
      sum += stream.getLong("bytes");
    }
    long sent = doc.getLong("end.sum_sent.bytes");
    assertTrue(sent > 0, r.out());
    assertEquals(sent, sum, "the intervals add up to the sender's total");
    assertEquals(sent, doc.getLong("end.sum_received.bytes"), "the receiver read all of it");
    assertEquals(previousEnd, doc.getDouble("end.sum_sent.end"), 1e-9);
    Config stream = list(doc, "end.streams").get(0);
    assertEquals(sent, stream.getLong("sender.bytes"));
    assertTrue(stream.getLong("sender.max_snd_cwnd") > 0);
    Config content = list(doc, "end.vnetif.content").get(0);
    assertTrue(content.getBoolean("match"), r.out());
    assertEquals(sent, content.getLong("bytes_written"));
    assertEquals(content.getString("sha256_written"), content.getString("sha256_read"));
    assertEquals(3, doc.getLong("end.vnetif.seed"));
  }

  @Test
  @DisplayName("--size with --json: exactly SIZE bytes, and the intervals add up to it")
  void sizeModeStaysExact() {
    IperfCommandTest.Run r =
        IperfCommandTest.run("-n", "3M", "-i", "0.1", "--json", "--no-progress");
    assertEquals(0, r.exitCode(), r.all());
    Config doc = json(r.out());
    assertEquals(3L << 20, doc.getLong("start.test_start.bytes"));
    long sum = 0;
    for (Config interval : list(doc, "intervals")) {
      sum += interval.getLong("sum.bytes");
    }
    assertEquals(3L << 20, sum);
    assertEquals(3L << 20, doc.getLong("end.sum_sent.bytes"));
    assertEquals(3L << 20, doc.getLong("end.sum_received.bytes"));
  }

  @Test
  @DisplayName(
      "-O warms up first: its intervals are marked omitted and left out of the summary, "
          + "whose time starts again at 0")
  void omitWarmsUp() {
    IperfCommandTest.Run r =
        IperfCommandTest.run("-t", "0.6", "-O", "0.4", "-i", "0.2", "--json", "--bidir");
    assertEquals(0, r.exitCode(), r.all());
    Config doc = json(r.out());
    List<Config> intervals = list(doc, "intervals");
    Map<Boolean, Long> counted = new java.util.HashMap<>();
    long sentAfterWarmUp = 0;
    for (Config interval : intervals) {
      boolean omitted = interval.getBoolean("sum.omitted");
      counted.merge(omitted, 1L, Long::sum);
      if (!omitted) {
        sentAfterWarmUp += interval.getLong("sum.bytes");
      }
      assertEquals(2, list(interval, "streams").size(), "both directions under --bidir");
      assertFalse(interval.getBoolean("sum_bidir_reverse.sender"), "the client receives it");
    }
    assertTrue(counted.getOrDefault(true, 0L) >= 2, r.out());
    assertTrue(counted.getOrDefault(false, 0L) >= 3, r.out());
    assertEquals(sentAfterWarmUp, doc.getLong("end.sum_sent.bytes"));
    assertTrue(doc.hasPath("end.sum_sent_bidir_reverse.bytes"), r.out());
    assertTrue(doc.hasPath("end.sum_received_bidir_reverse.bytes"), r.out());
    assertEquals(0.4, doc.getDouble("start.test_start.omit"));
    for (Config content : list(doc, "end.vnetif.content")) {
      assertTrue(content.getBoolean("match"), "warm-up bytes are checked too: " + r.out());
    }
  }

  @Test
  @DisplayName("--reverse prints iperf3's reverse-mode line; the bidir text names each line's role")
  void reverseAndBidirText() {
    IperfCommandTest.Run reverse = IperfCommandTest.run("-t", "0.5", "-R", "-i", "0.25");
    assertEquals(0, reverse.exitCode(), reverse.all());
    assertTrue(
        reverse.out().contains("Reverse mode, remote host 10.0.0.3 is sending"), reverse.out());
    assertTrue(INTERVAL.matcher(reverse.out()).find(), reverse.out());
    IperfCommandTest.Run bidir = IperfCommandTest.run("-t", "0.5", "--bidir", "-i", "0.25");
    assertEquals(0, bidir.exitCode(), bidir.all());
    assertTrue(bidir.out().contains("[ ID][Role] Interval"), bidir.out());
    assertTrue(bidir.out().contains("[  5][TX-C]"), bidir.out());
    assertTrue(bidir.out().contains("[  5][RX-C]"), bidir.out());
    assertEquals(4, count(SUMMARY, bidir.out()), "sender and receiver per direction");
  }

  @Test
  @DisplayName("usage errors: -t with -n, -O with --size, a bad -i, --progress on a timed run")
  void usageErrors() {
    for (String[] args :
        new String[][] {
          {"-t", "2", "-n", "1M"},
          {"-n", "1M", "-O", "1"},
          {"-i", "0.01"},
          {"-t", "1", "--progress"},
          {"-t", "0"}
        }) {
      IperfCommandTest.Run r = IperfCommandTest.run(args);
      assertEquals(2, r.exitCode(), String.join(" ", args) + ": " + r.all());
      assertEquals("", r.out(), "no network is built");
    }
  }

  private static int count(Pattern p, String text) {
    Matcher m = p.matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
