package dev.vnetif.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.Distribution;
import dev.vnetif.LinkConditions;
import dev.vnetif.LossModel;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The condition flags: each one, their units, netem's order, and the errors a user sees. */
class ConditionOptionsTest {

  @Command(name = "test")
  static final class Holder {
    @Mixin ConditionOptions options;
  }

  private static LinkConditions parse(String... args) {
    Holder holder = new Holder();
    new CommandLine(holder).parseArgs(args);
    return holder.options.conditions();
  }

  private static void assertBuilds(LinkConditions expected, String... args) {
    assertEquals(expected.toString(), parse(args).toString(), String.join(" ", args));
  }

  @Test
  @DisplayName("no flag: no conditions")
  void none() {
    assertTrue(parse().isNone());
  }

  @Test
  @DisplayName("each flag on its own builds its one step")
  void eachFlag() {
    LinkConditions none = LinkConditions.none();
    assertBuilds(none.loss(0.01), "--loss", "1%");
    assertBuilds(
        none.loss(LossModel.gilbertElliott(0.01, 0.25, 1, 0)), "--loss-model", "ge:1%,25%,1,0");
    assertBuilds(
        none.loss(LossModel.fourState(0.01, 0.3, 0.1, 0.9, 0.001)),
        "--loss-model",
        "4state:1%,30%,10%,90%,0.1%");
    assertBuilds(none.duplicate(0.005), "--duplicate", "0.5%");
    assertBuilds(none.corrupt(0.001), "--corrupt", "0.1%");
    assertBuilds(none.delay(Duration.ofMillis(50)), "--delay", "50ms");
    assertBuilds(
        none.delay(Duration.ofMillis(50), Duration.ofMillis(10)),
        "--delay",
        "50ms",
        "--jitter",
        "10ms");
    assertBuilds(
        none.delay(Duration.ofMillis(50), Duration.ofMillis(10), Distribution.PARETO_NORMAL),
        "--delay=50ms",
        "--jitter=10ms",
        "--distribution=paretonormal");
    assertBuilds(
        none.delay(Duration.ofMillis(50), Duration.ofMillis(10), Distribution.NORMAL)
            .correlation(0.25),
        "--delay=50ms",
        "--jitter=10ms",
        "--distribution=normal",
        "--correlation=25%");
    Duration ms = Duration.ofMillis(1);
    assertBuilds(none.delay(ms).reorder(0.01, 1), "--delay", "1ms", "--reorder", "1%");
    assertBuilds(none.delay(ms).reorder(0.25, 5), "--delay", "1ms", "--reorder", "25%:5");
    assertBuilds(none.rate(10_000_000L), "--rate", "10Mbit");
    assertBuilds(none.rate(10_000_000L, 24), "--rate", "10Mbps", "--rate-overhead", "24");
    assertBuilds(none.queueLimit(50), "--queue", "50");
    assertBuilds(
        none.slot(Duration.ofMillis(2), Duration.ofMillis(10), 8, 0), "--slot", "2ms,10ms,8");
  }

  @Test
  @DisplayName("all flags at once apply in netem's order, whatever order they were given in")
  void netemOrder() {
    LinkConditions expected =
        LinkConditions.none()
            .loss(0.01)
            .duplicate(0.005)
            .corrupt(0.001)
            .delay(Duration.ofMillis(50), Duration.ofMillis(10), Distribution.NORMAL)
            .correlation(0.25)
            .reorder(0.02, 3)
            .slot(Duration.ofMillis(1), Duration.ofMillis(4), 0, 0)
            .rate(1_000_000L)
            .queueLimit(20);
    assertBuilds(
        expected,
        "--queue=20",
        "--rate=1Mbit",
        "--slot=1ms,4ms",
        "--reorder=2%:3",
        "--correlation=25%",
        "--distribution=normal",
        "--jitter=10ms",
        "--delay=50ms",
        "--corrupt=0.1%",
        "--duplicate=0.5%",
        "--loss=1%");
  }

  @Test
  @DisplayName("a bad value is a picocli error naming the option and the value")
  void badValues() {
    assertParseError(
        "Invalid value for option '--loss': '150%' is more than 100%", "--loss", "150%");
    assertParseError("'--delay': 'soon' is not a duration", "--delay", "soon");
    assertParseError("'--jitter': '5' is not a duration", "--jitter", "5");
    assertParseError("'--rate': '10MB' is not a rate", "--rate", "10MB");
    assertParseError("'--reorder': '1%:x' is not a reordering", "--reorder", "1%:x");
    assertParseError("'--loss-model': 'ge:' is not a loss model", "--loss-model", "ge:");
    assertParseError("'--distribution': 'gauss'", "--distribution", "gauss");
    assertParseError("'--correlation': '101%'", "--correlation", "101%");
    assertParseError("'--duplicate': '2'", "--duplicate", "2");
    assertParseError("'--corrupt': 'x'", "--corrupt", "x");
    assertParseError("'--queue': 'many'", "--queue", "many");
    assertParseError("'--slot': '5ms,1ms' has its max 1ms below its min 5ms", "--slot", "5ms,1ms");
  }

  @Test
  @DisplayName("flags that do not go together are refused, naming both")
  void combinations() {
    assertCombination(
        "give either --loss or --loss-model, not both", "--loss=1%", "--loss-model=ge:1%");
    assertCombination("--jitter needs --delay as well", "--jitter=5ms");
    assertCombination(
        "--distribution needs --jitter as well", "--delay=5ms", "--distribution=normal");
    assertCombination("--correlation needs --jitter as well", "--delay=5ms", "--correlation=5%");
    assertCombination("--rate-overhead needs --rate as well", "--rate-overhead=24");
    assertCombination("--reorder needs --delay as well", "--reorder=1%");
    assertCombination("--queue must be at least 1 frame, got 0", "--queue=0");
  }

  @Test
  @DisplayName("through vnetif: a bad value exits 2 before any network is built")
  void throughTheTool() {
    VnetifCliTest.Run r = VnetifCliTest.run("iperf", "--loss", "150%");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("'150%' is more than 100%"), r.err());
    VnetifCliTest.Run ping = VnetifCliTest.run("ping", "--jitter", "5ms");
    assertEquals(2, ping.exitCode());
    assertTrue(ping.err().contains("--jitter needs --delay"), ping.err());
  }

  @Test
  @DisplayName("the help of iperf and ping says the order the conditions apply in")
  void helpSaysTheOrder() {
    for (String command : new String[] {"iperf", "ping", "run"}) {
      VnetifCliTest.Run r = VnetifCliTest.run(command, "--help");
      String help = r.out().replaceAll("\\s+", " ");
      assertTrue(help.contains("in netem's order: " + ConditionSpec.ORDER), help);
      assertTrue(help.contains("--loss=P"), help);
    }
  }

  private static void assertParseError(String expected, String... args) {
    CommandLine.ParameterException e =
        assertThrows(CommandLine.ParameterException.class, () -> parse(args));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  private static void assertCombination(String expected, String... args) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(args));
    assertEquals(expected, e.getMessage());
  }
}
