package dev.vnetif.link.conditions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.LinkConditions;
import dev.vnetif.LossModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionedLinkLossTest {
  private static final long SEED = 0x5EED_1055L;

  @Test
  void randomLossOfOnePercentDropsBetween0point7And1point3Percent() {
    LinkHarness h = new LinkHarness(LinkConditions.none().loss(0.01), SEED);
    int n = 100_000;
    int lost = count(h.passed(n, 100, LinkHarness.MS), false);
    double rate = lost / (double) n;
    assertTrue(rate >= 0.007 && rate <= 0.013, h.replay() + "lost " + rate + " of " + n);
    assertEquals(lost, h.link.stats().steps().get(0).dropped(), h.replay());
    assertEquals(n, h.link.stats().steps().get(0).frames(), h.replay());
  }

  @Test
  void lossOfZeroLosesNothingAndOfOneLosesEverything() {
    assertEquals(
        0,
        count(new LinkHarness(LinkConditions.none().loss(0), SEED).passed(10_000, 60, 1), false));
    assertEquals(
        0, count(new LinkHarness(LinkConditions.none().loss(1), SEED).passed(10_000, 60, 1), true));
  }

  @Test
  void gilbertBurstsAverageOneOverRAndLoseTheStationaryShare() {
    // p = 1%, r = 25%: mean burst 1/r = 4 frames, loss rate p / (p + r) = 3.846%.
    double p = 0.01;
    double r = 0.25;
    LinkHarness h =
        new LinkHarness(LinkConditions.none().loss(LossModel.gilbertElliott(p, r)), SEED);
    int n = 1_000_000;
    boolean[] passed = h.passed(n, 60, 1);
    List<Integer> bursts = lossBursts(passed);
    double meanBurst = bursts.stream().mapToInt(Integer::intValue).average().orElse(0);
    assertTrue(
        Math.abs(meanBurst - 1 / r) <= 0.1 * (1 / r),
        h.replay()
            + "mean burst "
            + meanBurst
            + " over "
            + bursts.size()
            + " bursts, want 4 +- 10%");
    double rate = count(passed, false) / (double) n;
    double stationary = p / (p + r);
    assertTrue(
        Math.abs(rate - stationary) <= 0.05 * stationary,
        h.replay() + "loss rate " + rate + ", want " + stationary + " +- 5%");
  }

  @Test
  void gilbertElliottLosesInEachStateWithThatStatesProbability() {
    // Bad 1/7 of the time (p / (p + r)); loses 60% there and 2% in the good state: 10.286%.
    LossModel.GilbertElliott model = LossModel.gilbertElliott(0.05, 0.30, 0.60, 0.02);
    LinkHarness h = new LinkHarness(LinkConditions.none().loss(model), SEED);
    int n = 400_000;
    double rate = count(h.passed(n, 60, 1), false) / (double) n;
    double bad = 0.05 / 0.35;
    double expected = bad * 0.60 + (1 - bad) * 0.02;
    assertEquals(expected, model.meanLossRate(), 1e-12);
    assertTrue(
        Math.abs(rate - expected) <= 0.05 * expected,
        h.replay() + "loss rate " + rate + ", want " + expected + " +- 5%");
  }

  @Test
  void gilbertWithCertainTransitionsAlternatesStartingGood() {
    // p = r = 1: the state flips on every frame; the first frame finds the good state.
    LinkHarness h =
        new LinkHarness(LinkConditions.none().loss(LossModel.gilbertElliott(1, 1)), SEED);
    boolean[] passed = h.passed(1_000, 60, 1);
    for (int i = 0; i < passed.length; i++) {
      assertEquals(i % 2 == 0, passed[i], "frame " + (i + 1));
    }
  }

  @Test
  void fourStateModelLosesItsStationaryShareOfTheTransitionMatrix() {
    double p13 = 0.02;
    double p31 = 0.30;
    double p32 = 0.10;
    double p23 = 0.20;
    double p14 = 0.01;
    LossModel.FourState model = LossModel.fourState(p13, p31, p32, p23, p14);
    // States 1..4 as in netem's loss_4state; the frame is lost when the chain lands in 3 or 4.
    double[][] transitions = {
      {1 - p13 - p14, 0, p13, p14},
      {0, 1 - p23, p23, 0},
      {p31, p32, 1 - p31 - p32, 0},
      {1, 0, 0, 0}
    };
    double[] pi = stationary(transitions);
    double expected = pi[2] + pi[3];
    assertEquals(expected, model.meanLossRate(), 1e-9, "closed form vs power iteration");

    LinkHarness h = new LinkHarness(LinkConditions.none().loss(model), SEED);
    int n = 500_000;
    double rate = count(h.passed(n, 60, 1), false) / (double) n;
    assertTrue(
        Math.abs(rate - expected) <= 0.05 * expected,
        h.replay() + "loss rate " + rate + ", want " + expected + " +- 5%");
  }

  @Test
  void fourStateIsolatedLossesAlternateWithTheGapState() {
    // p14 = 1: every frame in state 1 goes to 4 (lost), and 4 always returns to 1 (delivered).
    LinkHarness h =
        new LinkHarness(LinkConditions.none().loss(LossModel.fourState(0, 0, 0, 0, 1)), SEED);
    boolean[] passed = h.passed(1_000, 60, 1);
    for (int i = 0; i < passed.length; i++) {
      assertEquals(i % 2 == 1, passed[i], "frame " + (i + 1));
    }
  }

  @Test
  void fourStateBurstsStayInStateThreeUntilTheyLeave() {
    // p13 = 1 then p31 = 1: lost (1 -> 3), delivered (3 -> 1), lost, ... ; p31 = 0.5 instead
    // gives geometric bursts of mean 1 / p31 = 2 (every stay in 3 loses one more frame).
    LinkHarness h =
        new LinkHarness(LinkConditions.none().loss(LossModel.fourState(1, 0.5, 0, 0, 0)), SEED);
    List<Integer> bursts = lossBursts(h.passed(200_000, 60, 1));
    double mean = bursts.stream().mapToInt(Integer::intValue).average().orElse(0);
    assertTrue(Math.abs(mean - 2) <= 0.05 * 2, h.replay() + "mean burst " + mean + ", want 2");
  }

  @Test
  void correlatedRandomLossClustersAndLosesLessAsNetemDoes() {
    // netem's get_crandom mixes uniform variates, (1 - rho) fresh + rho previous: successive
    // draws resemble each other, so losses cluster, and they gather toward 1/2, so fewer than p
    // are lost (netem's known quirk; with rho = 0.9 a 20% loss loses nothing at all).
    int n = 200_000;
    LinkHarness plain = new LinkHarness(LinkConditions.none().loss(0.3), SEED);
    boolean[] plainPassed = plain.passed(n, 60, 1);
    double plainRate = count(plainPassed, false) / (double) n;
    double plainRun = meanRun(plainPassed);
    assertTrue(Math.abs(plainRate - 0.3) <= 0.01, plain.replay() + "loss rate " + plainRate);
    // Independent losses at rate q come in runs of mean 1 / (1 - q).
    assertEquals(1 / (1 - plainRate), plainRun, 0.03, plain.replay() + "mean run");

    LinkHarness correlated =
        new LinkHarness(LinkConditions.none().loss(0.3).correlation(0.5), SEED);
    boolean[] passed = correlated.passed(n, 60, 1);
    double rate = count(passed, false) / (double) n;
    double run = meanRun(passed);
    assertTrue(rate < 0.2, correlated.replay() + "loss rate " + rate + ", netem's is about 0.13");
    assertTrue(
        run > 1.25 / (1 - rate),
        correlated.replay() + "mean run " + run + " vs " + 1 / (1 - rate) + " if independent");
  }

  private static double meanRun(boolean[] passed) {
    return lossBursts(passed).stream().mapToInt(Integer::intValue).average().orElse(0);
  }

  static int count(boolean[] values, boolean wanted) {
    int n = 0;
    for (boolean v : values) {
      if (v == wanted) {
        n++;
      }
    }
    return n;
  }

  /** The lengths of the runs of consecutive lost frames. */
  static List<Integer> lossBursts(boolean[] passed) {
    List<Integer> bursts = new ArrayList<>();
    int run = 0;
    for (boolean p : passed) {
      if (!p) {
        run++;
      } else if (run > 0) {
        bursts.add(run);
        run = 0;
      }
    }
    if (run > 0) {
      bursts.add(run);
    }
    return bursts;
  }

  /** The stationary distribution of an aperiodic chain, by power iteration from state 1. */
  private static double[] stationary(double[][] transitions) {
    int n = transitions.length;
    double[] pi = new double[n];
    pi[0] = 1;
    for (int round = 0; round < 100_000; round++) {
      double[] next = new double[n];
      for (int from = 0; from < n; from++) {
        for (int to = 0; to < n; to++) {
          next[to] += pi[from] * transitions[from][to];
        }
      }
      pi = next;
    }
    return pi;
  }
}
