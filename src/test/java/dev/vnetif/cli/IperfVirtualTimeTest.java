package dev.vnetif.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code vnetif iperf --virtual-time}: the network as a simulation, whose durations are the ones
 * the link conditions imply, whatever the machine's speed, and whose runs replay exactly.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class IperfVirtualTimeTest {
  private static final Pattern SPEED_UP =
      Pattern.compile(
          "(?m)^virtual time (\\d+\\.\\d{3}) s, wall time (\\d+\\.\\d{3}) s, speed-up "
              + "(\\d+\\.\\d)x$");

  private static final Pattern INTERVAL =
      Pattern.compile("(?m)^\\[  5\\] +(\\d+\\.\\d\\d)-(\\d+\\.\\d\\d) +sec .*Bytes$");

  @Test
  @DisplayName(
      "1 MiB over a 10 Mbit/s link takes its serialization time in virtual time, 0.871 s, "
          + "and the run ends with the virtual time, the wall time and the speed-up")
  void rateLimitedTransferTakesWhatTheRateImplies() {
    IperfCommandTest.Run r =
        IperfCommandTest.run("--virtual-time", "-n", "1M", "--rate", "10Mbit", "-i", "0");
    assertEquals(0, r.exitCode(), r.all());
    Matcher m = SPEED_UP.matcher(r.out());
    assertTrue(m.find(), r.out());
    double virtual = Double.parseDouble(m.group(1));
    double wall = Double.parseDouble(m.group(2));
    double ratio = Double.parseDouble(m.group(3));
    // 719 frames of up to 1460 payload bytes, 1514 bytes each with the headers, at 10^7 bit/s:
    // each leaves once the one before it has been serialized (netem's rate), so the transfer takes
    // at least 718 frame times; the handshake, the last ACK and the FINs take microseconds.
    double frame = 1514 * 8 / 10e6;
    double frames = Math.ceil((1 << 20) / 1460.0);
    assertTrue(
        virtual >= (frames - 1) * frame && virtual < frames * frame * 1.05,
        "virtual " + virtual + " s for " + frames + " frames of " + frame + " s\n" + r.out());
    assertTrue(wall > 0, r.out());
    // The wall time is printed to the millisecond: at a few tens of milliseconds that rounding
    // moves the ratio by more than 1%, so the printed speed-up must lie within what the printed
    // wall time allows (plus the speed-up's own rounding to 0.1).
    double fastest = virtual / Math.max(wall - 0.0005, 1e-6);
    double slowest = virtual / (wall + 0.0005);
    assertTrue(ratio >= slowest - 0.05 && ratio <= fastest + 0.05, ratio + " for " + r.out());
    assertTrue(r.out().contains("content: SHA-256 match"), r.out());
    assertTrue(r.out().strip().endsWith("iperf Done."), r.out());
  }

  @Test
  @DisplayName(
      "-t 2 -i 0.5 over a 10 ms link: intervals end on exact virtual boundaries, the test time "
          + "is virtual, and a long wall-clock pause would change nothing")
  void timedRunUsesVirtualSeconds() {
    IperfCommandTest.Run r =
        IperfCommandTest.run("--virtual-time", "-t", "2", "-i", "0.5", "--delay", "5ms");
    assertEquals(0, r.exitCode(), r.all());
    Matcher m = INTERVAL.matcher(r.out());
    List<String> ends = new ArrayList<>();
    while (m.find()) {
      ends.add(m.group(2));
    }
    // The last interval ends when the writes queued at the stop have drained, after 2.00.
    assertTrue(ends.size() >= 4, r.out());
    assertEquals(List.of("0.50", "1.00", "1.50"), ends.subList(0, 3), r.out());
    Matcher s = SPEED_UP.matcher(r.out());
    assertTrue(s.find(), r.out());
    assertTrue(Double.parseDouble(s.group(1)) >= 2.0, r.out());
  }

  @Test
  @DisplayName(
      "the same seed replays the same run: identical output but for the wall time, and the "
          + "JSON has the virtual and wall time")
  void sameSeedSameRun() {
    String[] args = {
      "--virtual-time",
      "-t",
      "3",
      "-i",
      "0.5",
      "--delay",
      "5ms",
      "--loss",
      "1%",
      "--rate",
      "50Mbit",
      "--seed",
      "3"
    };
    IperfCommandTest.Run first = IperfCommandTest.run(args);
    IperfCommandTest.Run again = IperfCommandTest.run(args);
    assertEquals(0, first.exitCode(), first.all());
    assertTrue(
        Pattern.compile("retransmits: [1-9]\\d* ").matcher(first.out()).find(),
        "1% loss over 3 s costs retransmissions, else the replay proves little\n" + first.out());
    assertEquals(withoutWallTime(first.out()), withoutWallTime(again.out()));

    IperfCommandTest.Run json =
        IperfCommandTest.run(
            "--virtual-time", "-n", "256K", "--rate", "10Mbit", "--json", "--seed", "3");
    assertEquals(0, json.exitCode(), json.all());
    Config doc =
        ConfigFactory.parseString(
            json.out(), ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON));
    double virtual = doc.getDouble("time.virtual_seconds");
    double wall = doc.getDouble("time.wall_seconds");
    assertTrue(virtual > 0.2 && virtual < 0.3, "256 KiB at 10 Mbit/s: " + json.out());
    assertEquals(virtual / wall, doc.getDouble("time.speed_up"), 1e-9);
    // The report's timestamp is the simulation's (from 2026-01-01T00:00:00Z), so it replays too.
    long simulationEpoch = 1_767_225_600L;
    long timesecs = doc.getLong("start.timestamp.timesecs");
    assertTrue(
        timesecs >= simulationEpoch && timesecs < simulationEpoch + 5, "timesecs " + timesecs);
  }

  @Test
  @DisplayName(
      "a timed run on links that take no time is refused (virtual time would never reach -t); "
          + "by default (no flag) iperf prints no virtual time")
  void timedRunNeedsTimeToPass() {
    IperfCommandTest.Run refused = IperfCommandTest.run("--virtual-time", "-t", "1");
    assertEquals(2, refused.exitCode(), refused.all());
    assertTrue(refused.err().contains("needs links that take time"), refused.err());
    IperfCommandTest.Run wall = IperfCommandTest.run("-n", "64K", "-i", "0");
    assertEquals(0, wall.exitCode(), wall.all());
    assertTrue(!SPEED_UP.matcher(wall.out()).find(), wall.out());
  }

  private static String withoutWallTime(String out) {
    return SPEED_UP.matcher(out).replaceAll("virtual time $1 s, wall time - s, speed-up -");
  }
}
