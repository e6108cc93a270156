package dev.vnetif.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.Distribution;
import dev.vnetif.LossModel;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The written forms of condition values, shared by the flags and the scenario files. */
class ConditionValuesTest {

  @Test
  @DisplayName("probabilities: percentages and fractions, 0 and 100% included")
  void probabilities() {
    assertEquals(0.01, ConditionValues.probability("1%"));
    assertEquals(0.005, ConditionValues.probability("0.5%"));
    assertEquals(0.005, ConditionValues.probability(" 0.5 % "));
    assertEquals(1.0, ConditionValues.probability("100%"));
    assertEquals(0.0, ConditionValues.probability("0%"));
    assertEquals(0.01, ConditionValues.probability("0.01"));
    assertEquals(1.0, ConditionValues.probability("1"));
    assertEquals(0.25, ConditionValues.probability(".25"));
  }

  @Test
  @DisplayName("a probability over 100%, negative or not a number is refused, quoting it")
  void badProbabilities() {
    assertBad(ConditionValues::probability, "150%", "'150%' is more than 100%");
    assertBad(ConditionValues::probability, "5", "write 5% for percent");
    assertBad(ConditionValues::probability, "-1%", "'-1%' is not a probability");
    assertBad(ConditionValues::probability, "lots", "'lots' is not a probability");
    assertBad(ConditionValues::probability, "", "is not a probability");
  }

  @Test
  @DisplayName("durations: ns, us, ms, s, min, decimals, spaces, a bare 0")
  void durations() {
    assertEquals(Duration.ofMillis(50), ConditionValues.duration("50ms"));
    assertEquals(Duration.ofMillis(50), ConditionValues.duration("50 ms"));
    assertEquals(Duration.ofMillis(1500), ConditionValues.duration("1.5s"));
    assertEquals(Duration.ofNanos(250_000), ConditionValues.duration("250us"));
    assertEquals(Duration.ofNanos(250_000), ConditionValues.duration("250µs"));
    assertEquals(Duration.ofNanos(7), ConditionValues.duration("7ns"));
    assertEquals(Duration.ofMinutes(2), ConditionValues.duration("2min"));
    assertEquals(Duration.ZERO, ConditionValues.duration("0"));
    assertBad(ConditionValues::duration, "50", "'50' is not a duration");
    assertBad(ConditionValues::duration, "50 parsecs", "'50 parsecs' is not a duration");
    assertBad(ConditionValues::duration, "-5ms", "'-5ms' is not a duration");
    assertBad(ConditionValues::positiveDuration, "0s", "'0s' must be more than zero");
  }

  @Test
  @DisplayName("durations print back in the same forms")
  void durationText() {
    assertEquals("50ms", ConditionValues.durationText(Duration.ofMillis(50)));
    assertEquals("1.5s", ConditionValues.durationText(Duration.ofMillis(1500)));
    assertEquals("250us", ConditionValues.durationText(Duration.ofNanos(250_000)));
    assertEquals("0s", ConditionValues.durationText(Duration.ZERO));
    assertEquals("7%", ConditionValues.percent(0.07));
    assertEquals("0.5%", ConditionValues.percent(0.005));
  }

  @Test
  @DisplayName("rates: bit, kbit, Mbit, Gbit, Tbit by 1000, Kibit by 1024, bps and bit/s forms")
  void rates() {
    assertEquals(10_000_000L, ConditionValues.bitsPerSecond("10Mbit"));
    assertEquals(10_000_000L, ConditionValues.bitsPerSecond("10mbit"));
    assertEquals(10_000_000L, ConditionValues.bitsPerSecond("10Mbps"));
    assertEquals(10_000_000L, ConditionValues.bitsPerSecond("10 Mbit/s"));
    assertEquals(512_000L, ConditionValues.bitsPerSecond("512kbit"));
    assertEquals(1_500_000_000L, ConditionValues.bitsPerSecond("1.5Gbit"));
    assertEquals(2_000_000_000_000L, ConditionValues.bitsPerSecond("2Tbit"));
    assertEquals(9600L, ConditionValues.bitsPerSecond("9600bit"));
    assertEquals(9600L, ConditionValues.bitsPerSecond("9600bps"));
    assertEquals(1024L, ConditionValues.bitsPerSecond("1Kibit"));
    assertEquals(3L << 20, ConditionValues.bitsPerSecond("3Mibit"));
    assertBad(ConditionValues::bitsPerSecond, "10", "'10' is not a rate");
    assertBad(ConditionValues::bitsPerSecond, "10MB", "'10MB' is not a rate");
    assertBad(ConditionValues::bitsPerSecond, "0bit", "'0bit' is less than 1 bit per second");
  }

