package dev.vnetif.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code vnetif run} end to end on tiny scenarios: the exit code and what the report shows. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RunCommandTest {
  private static final String HOSTS =
      "  seed = 5\n"
          + "  hosts = [ { name = a, cidr = \"10.0.0.2/24\" }, { name = b, cidr = \"10.0.0.3/24\" } ]\n";

  private static VnetifCliTest.Run runScenario(Path dir, String body) throws Exception {
    Path file = dir.resolve("tiny.conf");
    Files.writeString(file, "scenario {\n  name = tiny\n" + HOSTS + body + "\n}\n");
    return VnetifCliTest.run("run", file.toString());
  }

  @Test
  @DisplayName("a transfer across a cut that heals completes: exit 0, figures, schedule, counters")
  void cutAndHeal(@TempDir Path dir) throws Exception {
    VnetifCliTest.Run r =
        runScenario(
            dir,
            "  conditions { delay = 1ms, loss = 1% }\n"
                + "  traffic = [\n"
                + "    { type = iperf, name = up, from = a, to = b, size = 300K, timeout = 30s }\n"
                + "    { type = ping, from = a, to = b, count = 4, interval = 100ms, wait = 300ms }\n"
                + "  ]\n"
                + "  schedule = [ { at = 50ms, cut = [a, b] }, { at = 600ms, heal = [a, b] } ]\n");
    String out = r.out();
    assertEquals(0, r.exitCode(), out + r.err());
    assertTrue(out.contains("--- up: iperf a -> b port 5001, 307200 bytes ---"), out);
    assertTrue(out.contains("result: completed, as expected"), out);
    assertTrue(out.contains("transferred: 307200 of 307200 bytes"), out);
    assertTrue(Pattern.compile("goodput: [\\d.]+ [KMG]?bits/sec").matcher(out).find(), out);
    assertTrue(
        Pattern.compile("retransmits: \\d+ \\(fast retransmits: \\d+, timeouts: [1-9]\\d*\\)")
            .matcher(out)
            .find(),
        "a 550 ms cut costs at least one retransmission timeout\n" + out);
    assertTrue(out.contains("content: SHA-256 match"), out);
    assertTrue(out.contains("packets transmitted"), out);
    assertTrue(out.contains("schedule as executed"), out);
    assertTrue(
        Pattern.compile("0\\.050 +\\d+\\.\\d{3} +\\d+\\.\\d{3}  cut a <-> b").matcher(out).find(),
        out);
    assertTrue(
        Pattern.compile("0\\.600 +\\d+\\.\\d{3} +\\d+\\.\\d{3}  heal a <-> b").matcher(out).find(),
        out);
    assertTrue(out.contains("link conditions (seed 5):"), out);
    assertTrue(
        Pattern.compile(
                "frames +dropped +delayed +duplicated +corrupted +reordered +queued +tail-dropped")
            .matcher(out)
            .find(),
        out);
    assertTrue(out.contains("2 of 2 traffic entries ended as expected"), out);
  }

  @Test
  @DisplayName("a cut that never heals: the transfer fails, exit 1; with expect = failure, exit 0")
  void expectedFailure(@TempDir Path dir) throws Exception {
    String body =
        "  traffic = [ { type = iperf, from = a, to = b, size = 200K, timeout = 2s%s } ]\n"
            + "  schedule = [ { at = 0s, cut = [a, b] } ]\n";
    VnetifCliTest.Run failed = runScenario(dir, String.format(body, ""));
    assertEquals(1, failed.exitCode(), failed.out() + failed.err());
    assertTrue(failed.out().contains("result: FAILED, but success was expected"), failed.out());
    VnetifCliTest.Run expected = runScenario(dir, String.format(body, ", expect = failure"));
    assertEquals(0, expected.exitCode(), expected.out() + expected.err());
    assertTrue(expected.out().contains("result: failed, as expected"), expected.out());
  }

  @Test
  @DisplayName("a nemesis partitions during the run, is stopped, and its events are printed")
  void nemesis(@TempDir Path dir) throws Exception {
    VnetifCliTest.Run r =
        runScenario(
            dir,
            "  traffic = [ { type = ping, from = a, to = b, count = 12, interval = 100ms,"
                + " wait = 200ms } ]\n"
                + "  nemesis { tick = 20ms, partition-probability = 100%, heal-probability = 100%,"
                + " partition-stability = 200ms, heal-stability = 200ms, from = 100ms,"
                + " until = 900ms }\n");
    String out = r.out();
    assertEquals(0, r.exitCode(), out + r.err());
    assertTrue(
        out.contains(
            "nemesis:\n  uniform-size on every host, from 100ms until 900ms: tick 20ms, partition"
                + " 100% after 200ms healed, heal 100% after 200ms partitioned, 0% one way"),
        out);
    assertTrue(out.contains("nemesis nemesis-0: started"), out);
    assertTrue(out.contains("nemesis nemesis-0: stopped (until 900ms), healed"), out);
    assertTrue(out.contains("nemesis as executed (seconds from the start): started 0.1"), out);
    // Healed for 200 ms, then partitioned for 200 ms, and so on: the first partition at tick 11.
    assertTrue(
        Pattern.compile(
                " +\\d+\\.\\d{3} +11  partition \\[a\\] \\| \\[b\\] both ways|"
                    + " +\\d+\\.\\d{3} +11  partition \\[b\\] \\| \\[a\\] both ways")
            .matcher(out)
            .find(),
        out);
    assertTrue(
        Pattern.compile(" +22  heal \\[[ab]\\] \\| \\[[ab]\\] both ways").matcher(out).find(), out);
    assertTrue(
        Pattern.compile("\\d+ partitions \\(0 one way\\), partitioned").matcher(out).find(), out);
    assertTrue(
        Pattern.compile("packets transmitted, \\d+ received, [1-9]").matcher(out).find(), out);
  }

  @Test
  @DisplayName("a bad scenario exits 2 with the key and the value, before any network is built")
  void badScenario(@TempDir Path dir) throws Exception {
    VnetifCliTest.Run r =
        runScenario(dir, "  traffic = [ { type = iperf, from = a, to = b, size = 1M, rate = 5 } ]");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("scenario.traffic[0].rate = 5"), r.err());
    assertTrue(r.err().contains("unknown key 'rate'"), r.err());
    VnetifCliTest.Run none = runScenario(dir, "");
    assertEquals(2, none.exitCode());
    assertTrue(none.err().contains("has no traffic to run"), none.err());
  }
}
