package dev.vnetif.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code vnetif run --virtual-time}: a scenario's schedule and traffic at exact virtual times. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RunVirtualTimeTest {
  private static final String SCENARIO =
      "scenario {\n"
          + "  name = tiny\n"
          + "  seed = 5\n"
          + "  hosts = [ { name = a, cidr = \"10.0.0.2/24\" }, { name = b, cidr = \"10.0.0.3/24\" } ]\n"
          + "  conditions { delay = 10ms, rate = 10Mbit }\n"
          + "  traffic = [\n"
          + "    { type = iperf, name = up, from = a, to = b, size = 2M, timeout = 60s }\n"
          + "    { type = ping, from = a, to = b, start = 8s, count = 3, interval = 1s, wait = 1s }\n"
          + "  ]\n"
          + "  schedule = [ { at = 500ms, cut = [a, b] }, { at = 3s, heal = [a, b] },\n"
          + "               { at = 9500ms, set-conditions = { delay = 40ms } } ]\n"
          + "}\n";

  @Test
  @DisplayName(
      "each change runs at its planned virtual time to the microsecond, the ping RTTs are the "
          + "links' delays, and the run ends with virtual time, wall time and speed-up")
  void scheduleRunsAtItsVirtualTimes(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("tiny.conf");
    Files.writeString(file, SCENARIO);
    VnetifCliTest.Run r = VnetifCliTest.run("run", "--virtual-time", file.toString());
    String out = r.out();
    assertEquals(0, r.exitCode(), out + r.err());
    for (String line :
        new String[] {
          "0.500     0.500     0.500  cut a <-> b",
          "3.000     3.000     3.000  heal a <-> b",
          "9.500     9.500     9.500  set-conditions"
        }) {
      assertTrue(out.contains(line), line + "\n" + out);
    }
    assertTrue(out.contains("[   8.000s] ping-2: started"), out);
    // 2 MiB at 10 Mbit/s is 1.74 s of serialization; the 2.5 s cut comes on top, with the RTO
    // backoff after it (the first retransmission after the heal is at 0.5 + 0.2 * (2^n - 1) s).
    Matcher transfer =
        Pattern.compile("transferred: 2097152 of 2097152 bytes in (\\d+\\.\\d{3}) s").matcher(out);
    assertTrue(transfer.find(), out);
    double seconds = Double.parseDouble(transfer.group(1));
    assertTrue(seconds > 1.74 + 2.5 && seconds < 12, out);
    // The pings at 8 s and 9 s cross 10 ms and 10 Mbit/s each way (78 us for their 98 bytes),
    // the one at 10 s the 40 ms set at 9.5 s, which replaced them.
    Matcher rtt =
        Pattern.compile("rtt min/avg/max/mdev = (\\d+\\.\\d{3})/[\\d.]+/(\\d+\\.\\d{3})/")
            .matcher(out);
    assertTrue(rtt.find(), out);
    assertEquals(20.2, Double.parseDouble(rtt.group(1)), 0.2, out);
    assertEquals(80.0, Double.parseDouble(rtt.group(2)), 0.2, out);
    assertTrue(out.contains("3 packets transmitted, 3 received, 0% packet loss, time 2"), out);
    assertTrue(
        Pattern.compile(
                "2 of 2 traffic entries ended as expected; virtual time \\d+\\.\\d{3} s, wall time "
                    + "\\d+\\.\\d{3} s, speed-up \\d+\\.\\dx")
            .matcher(out)
            .find(),
        out);
  }

  @Test
  @DisplayName("a timed transfer on links that take no time is refused in virtual time")
  void timedTransferNeedsTimeToPass(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("timed.conf");
    Files.writeString(
        file,
        "scenario {\n  name = timed\n"
            + "  hosts = [ { name = a, cidr = \"10.0.0.2/24\" }, { name = b, cidr = \"10.0.0.3/24\" } ]\n"
            + "  traffic = [ { type = iperf, from = a, to = b, time = 2s } ]\n}\n");
    VnetifCliTest.Run r = VnetifCliTest.run("run", "--virtual-time", file.toString());
    assertEquals(2, r.exitCode(), r.out() + r.err());
    assertTrue(r.err().contains("needs links that take time"), r.err());
  }
}