  @Test
  @DisplayName("reorder: P with gap 1 by default, or P:GAP")
  void reorder() {
    assertEquals(new ConditionValues.Reorder(0.01, 1), ConditionValues.reorder("1%"));
    assertEquals(new ConditionValues.Reorder(0.25, 5), ConditionValues.reorder("25%:5"));
    assertBad(ConditionValues::reorder, "1%:0", "'0' is less than 1");
    assertBad(ConditionValues::reorder, "1%:x", "'1%:x' is not a reordering");
    assertBad(ConditionValues::reorder, "200%:2", "'200%' is more than 100%");
  }

  @Test
  @DisplayName("loss models in netem's argument order, with netem's defaults for what is left out")
  void lossModels() {
    assertEquals(
        LossModel.gilbertElliott(0.01, 0.25, 1, 0).toString(),
        ConditionValues.lossModel("ge:0.01,0.25,1,0").toString());
    assertEquals(
        LossModel.gilbertElliott(0.01, 0.25, 0.5, 0.001).toString(),
        ConditionValues.lossModel("ge:1%,25%,50%,0.1%").toString());
    assertEquals(
        LossModel.gilbertElliott(0.02, 0.98, 1, 0).toString(),
        ConditionValues.lossModel("gemodel:2%").toString());
    assertEquals(
        LossModel.fourState(0.1, 0.2, 0.3, 0.4, 0.05).toString(),
        ConditionValues.lossModel("4state:10%,20%,30%,40%,5%").toString());
    assertEquals(
        LossModel.fourState(0.1, 0.9, 0, 1, 0).toString(),
        ConditionValues.lossModel("4state:10%").toString());
    assertBad(ConditionValues::lossModel, "gilbert:1%", "'gilbert:1%' is not a loss model");
    assertBad(ConditionValues::lossModel, "ge:1%,2%,3%,4%,5%", "has 5 values");
    assertBad(ConditionValues::lossModel, "ge:1%,x", "has a bad probability: 'x'");
  }

  @Test
  @DisplayName("distributions by netem's names, any case")
  void distributions() {
    assertEquals(Distribution.NORMAL, ConditionValues.distribution("normal"));
    assertEquals(Distribution.UNIFORM, ConditionValues.distribution("Uniform"));
    assertEquals(Distribution.PARETO, ConditionValues.distribution("pareto"));
    assertEquals(Distribution.PARETO_NORMAL, ConditionValues.distribution("paretonormal"));
    assertEquals(Distribution.PARETO_NORMAL, ConditionValues.distribution("pareto-normal"));
    assertBad(ConditionValues::distribution, "gauss", "'gauss' is not a distribution");
  }

  @Test
  @DisplayName("slots: MIN[,MAX[,PACKETS[,BYTES]]], max not below min")
  void slots() {
    assertEquals(
        new ConditionSpec.Slot(Duration.ofMillis(2), Duration.ofMillis(10), 8, 0),
        ConditionValues.slot("2ms,10ms,8"));
    assertEquals(
        new ConditionSpec.Slot(Duration.ofMillis(2), Duration.ofMillis(2), 0, 0),
        ConditionValues.slot("2ms"));
    assertEquals(
        new ConditionSpec.Slot(Duration.ofMillis(1), Duration.ofMillis(3), 4, 6000),
        ConditionValues.slot("1ms,3ms,4,6000"));
    assertBad(ConditionValues::slot, "10ms,2ms", "below its min");
    assertBad(ConditionValues::slot, "1ms,2ms,3,4,5", "is not a slot");
  }

  private static void assertBad(Function<String, ?> parse, String text, String expected) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> parse.apply(text));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
