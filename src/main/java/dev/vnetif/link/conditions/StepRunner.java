package dev.vnetif.link.conditions;

import dev.vnetif.ConditionStats;
import dev.vnetif.ConditionStep;
import dev.vnetif.Frame;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One step of a link at work: its state (random stream, counters, queues) and what it does to each
 * frame. The counters are the step's {@link ConditionStats.StepStats}.
 */
abstract class StepRunner {
  private static final Logger log = LoggerFactory.getLogger(StepRunner.class);

  enum Verdict {
    /** The frame goes on to the next step. */
    PASS,
    /** The frame goes no further. */
    DROP,
    /** The frame goes on, and a copy of it goes on behind it. */
    DUPLICATE
  }

  private final String name;
  private boolean warnedAboutPredicate;

  long frames;
  long dropped;
  long delayed;
  long duplicated;
  long corrupted;
  long reordered;
  long queued;
  long tailDropped;

  StepRunner(ConditionStep step) {
    this.name = step.toString();
  }

  abstract Verdict apply(InFlight frame);

  /**
   * True for a step the link applies when a frame enters it (and when a duplicate's copy is made),
   * whatever its place in the list: a queue limit guards the link's queue as a whole.
   */
  boolean appliesAtEntry() {
    return false;
  }

  static StepRunner of(ConditionStep step, SplittableRandom random, HeldFrames held) {
    if (step instanceof ConditionStep.Delay delay) {
      return new DelayRunner(delay, random);
    } else if (step instanceof ConditionStep.Loss loss) {
      return new LossRunner(loss, random);
    } else if (step instanceof ConditionStep.Duplicate duplicate) {
      return new DuplicateRunner(duplicate, random);
    } else if (step instanceof ConditionStep.Corrupt corrupt) {
      return new CorruptRunner(corrupt, random);
    } else if (step instanceof ConditionStep.Reorder reorder) {
      return new ReorderRunner(reorder, random);
    } else if (step instanceof ConditionStep.Rate rate) {
      return new RateRunner(rate);
    } else if (step instanceof ConditionStep.QueueLimit limit) {
      return new QueueLimitRunner(limit, held);
    } else if (step instanceof ConditionStep.Slot slot) {
      return new SlotRunner(slot, random);
    } else if (step instanceof ConditionStep.Drop drop) {
      return new DropRunner(drop);
    } else if (step instanceof ConditionStep.DelayMatching delay) {
      return new DelayMatchingRunner(delay);
    } else if (step instanceof ConditionStep.TrailingBytes trailing) {
      return new TrailingBytesRunner(trailing, random);
    } else if (step instanceof ConditionStep.DropAfter dropAfter) {
      return new DropAfterRunner(dropAfter);
    }
    throw new IllegalArgumentException("unknown condition step " + step);
  }

  /**
   * Whether a user predicate accepts the frame. One that throws (say, {@code f.tcp().get()} on an
   * ARP frame) does not accept it: the frame is not the one it is looking for, and a link must not
   * fail on a frame. Said once per step at WARN, since it is most likely a bug in the predicate.
   */
  final boolean accepts(Predicate<Frame> which, InFlight frame) {
    try {
      return which.test(frame.view());
    } catch (RuntimeException e) {
      if (!warnedAboutPredicate) {
        warnedAboutPredicate = true;
        log.warn("'{}': the predicate threw, counted as not matching (said once): {}", name, e);
      } else {
        log.debug("'{}': the predicate threw, counted as not matching: {}", name, e.toString());
      }
      return false;
    }
  }

  /** {@code time + nanos} for {@code nanos >= 0}, held at {@link Long#MAX_VALUE}. */
  static long later(long time, long nanos) {
    long sum = time + nanos;
    return sum < time ? Long.MAX_VALUE : sum;
  }

  ConditionStats.StepStats stats() {
    return new ConditionStats.StepStats(
        name, frames, dropped, delayed, duplicated, corrupted, reordered, queued, tailDropped);
  }
}
