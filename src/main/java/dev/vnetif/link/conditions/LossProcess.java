package dev.vnetif.link.conditions;

import dev.vnetif.LossModel;
import java.util.SplittableRandom;

/** netem's loss generators ({@code loss_event} in sch_netem.c), one state per link and step. */
abstract class LossProcess {

  /** Whether the next frame is lost; moves the model's state. */
  abstract boolean lose();

  static LossProcess of(LossModel model, SplittableRandom random) {
    if (model instanceof LossModel.Random r) {
      return new Bernoulli(r, random);
    } else if (model instanceof LossModel.GilbertElliott ge) {
      return new GilbertElliott(ge, random);
    } else if (model instanceof LossModel.FourState fs) {
      return new FourState(fs, random);
    }
    throw new IllegalArgumentException("unknown loss model " + model);
  }

  /** {@code loss random}: netem's {@code q->loss >= get_crandom()}, no draw when p is 0. */
  private static final class Bernoulli extends LossProcess {
    private final double p;
    private final CorrelatedUniform variates;

    Bernoulli(LossModel.Random model, SplittableRandom random) {
      this.p = model.p();
      this.variates = new CorrelatedUniform(random, model.correlation());
    }

    @Override
    boolean lose() {
      return p > 0 && variates.next() < p;
    }
  }

  /**
   * {@code loss gemodel}, as {@code loss_gilb_ell}: one draw moves the state, a second decides the
   * loss with the probability of the state the frame found.
   */
  private static final class GilbertElliott extends LossProcess {
    private final LossModel.GilbertElliott model;
    private final SplittableRandom random;
    private boolean bad;

    GilbertElliott(LossModel.GilbertElliott model, SplittableRandom random) {
      this.model = model;
      this.random = random;
    }

    @Override
    boolean lose() {
      if (bad) {
        if (LinkRandom.open01(random) < model.r()) {
          bad = false;
        }
        return LinkRandom.open01(random) < model.lossInBad();
      }
      if (LinkRandom.open01(random) < model.p()) {
        bad = true;
      }
      return LinkRandom.open01(random) < model.lossInGood();
    }
  }

  /**
   * {@code loss state}, as {@code loss_4state}: one draw per frame picks the next state; the frame
   * is lost when that state is 3 (lost in a burst) or 4 (isolated loss). States as in {@link
   * LossModel.FourState}.
   */
  private static final class FourState extends LossProcess {
    private final LossModel.FourState m;
    private final SplittableRandom random;
    private int state = 1;

    FourState(LossModel.FourState model, SplittableRandom random) {
      this.m = model;
      this.random = random;
    }

    @Override
    boolean lose() {
      double u = LinkRandom.open01(random);
      switch (state) {
        case 1:
          if (u < m.p14()) {
            state = 4;
          } else if (u < m.p14() + m.p13()) {
            state = 3;
          }
          break;
        case 2:
          if (u < m.p23()) {
            state = 3;
          }
          break;
        case 3:
          if (u < m.p32()) {
            state = 2;
          } else if (u < m.p32() + m.p31()) {
            state = 1;
          }
          break;
        default:
          state = 1;
          break;
      }
      return state == 3 || state == 4;
    }
  }
}
