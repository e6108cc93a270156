package dev.vnetif.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@code vnetif iperf} as a user runs it: the summary, the directions, the exit codes. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class IperfCommandTest {
  /** Every run gives up after this, so that a stalled transfer fails the test, not hangs it. */
  private static final String TIMEOUT = "60";

  private static final Pattern THROUGHPUT =
      Pattern.compile("throughput: \\d+\\.\\d{2} MB/s \\(1 MB = 10\\^6 bytes\\)");
  private static final Pattern RETRANSMITS =
      Pattern.compile("retransmits: \\d+ \\(fast retransmits: \\d+, timeouts: \\d+\\)");
  private static final Pattern MATCH =
      Pattern.compile("content: SHA-256 match \\(([0-9a-f]{64})\\)");

  record Run(int exitCode, String out, String err) {
    String all() {
      return out + err;
    }
  }

  /** The command with the exception handling it has under {@code vnetif}. */
  static Run run(String... args) {
    CommandLine cli = new CommandLine(new IperfCommand());
    cli.setExecutionExceptionHandler(VnetifCli.commandLine().getExecutionExceptionHandler());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    String[] withTimeout = new String[args.length + 2];
    System.arraycopy(args, 0, withTimeout, 0, args.length);
    withTimeout[args.length] = "--timeout";
    withTimeout[args.length + 1] = TIMEOUT;
    int code = cli.execute(withTimeout);
    return new Run(code, out.toString(), err.toString());
  }

  private static int count(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private static String digest(String out) {
    Matcher m = MATCH.matcher(out);
    assertTrue(m.find(), out);
    return m.group(1);
  }

  @Test
  @DisplayName("client to server, 2M: bytes, MB/s, TCP counters, a SHA-256 match, exit 0")
  void defaultRun() {
    Run r = run("--size", "2M", "--no-progress");
    assertEquals(0, r.exitCode(), r.all());
    assertTrue(
        r.out()
            .contains(
                "iperf: client 10.0.0.2 -> server 10.0.0.3 port 5001, "
                    + "2097152 bytes from the client in 3780-byte writes"),
        r.out());
    assertTrue(
        Pattern.compile("--- client 10\\.0\\.0\\.2:\\d+ -> server 10\\.0\\.0\\.3:5001 ---")
            .matcher(r.out())
            .find(),
        r.out());
    assertTrue(
        Pattern.compile("transferred: 2097152 bytes in \\d+\\.\\d{3} s").matcher(r.out()).find(),
        r.out());
    assertEquals(1, count(THROUGHPUT, r.out()), r.out());
    assertEquals(1, count(RETRANSMITS, r.out()), r.out());
    assertTrue(
        Pattern.compile(
                "sender tcp: mss 1448, cwnd \\d+ bytes, ssthresh .+, " + "srtt \\d+\\.\\d{3} ms")
            .matcher(r.out())
            .find(),
        r.out());
    assertEquals(1, count(MATCH, r.out()), r.out());
    assertEquals("", r.err(), "no progress bar, no error");
  }

  @Test
  @DisplayName("--reverse: the server writes, the client reads, and the content matches")
  void reverse() {
    Run r = run("--size", "1M", "--reverse", "--no-progress");
    assertEquals(0, r.exitCode(), r.all());
    assertTrue(
        Pattern.compile("--- server 10\\.0\\.0\\.3:5001 -> client 10\\.0\\.0\\.2:\\d+ ---")
            .matcher(r.out())
            .find(),
        r.out());
    assertTrue(r.out().contains("transferred: 1048576 bytes"), r.out());
    assertEquals(1, count(MATCH, r.out()), r.out());
  }

  @Test
  @DisplayName("--bidir: both directions at once, each with its own report and its own content")
  void bidir() {
    Run r = run("--size", "1M", "--bidir", "--no-progress");
    assertEquals(0, r.exitCode(), r.all());
    assertTrue(r.out().contains("-> server 10.0.0.3:5001 ---"), r.out());
    assertTrue(r.out().contains("--- server 10.0.0.3:5001 ->"), r.out());
    assertEquals(2, count(THROUGHPUT, r.out()), r.out());
    assertEquals(2, count(RETRANSMITS, r.out()), r.out());
    Matcher m = MATCH.matcher(r.out());
    assertTrue(m.find(), r.out());
    String clientToServer = m.group(1);
    assertTrue(m.find(), r.out());
    assertNotEquals(clientToServer, m.group(1), "each direction sends its own stream");
  }

  @Test
  @DisplayName(
      "--mtu 9000 sets the MTU of client and server only, and the sender's MSS is 8960, 8948 bytes of data beside timestamps")
  void jumboMtu() {
    Run r = run("--size", "2M", "--mtu", "9000", "--no-progress");
    assertEquals(0, r.exitCode(), r.all());
    assertTrue(
        Pattern.compile("client +10\\.0\\.0\\.2/24 .* mtu 9000").matcher(r.out()).find(), r.out());
    assertTrue(
        Pattern.compile("server +10\\.0\\.0\\.3/24 .* mtu 9000").matcher(r.out()).find(), r.out());
    assertTrue(
        Pattern.compile("router +10\\.0\\.0\\.1/24 .* mtu 1500").matcher(r.out()).find(), r.out());
    assertTrue(r.out().contains("sender tcp: mss 8948,"), r.out());
    assertEquals(1, count(MATCH, r.out()), r.out());
  }

  @Test
  @DisplayName("--size 0, either way: connect, close, and report 0 bytes that match")
  void emptyTransfer() {
    for (String mode : new String[] {"--port=5001", "--reverse", "--bidir"}) {
      Run r = run("--size", "0", mode, "--no-progress");
      assertEquals(0, r.exitCode(), mode + ": " + r.all());
      assertTrue(r.out().contains("transferred: 0 bytes in "), mode + ": " + r.out());
      assertTrue(
          r.out().contains("content: SHA-256 match (e3b0c44298fc1c149afbf4c8996fb924"),
          mode + ": " + r.out());
    }
  }

  @Test
  @DisplayName("the payload comes from the seed: the same seed, the same digest; another, another")
  void payloadFollowsTheSeed() {
    String first = digest(run("--size", "100K", "--seed", "5", "--no-progress").out());
    String again =
        digest(run("--size", "100K", "--seed", "5", "--no-progress", "--write-size", "1000").out());
    String other = digest(run("--size", "100K", "--seed", "6", "--no-progress").out());
    assertEquals(first, again, "the content does not depend on the write size");
    assertNotEquals(first, other);
  }

  @Test
  @DisplayName("--progress draws a bar on stderr, redrawn with \\r, with the percentage and MB/s")
  void progressBar() {
    Run r = run("--size", "2M", "--progress");
    assertEquals(0, r.exitCode(), r.all());
    assertTrue(r.err().contains("\r"), r.err());
    assertTrue(r.err().contains("100%"), r.err());
    assertTrue(Pattern.compile("\\d+\\.\\d MB/s").matcher(r.err()).find(), r.err());
    assertTrue(r.err().contains("2.10/2.10 MB"), r.err());
    assertFalse(r.out().contains("\r"), "the report on stdout stays clean");
  }

  @Test
  @DisplayName("a bad --size: exit 2 and one line naming the option and the value")
  void badSize() {
    Run r = run("--size", "10X");
    assertEquals(2, r.exitCode(), r.all());
    assertTrue(r.err().startsWith("vnetif: --size: '10X' is not a size"), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertEquals("", r.out(), "no network is built");
  }

  @Test
  @DisplayName("an unknown host: exit 2 naming it and the hosts that exist")
  void unknownHost() {
    Run r = run("--to", "nobody", "--size", "1K");
    assertEquals(2, r.exitCode(), r.all());
    assertTrue(r.err().contains("no host 'nobody'"), r.err());
    assertTrue(r.err().contains("server (10.0.0.3)"), r.err());
  }

  @Test
  @DisplayName(
      "other usage errors exit 2 naming the value: write size, port, same host twice, "
          + "--reverse with --bidir, an MTU the switch cannot carry")
  void otherUsageErrors() {
    Run writeSize = run("--write-size", "0");
    assertEquals(2, writeSize.exitCode(), writeSize.all());
    assertTrue(
        writeSize.err().contains("--write-size must be within 1..16777216 bytes, got 0"),
        writeSize.err());
    Run port = run("--port", "70000");
    assertEquals(2, port.exitCode(), port.all());
    assertTrue(port.err().contains("70000"), port.err());
    Run same = run("--from", "server", "--to", "10.0.0.3");
    assertEquals(2, same.exitCode(), same.all());
    assertTrue(same.err().contains("same host 'server'"), same.err());
    Run both = run("--reverse", "--bidir");
    assertEquals(2, both.exitCode(), both.all());
    assertTrue(both.err().contains("--reverse or --bidir"), both.err());
    Run tooBig = run("--mtu", "9500", "--size", "1K");
    assertEquals(2, tooBig.exitCode(), tooBig.all());
    assertTrue(
        tooBig.err().contains("mtu 9500 of host 'client' exceeds what the switch " + "forwards"),
        tooBig.err());
  }

  @Test
  @DisplayName("a transfer that does not finish in time: exit 1, saying how far it got")
  void transferFailure() {
    CommandLine cli = new CommandLine(new IperfCommand());
    cli.setExecutionExceptionHandler(VnetifCli.commandLine().getExecutionExceptionHandler());
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(new StringWriter()));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute("--size", "64M", "--no-progress", "--timeout", "0.05");
    assertEquals(1, code, err.toString());
    assertTrue(
        Pattern.compile(
                "vnetif iperf: (connect to server 10\\.0\\.0\\.3:5001|transfer) "
                    + "did not finish in time: \\d+ of 67108864 bytes read")
            .matcher(err.toString())
            .find(),
        err.toString());
  }

  @Test
  @DisplayName("a digest mismatch is reported as such and fails the content check")
  void mismatchReported() {
    byte[] wrote = new byte[32];
    byte[] read = new byte[32];
    read[31] = 1;
    IperfReport report =
        new IperfReport(
            "a 10.0.0.2:1",
            "b 10.0.0.3:2",
            new PayloadWriter.Sent(10, wrote, 0),
            new PayloadReader.Received(10, read, 1_000_000),
            null);
    assertFalse(report.contentMatches());
    StringWriter text = new StringWriter();
    report.print(new PrintWriter(text));
    assertTrue(
        text.toString().contains("content: SHA-256 MISMATCH: wrote 10 bytes"), text.toString());
  }

  @Test
  @DisplayName("sizes take K, M and G as powers of two; anything else names the value")
  void sizes() {
    assertEquals(3780, ByteSize.parse("--size", "3780"));
    assertEquals(64 << 10, ByteSize.parse("--size", "64k"));
    assertEquals(10L << 20, ByteSize.parse("--size", "10M"));
    assertEquals(2L << 30, ByteSize.parse("--size", "2G"));
    for (String bad : new String[] {"", "-1", "1.5M", "10X", "M", "9999999999999G"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("--size", bad));
      assertTrue(e.getMessage().contains("--size: '" + bad + "'"), e.getMessage());
    }
  }

  @Test
  @DisplayName("condition flags: set network-wide, said before, counted after the TCP figures")
  void conditions() {
    Run r = run("--size", "300K", "--no-progress", "--loss", "1%", "--delay", "1ms", "--seed", "3");
    assertEquals(0, r.exitCode(), r.all());
    String out = r.out();
    assertTrue(out.contains("link conditions:\n  everywhere: "), out);
    int figures = out.indexOf("content: SHA-256 match");
    int counters = out.indexOf("link conditions (seed 3):");
    assertTrue(figures > 0 && counters > figures, out);
    assertTrue(
        Pattern.compile("frames +dropped +delayed +duplicated +corrupted +reordered +queued")
            .matcher(out)
            .find(),
        out);
    assertEquals(1, count(MATCH, out), out);
  }

  @Test
  @DisplayName("condition flags with --json: the counters under \"conditions\"")
  void conditionsJson() {
    Run r = run("--size", "200K", "--json", "--delay", "1ms", "--seed", "4");
    assertEquals(0, r.exitCode(), r.all());
    com.typesafe.config.Config doc =
        com.typesafe.config.ConfigFactory.parseString(
            r.out(),
            com.typesafe.config.ConfigParseOptions.defaults()
                .setSyntax(com.typesafe.config.ConfigSyntax.JSON));
    assertEquals(4, doc.getLong("conditions.seed"));
    assertFalse(doc.getConfigList("conditions.steps").isEmpty(), r.out());
    com.typesafe.config.Config step = doc.getConfigList("conditions.steps").get(0);
    for (String key :
        new String[] {
          "link",
          "step",
          "frames",
          "dropped",
          "delayed",
          "duplicated",
          "corrupted",
          "reordered",
          "queued",
          "tail_dropped"
        }) {
      assertTrue(step.hasPath(key), key + " in " + step);
    }
    assertTrue(doc.getLong("conditions.totals.delayed") > 0, r.out());
    assertEquals("cubic", doc.getString("end.sender_tcp_congestion"), "the default");
  }

  @Test
  @DisplayName(
      "-C newreno (iperf3's -C/--congestion) picks the senders' congestion control; the JSON names it; an unknown one is a usage error naming it")
  void congestionControl() {
    Run r = run("--size", "200K", "--json", "-C", "newreno");
    assertEquals(0, r.exitCode(), r.all());
    com.typesafe.config.Config doc =
        com.typesafe.config.ConfigFactory.parseString(
            r.out(),
            com.typesafe.config.ConfigParseOptions.defaults()
                .setSyntax(com.typesafe.config.ConfigSyntax.JSON));
    assertEquals("newreno", doc.getString("end.sender_tcp_congestion"));
    assertEquals("newreno", doc.getString("end.receiver_tcp_congestion"));
    Run bad = run("--size", "1K", "--congestion-control", "vegas");
    assertEquals(2, bad.exitCode(), bad.all());
    assertTrue(bad.err().contains("--congestion-control"), bad.err());
    assertTrue(bad.err().contains("'vegas'"), bad.err());
  }
}
