package dev.vnetif.link.conditions;

import dev.vnetif.ConditionStats;
import dev.vnetif.ConditionStep;
import dev.vnetif.Frame;
import dev.vnetif.LinkConditions;
import dev.vnetif.link.TappedFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * One link under {@link LinkConditions}: a pure, deterministic function from the frames offered to
 * it (and when) to the frames leaving it (and when). Time comes only from the arguments, randomness
 * only from the link's own stream ({@link LinkRandom#forLink}), so the same seed, scope and inputs
 * give the same departures, bit for bit. Not thread-safe: one owner (the switch actor) calls it.
 *
 * <p>Each step runs in the order written (see the package documentation for what each does and how
 * it follows netem). The link is first in, first out: a frame never leaves before the one offered
 * ahead of it, except a frame a reorder step sends early.
 */
public final class ConditionedLink {
  private final String scope;
  private final LinkConditions conditions;
  private final Function<TappedFrame, Frame> views;
  private final StepRunner[] steps;

  /** The frames held, when a queue limit needs to know; null otherwise. */
  private final HeldFrames held;

  private long lastDeparture = Long.MIN_VALUE;

  /**
   * @param scope a stable name like "egress 10.0.0.3" or "pair h1->h2"; the link's random stream is
   *     derived from (seed, scope) so adding links elsewhere never changes this link's draws
   * @param conditions what the link does
   * @param seed the network's seed
   * @param views turns a TappedFrame into the public Frame for predicates (only called when a step
   *     has a predicate)
   */
  public ConditionedLink(
      String scope, LinkConditions conditions, long seed, Function<TappedFrame, Frame> views) {
    this.scope = Objects.requireNonNull(scope, "scope");
    this.conditions = Objects.requireNonNull(conditions, "conditions");
    this.views = Objects.requireNonNull(views, "views");
    List<ConditionStep> list = conditions.steps();
    this.held =
        list.stream().anyMatch(s -> s instanceof ConditionStep.QueueLimit)
            ? new HeldFrames()
            : null;
    SplittableRandom random = LinkRandom.forLink(seed, scope);
    this.steps = new StepRunner[list.size()];
    for (int i = 0; i < steps.length; i++) {
      // One split per step, in order: a step's draws do not depend on what the others drew.
      steps[i] = StepRunner.of(list.get(i), random.split(), held);
    }
  }

  /**
   * One frame enters the link at nowNanos (ingress port/name from the TappedFrame, which also
   * carries the bytes). Appends to out what leaves and when: nothing (dropped), one departure, or
   * more (duplicate), in the order they were decided (a copy right after its original). Never
   * throws for any bytes (runts, garbage): bad input passes or is dropped, counted.
   *
   * <p>Calls are expected in order of time; a departure is never before the entry time.
   */
  public void offer(TappedFrame frame, long nowNanos, List<Departure> out) {
    if (held != null) {
      held.releaseUpTo(nowNanos);
    }
    InFlight entering = new InFlight(frame, nowNanos, views);
    if (admitted(entering)) {
      run(entering, 0, nowNanos, out);
    }
  }

  /** The steps applied at entry (queue limits), for a new frame or a duplicate's copy. */
  private boolean admitted(InFlight frame) {
    for (StepRunner step : steps) {
      if (step.appliesAtEntry()) {
        step.frames++;
        if (step.apply(frame) == StepRunner.Verdict.DROP) {
          return false;
        }
      }
    }
    return true;
  }

  private void run(InFlight frame, int from, long now, List<Departure> out) {
    List<InFlight> copies = null;
    for (int i = from; i < steps.length; i++) {
      StepRunner step = steps[i];
      if (step.appliesAtEntry()) {
        continue;
      }
      step.frames++;
      StepRunner.Verdict verdict = step.apply(frame);
      if (verdict == StepRunner.Verdict.DROP) {
        frame = null;
        break;
      }
      if (verdict == StepRunner.Verdict.DUPLICATE) {
        InFlight copy = frame.copy();
        copy.resumeAt = i + 1;
        if (copies == null) {
          copies = new ArrayList<>(1);
        }
        copies.add(copy);
      }
    }
    if (frame != null) {
      depart(frame, now, out);
    }
    if (copies != null) {
      for (InFlight copy : copies) {
        if (admitted(copy)) {
          run(copy, copy.resumeAt, now, out);
        }
      }
    }
  }

  private void depart(InFlight frame, long now, List<Departure> out) {
    long at;
    if (frame.early) {
      at = frame.enteredAt; // ahead of the queue, which keeps its order behind it
    } else {
      at = Math.max(frame.readyAt, lastDeparture);
      lastDeparture = at;
    }
    if (held != null && at > now) {
      held.add(at);
    }
    out.add(new Departure(frame.bytes, at));
  }

  /** What this link does, as given. */
  public LinkConditions conditions() {
    return conditions;
  }

  /** The link's stable name, from which its random stream derives. */
  public String scope() {
    return scope;
  }

  /** What each step did so far, in step order. */
  public ConditionStats.LinkStats stats() {
    List<ConditionStats.StepStats> list = new ArrayList<>(steps.length);
    for (StepRunner step : steps) {
      list.add(step.stats());
    }
    return new ConditionStats.LinkStats(scope, list);
  }

  @Override
  public String toString() {
    return "ConditionedLink[" + scope + ": " + conditions + "]";
  }
}
