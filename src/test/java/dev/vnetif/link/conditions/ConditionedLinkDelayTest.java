package dev.vnetif.link.conditions;

import static dev.vnetif.link.conditions.LinkHarness.MS;
import static dev.vnetif.link.conditions.LinkHarness.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.Distribution;
import dev.vnetif.LinkConditions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ConditionedLinkDelayTest {
  private static final long SEED = 0xDE1A7L;
  private static final int SAMPLES = 200_000;

  private static LinkConditions delay100ms10ms(Distribution d) {
    return LinkConditions.none().delay(Duration.ofMillis(100), Duration.ofMillis(10), d);
  }

  @Test
  void fixedDelayDelaysEveryFrameExactly() {
    LinkHarness h = new LinkHarness(LinkConditions.none().delay(Duration.ofMillis(50)), SEED);
    for (int i = 0; i < 100; i++) {
      List<Departure> out = h.offer(60, i * SECOND);
      assertEquals(List.of(i * SECOND + 50 * MS), out.stream().map(Departure::atNanos).toList());
    }
    assertEquals(100, h.link.stats().steps().get(0).delayed());
  }

  /**
   * Sample mean within 2% of the jitter from the mean; sample standard deviation within 2% (5% for
   * the heavy-tailed Pareto laws) of jitter / sqrt(3) for UNIFORM and of jitter otherwise.
   */
  @ParameterizedTest
  @EnumSource(Distribution.class)
  void delaysHaveTheMeanAndDeviationOfTheirDistribution(Distribution d) {
    LinkHarness h = new LinkHarness(delay100ms10ms(d), SEED);
    double[] delays = h.delaysMillis(SAMPLES, SECOND);
    double mean = mean(delays);
    double sd = Math.sqrt(variance(delays, mean));
    double expectedSd = d == Distribution.UNIFORM ? 10 / Math.sqrt(3) : 10;
    double sdTolerance = d == Distribution.PARETO || d == Distribution.PARETO_NORMAL ? 0.05 : 0.02;
    assertEquals(100, mean, 0.2, h.replay() + "mean delay (ms)");
    assertEquals(expectedSd, sd, sdTolerance * expectedSd, h.replay() + "sd of the delay (ms)");
  }

  @Test
  void uniformDelaysStayWithinMeanPlusOrMinusJitter() {
    LinkHarness h = new LinkHarness(delay100ms10ms(Distribution.UNIFORM), SEED);
    double[] delays = h.delaysMillis(SAMPLES, SECOND);
    double min = Arrays.stream(delays).min().orElseThrow();
    double max = Arrays.stream(delays).max().orElseThrow();
    assertTrue(min >= 90 && min < 90.01, h.replay() + "min " + min);
    assertTrue(max < 110 && max > 109.99, h.replay() + "max " + max);
  }

  @Test
  void normalDelaysPutTwoThirdsWithinOneDeviation() {
    LinkHarness h = new LinkHarness(delay100ms10ms(Distribution.NORMAL), SEED);
    double[] delays = h.delaysMillis(SAMPLES, SECOND);
    long within = Arrays.stream(delays).filter(x -> Math.abs(x - 100) <= 10).count();
    double share = within / (double) SAMPLES;
    assertEquals(0.6827, share, 0.005, h.replay() + "share within one sd");
    assertEquals(0.0, skewness(delays), 0.05, h.replay() + "skewness");
  }

  @Test
  void paretoDelaysHaveALongRightTailAndNoLeftOne() {
    LinkHarness h = new LinkHarness(delay100ms10ms(Distribution.PARETO), SEED);
    double[] delays = h.delaysMillis(SAMPLES, SECOND);
    double min = Arrays.stream(delays).min().orElseThrow();
    double max = Arrays.stream(delays).max().orElseThrow();
    // z = (X - 1.498) / 0.7943 with X in [1, 16]: from -0.627 to 18.26.
    assertTrue(min >= 100 - 6.28 && min < 100 - 6.2, h.replay() + "min " + min);
    assertTrue(max <= 100 + 182.6 && max > 150, h.replay() + "max " + max);
    assertTrue(skewness(delays) > 2, h.replay() + "skewness " + skewness(delays));
  }

  @Test
  void paretoNormalIsSkewedButLessThanPareto() {
    double[] mixed =
        new LinkHarness(delay100ms10ms(Distribution.PARETO_NORMAL), SEED)
            .delaysMillis(SAMPLES, SECOND);
    double[] pareto =
        new LinkHarness(delay100ms10ms(Distribution.PARETO), SEED).delaysMillis(SAMPLES, SECOND);
    double skew = skewness(mixed);
    assertTrue(skew > 0.5 && skew < skewness(pareto), "seed=" + SEED + " skewness " + skew);
  }

  /** Lag-1 autocorrelation: below 0.02 in size without correlation, above 0.3 with 50%. */
  @ParameterizedTest
  @EnumSource(Distribution.class)
  void correlationRaisesTheLagOneAutocorrelation(Distribution d) {
    LinkHarness plain = new LinkHarness(delay100ms10ms(d), SEED);
    LinkHarness correlated = new LinkHarness(delay100ms10ms(d).correlation(0.5), SEED);
    double independent = lagOneAutocorrelation(plain.delaysMillis(SAMPLES, SECOND));
    double related = lagOneAutocorrelation(correlated.delaysMillis(SAMPLES, SECOND));
    assertTrue(Math.abs(independent) < 0.02, plain.replay() + "lag-1 " + independent);
    assertTrue(related > 0.3, correlated.replay() + "lag-1 " + related);
  }

  @Test
  void jitterNeverReordersTheLink() {
    // Uniform 1..19 ms for frames 100 us apart: left alone, most would overtake one another.
    LinkConditions c = LinkConditions.none().delay(Duration.ofMillis(10), Duration.ofMillis(9));
    LinkHarness h = new LinkHarness(c, SEED);
    long previous = Long.MIN_VALUE;
    int heldBack = 0;
    for (int i = 0; i < 20_000; i++) {
      long now = i * 100_000L;
      long at = h.offer(60, now).get(0).atNanos();
      assertTrue(at >= previous, h.replay() + "frame " + i + " left before the one ahead");
      assertTrue(at >= now + MS, h.replay() + "frame " + i + " delayed less than 1 ms");
      if (at == previous) {
        heldBack++;
      }
      previous = at;
    }
    assertTrue(heldBack > 1_000, h.replay() + "only " + heldBack + " frames waited for FIFO");
  }

  @Test
  void delayIsNeverNegative() {
    // mean 1 ms, sd 10 ms: 46% of the draws are below zero and leave at once.
    LinkHarness h =
        new LinkHarness(
            LinkConditions.none()
                .delay(Duration.ofMillis(1), Duration.ofMillis(10), Distribution.NORMAL),
            SEED);
    double[] delays = h.delaysMillis(50_000, SECOND);
    assertTrue(Arrays.stream(delays).allMatch(x -> x >= 0), h.replay());
    double atOnce = Arrays.stream(delays).filter(x -> x == 0).count() / 50_000.0;
    assertEquals(0.46, atOnce, 0.01, h.replay() + "share not delayed");
    assertEquals(
        50_000 - Math.round(atOnce * 50_000), h.link.stats().steps().get(0).delayed(), h.replay());
  }

  @Test
  void hugeDelaysSaturateInsteadOfOverflowing() {
    LinkHarness h =
        new LinkHarness(
            LinkConditions.none()
                .delay(Duration.ofDays(100_000), Duration.ofDays(100_000), Distribution.PARETO),
            SEED);
    for (int i = 0; i < 1_000; i++) {
      long now = Long.MAX_VALUE / 2 + i;
      assertTrue(h.offer(60, now).get(0).atNanos() >= now, h.replay() + "frame " + i);
    }
  }

  static double mean(double[] xs) {
    return Arrays.stream(xs).average().orElseThrow();
  }

  static double variance(double[] xs, double mean) {
    double sum = 0;
    for (double x : xs) {
      sum += (x - mean) * (x - mean);
    }
    return sum / (xs.length - 1);
  }

  static double skewness(double[] xs) {
    double mean = mean(xs);
    double sd = Math.sqrt(variance(xs, mean));
    double sum = 0;
    for (double x : xs) {
      double z = (x - mean) / sd;
      sum += z * z * z;
    }
    return sum / xs.length;
  }

  static double lagOneAutocorrelation(double[] xs) {
    double mean = mean(xs);
    double numerator = 0;
    double denominator = 0;
    for (int i = 0; i < xs.length; i++) {
      denominator += (xs[i] - mean) * (xs[i] - mean);
      if (i > 0) {
        numerator += (xs[i] - mean) * (xs[i - 1] - mean);
      }
    }
    return numerator / denominator;
  }
}
