package dev.vnetif.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.testsupport.Tshark;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The vnetif command as a user runs it: exit codes, ping(8)-style output, the capture. */
class VnetifCliTest {

  record Run(int exitCode, String out, String err) {}

  static Run run(String... args) {
    CommandLine cli = VnetifCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  @DisplayName("ping on the built-in scenario: a line per reply, a ping(8) summary, exit 0")
  void pingBuiltInScenario() {
    Run r = run("ping", "-c", "3", "-i", "0");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(
        r.out().contains("PING 10.0.0.3 (10.0.0.3) from 10.0.0.2 client: 56(84) bytes"), r.out());
    for (int seq = 1; seq <= 3; seq++) {
      assertTrue(
          Pattern.compile(
                  "64 bytes from 10\\.0\\.0\\.3: icmp_seq=" + seq + " ttl=64 time=\\d+\\.\\d{3} ms")
              .matcher(r.out())
              .find(),
          r.out());
    }
    assertTrue(r.out().contains("3 packets transmitted, 3 received, 0% packet loss"), r.out());
    assertTrue(
        Pattern.compile("rtt min/avg/max/mdev = [\\d.]+/[\\d.]+/[\\d.]+/[\\d.]+ ms")
            .matcher(r.out())
            .find(),
        r.out());
  }

  @Test
  @DisplayName("the same seed gives the same MACs in two runs; another seed, others")
  void seedReplays() {
    String first =
        run("ping", "-c", "1", "--seed", "5")
            .out()
            .lines()
            .filter(l -> l.contains("10.0.0.2/24"))
            .findFirst()
            .orElseThrow();
    String again =
        run("ping", "-c", "1", "--seed", "5")
            .out()
            .lines()
            .filter(l -> l.contains("10.0.0.2/24"))
            .findFirst()
            .orElseThrow();
    String other =
        run("ping", "-c", "1", "--seed", "6")
            .out()
            .lines()
            .filter(l -> l.contains("10.0.0.2/24"))
            .findFirst()
            .orElseThrow();
    assertEquals(first, again);
    assertTrue(!first.equals(other), first + " vs " + other);
  }

  @Test
  @DisplayName("hosts from --host flags and a scenario file with MTUs, and large pings")
  void hostsFromFlagsAndScenarioFile(@TempDir Path dir) throws Exception {
    Run flags = run("ping", "--host", "172.16.0.1/16", "--host", "172.16.9.9/16", "-c", "1");
    assertEquals(0, flags.exitCode(), flags.err());
    assertTrue(flags.out().contains("from 172.16.9.9"), flags.out());

    Path scenario = dir.resolve("s.conf");
    Files.writeString(
        scenario,
        "scenario { seed = 3, hosts = ["
            + "{ name = big, cidr = \"192.168.50.10/24\", mtu = 9000 },"
            + "{ name = small, cidr = \"192.168.50.20/24\", mtu = 9000 } ] }");
    Run jumbo =
        run(
            "ping",
            "--scenario",
            scenario.toString(),
            "--from",
            "small",
            "--to",
            "big",
            "-s",
            "8000",
            "-c",
            "1");
    assertEquals(0, jumbo.exitCode(), jumbo.out() + jumbo.err());
    assertTrue(jumbo.out().contains("8008 bytes from 192.168.50.10"), jumbo.out());
    assertTrue(jumbo.out().contains("seed 3"), jumbo.out());
  }

  @Test
  @DisplayName("no reply: exit 1 and 100% loss; unknown host or bad CIDR: exit 2 naming the value")
  void failures() {
    Run silent =
        run(
            "ping",
            "--host",
            "10.0.0.2/24",
            "--host",
            "10.0.0.3/24",
            "--to",
            "10.0.0.77",
            "-c",
            "1",
            "-W",
            "0.3");
    assertEquals(1, silent.exitCode());
    assertTrue(
        silent.out().contains("1 packets transmitted, 0 received, 100% packet loss"), silent.out());
    Run unknown = run("ping", "--to", "nobody");
    assertEquals(2, unknown.exitCode());
    assertTrue(unknown.err().contains("nobody"), unknown.err());
    Run badCidr = run("ping", "--host", "10.0.0.2/33", "--host", "10.0.0.3/24");
    assertEquals(2, badCidr.exitCode());
    assertTrue(badCidr.err().contains("10.0.0.2/33"), badCidr.err());
  }

  @Test
  @DisplayName("--pcap writes a capture tshark reads cleanly")
  void pcap(@TempDir Path dir) {
    Assumptions.assumeTrue(Tshark.find().isPresent(), Tshark.NOT_INSTALLED);
    Path file = dir.resolve("ping.pcap");
    Run r = run("ping", "-c", "2", "-i", "0", "--pcap", file.toString());
    assertEquals(0, r.exitCode(), r.err());
    Tshark.Report report = Tshark.read(file);
    assertEquals(0, report.malformed(), report.rawOutput());
    assertEquals(0, report.badChecksums(), report.rawOutput());
    assertEquals(3 + 2 + 4, report.frames(), "3 announcements, ARP request/reply, 2 pings");
  }

  @Test
  @DisplayName("ping with a delay: every round trip takes at least it, and the counters follow")
  void pingWithConditions() {
    Run r = run("ping", "-c", "3", "-i", "0", "--delay", "20ms", "--seed", "9");
    assertEquals(0, r.exitCode(), r.err());
    java.util.regex.Matcher rtt =
        Pattern.compile("rtt min/avg/max/mdev = ([\\d.]+)/").matcher(r.out());
    assertTrue(rtt.find(), r.out());
    assertTrue(Double.parseDouble(rtt.group(1)) >= 20, r.out());
    int statistics = r.out().indexOf("ping statistics");
    int counters = r.out().indexOf("link conditions (seed 9):");
    assertTrue(statistics > 0 && counters > statistics, r.out());
  }
}
