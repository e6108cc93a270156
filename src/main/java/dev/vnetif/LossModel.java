package dev.vnetif;

import static dev.vnetif.link.conditions.Arguments.probability;

import dev.vnetif.link.conditions.NetemText;

/**
 * How a {@link ConditionStep.Loss} decides which frames to lose: netem's three loss generators
 * ({@code loss random}, {@code loss gemodel}, {@code loss state}, from Linux {@code
 * net/sched/sch_netem.c}). Each link keeps its own generator state; the Markov models start in
 * their good (no loss) state, as netem's do.
 */
public sealed interface LossModel
    permits LossModel.Random, LossModel.GilbertElliott, LossModel.FourState {

  /**
   * The long-run fraction of frames lost (from the first state, without correlation). For {@link
   * Random} with a correlation, netem's mixing of uniform variates makes the real rate differ from
   * {@code p}; this returns {@code p}.
   */
  double meanLossRate();

  /** netem {@code loss random p}: each frame lost independently with probability {@code p}. */
  static Random random(double p) {
    return new Random(p, 0.0);
  }

  /**
   * netem {@code loss random p correlation}: the uniform variate compared with {@code p} is {@code
   * (1 - correlation) * fresh + correlation * previous}, as netem's {@code get_crandom}.
   */
  static Random random(double p, double correlation) {
    return new Random(p, correlation);
  }

  /**
   * netem {@code loss gemodel p r 1-h 1-k}: the Gilbert-Elliott two-state model, with the
   * parameters in netem's positions. See {@link GilbertElliott}.
   *
   * @param p probability of going from the good to the bad state, per frame
   * @param r probability of going from the bad to the good state, per frame
   * @param lossInBad probability of losing a frame in the bad state (netem's third value, "1-h")
   * @param lossInGood probability of losing a frame in the good state (netem's fourth, "1-k")
   */
  static GilbertElliott gilbertElliott(double p, double r, double lossInBad, double lossInGood) {
    return new GilbertElliott(p, r, lossInBad, lossInGood);
  }

  /**
   * netem {@code loss gemodel p r}: the Gilbert model, every frame in the bad state lost and none
   * in the good state (netem's defaults for the last two values). The mean loss burst is {@code
   * 1/r} frames and the long-run loss rate {@code p / (p + r)}.
   */
  static GilbertElliott gilbertElliott(double p, double r) {
    return new GilbertElliott(p, r, 1.0, 0.0);
  }

  /**
   * netem {@code loss state p13 p31 p32 p23 p14}: the 4-state Markov model of Salsano et al. (the
   * "GI" model). See {@link FourState} for the states and transitions.
   */
  static FourState fourState(double p13, double p31, double p32, double p23, double p14) {
    return new FourState(p13, p31, p32, p23, p14);
  }

  /**
   * netem {@code loss state p13} with iproute2's defaults for the rest: {@code p31 = 1 - p13},
   * {@code p32 = 0}, {@code p23 = 1}, {@code p14 = 0} (a burst of one loss, then back to the gap).
   */
  static FourState fourState(double p13) {
    return new FourState(p13, 1.0 - probability("loss state p13", p13), 0.0, 1.0, 0.0);
  }

  /**
   * Independent (Bernoulli) loss with probability {@code p}, optionally correlated. Prints as
   * {@code random 1%} or {@code random 1% 25%}.
   */
  record Random(double p, double correlation) implements LossModel {
    public Random {
      probability("loss random probability", p);
      probability("loss random correlation", correlation);
    }

    @Override
    public double meanLossRate() {
      return p;
    }

    /** This model with another correlation. */
    public Random withCorrelation(double correlation) {
      return new Random(p, correlation);
    }

    @Override
    public String toString() {
      return "random "
          + NetemText.percent(p)
          + (correlation == 0 ? "" : " " + NetemText.percent(correlation));
    }
  }

  /**
   * The Gilbert-Elliott model as netem's {@code loss_gilb_ell}: two states, good and bad, starting
   * good. For each frame: the frame is lost with the loss probability of the state it finds ({@code
   * lossInGood} or {@code lossInBad}), and the state moves good to bad with probability {@code p},
   * bad to good with probability {@code r}. A loss burst (with {@code lossInBad = 1, lossInGood =
   * 0}) therefore lasts {@code 1/r} frames on average.
   *
   * <p>The components are in netem's {@code gemodel p r 1-h 1-k} positions: the third IS the loss
   * probability in the bad state (the literature's {@code 1-h}, h being the probability of
   * delivering in the bad state) and the fourth the loss probability in the good state ({@code
   * 1-k}). Prints as {@code gemodel 1% 25% 100% 0%}.
   */
  record GilbertElliott(double p, double r, double lossInBad, double lossInGood)
      implements LossModel {
    public GilbertElliott {
      probability("loss gemodel p", p);
      probability("loss gemodel r", r);
      probability("loss gemodel 1-h (loss in the bad state)", lossInBad);
      probability("loss gemodel 1-k (loss in the good state)", lossInGood);
    }

    @Override
    public double meanLossRate() {
      if (p == 0) {
        return lossInGood; // never leaves the good state it starts in
      }
      if (r == 0) {
        return lossInBad; // once bad, bad forever
      }
      double bad = p / (p + r);
      return bad * lossInBad + (1 - bad) * lossInGood;
    }

    @Override
    public String toString() {
      return "gemodel "
          + NetemText.percent(p)
          + " "
          + NetemText.percent(r)
          + " "
          + NetemText.percent(lossInBad)
          + " "
          + NetemText.percent(lossInGood);
    }
  }

  /**
   * The 4-state Markov model of Salsano, Ludovici, Ordine ("GI" model), as netem's {@code
   * loss_4state}. Starting in state 1, each frame moves the chain, and the frame is lost when the
   * state it moves to is a loss state (3 or 4):
   *
   * <ul>
   *   <li>state 1, transmitted in a gap period: to 4 with {@code p14}, to 3 with {@code p13}, else
   *       stays in 1;
   *   <li>state 2, transmitted in a burst period: to 3 with {@code p23}, else stays in 2;
   *   <li>state 3, lost in a burst period: to 2 with {@code p32}, to 1 with {@code p31}, else stays
   *       in 3 (and the frame is lost again);
   *   <li>state 4, isolated loss in a gap period: always back to 1.
   * </ul>
   *
   * <p>So {@code p13 + p14 <= 1} and {@code p31 + p32 <= 1}. The numbers are the paper's (netem's
   * parameters {@code p13 p31 p32 p23 p14} use them); the kernel's enum happens to number the two
   * loss states the other way round. Prints as {@code state 1% 30% 10% 5% 0.1%}.
   */
  record FourState(double p13, double p31, double p32, double p23, double p14)
      implements LossModel {
    public FourState {
      probability("loss state p13", p13);
      probability("loss state p31", p31);
      probability("loss state p32", p32);
      probability("loss state p23", p23);
      probability("loss state p14", p14);
      if (p13 + p14 > 1.0) {
        throw new IllegalArgumentException(
            "loss state p13 + p14 must be <= 1 (both leave state 1), got " + p13 + " + " + p14);
      }
      if (p31 + p32 > 1.0) {
        throw new IllegalArgumentException(
            "loss state p31 + p32 must be <= 1 (both leave state 3), got " + p31 + " + " + p32);
      }
    }

    /** The long-run loss rate of the chain started in state 1 (the stationary mass of 3 and 4). */
    @Override
    public double meanLossRate() {
      if (p13 == 0) {
        return p14 / (1 + p14); // the chain stays within 1 and 4
      }
      if (p31 == 0) { // once in the burst states, never back to the gap
        if (p32 == 0) {
          return 1.0;
        }
        return p23 == 0 ? 0.0 : p23 / (p23 + p32);
      }
      if (p32 > 0 && p23 == 0) {
        return 0.0; // state 2 is reached and never left
      }
      // Balance equations with pi1 = 1: pi3 * p31 = pi1 * p13, pi2 * p23 = pi3 * p32, pi4 = p14.
      double pi3 = p13 / p31;
      double pi2 = p32 == 0 ? 0.0 : pi3 * p32 / p23;
      double pi4 = p14;
      return (pi3 + pi4) / (1 + pi2 + pi3 + pi4);
    }

    @Override
    public String toString() {
      return "state "
          + NetemText.percent(p13)
          + " "
          + NetemText.percent(p31)
          + " "
          + NetemText.percent(p32)
          + " "
          + NetemText.percent(p23)
          + " "
          + NetemText.percent(p14);
    }
  }
}
