package dev.vnetif;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * What a link does to the frames crossing it, netem-style: delay and jitter, loss, duplication,
 * corruption, reordering, a rate limit, a queue limit, slotting, scripted drops and mirage-tcpip's
 * test backends. An immutable value built by chaining, each step applied in the order written:
 *
 * <pre>{@code
 * LinkConditions.none()
 *     .delay(Duration.ofMillis(50), Duration.ofMillis(10), Distribution.NORMAL).correlation(0.25)
 *     .loss(0.01)
 *     .rate(10_000_000)
 * }</pre>
 *
 * prints as {@code delay 50ms 10ms normal 25% loss random 1% rate 10Mbit}. The semantics follow
 * Linux netem ({@code net/sched/sch_netem.c}); the differences are deliberate and documented on
 * each step: the link stays first in, first out under jitter, steps apply in the written order
 * rather than netem's fixed one, and there is no hidden queue limit. Randomness comes from the
 * network's seed, so a run replays exactly.
 *
 * <p>Values compare equal when their steps do (predicates by identity).
 */
public final class LinkConditions {
  private static final LinkConditions NONE = new LinkConditions(List.of());

  private final List<ConditionStep> steps;

  private LinkConditions(List<ConditionStep> steps) {
    this.steps = steps;
  }

  /** A perfect link: every frame passes at once, unchanged. */
  public static LinkConditions none() {
    return NONE;
  }

  /** The conditions made of these steps, in this order. */
  public static LinkConditions of(ConditionStep... steps) {
    return NONE.then(Arrays.asList(steps));
  }

  /** The conditions made of these steps, in this order. */
  public static LinkConditions of(List<? extends ConditionStep> steps) {
    return NONE.then(steps);
  }

  /** mirage-tcpip's test backends ({@code test/vnetif_backends.ml}) as ready values. */
  public static MirageBackends mirage() {
    return MirageBackends.INSTANCE;
  }

  /** These conditions followed by {@code step}. */
  public LinkConditions with(ConditionStep step) {
    return then(List.of(Objects.requireNonNull(step, "step")));
  }

  /** netem {@code delay mean}: every frame waits {@code mean}. */
  public LinkConditions delay(Duration mean) {
    return delay(mean, Duration.ZERO, Distribution.UNIFORM);
  }

  /**
   * netem {@code delay mean jitter}: every frame waits a time uniform on [mean - jitter, mean +
   * jitter) (never below zero). The link stays first in, first out: jitter does not reorder.
   */
  public LinkConditions delay(Duration mean, Duration jitter) {
    return delay(mean, jitter, Distribution.UNIFORM);
  }

  /**
   * netem {@code delay mean jitter distribution d}: every frame waits {@code mean + jitter * z},
   * never below zero, z drawn from {@code d} (mean 0, standard deviation 1 except for {@link
   * Distribution#UNIFORM}). Follow with {@link #correlation(double)} for netem's delay correlation.
   */
  public LinkConditions delay(Duration mean, Duration jitter, Distribution d) {
    return with(new ConditionStep.Delay(mean, jitter, d, 0.0));
  }

  /** netem {@code loss}: frames lost as the model decides (random, Gilbert-Elliott, 4-state). */
  public LinkConditions loss(LossModel m) {
    return with(new ConditionStep.Loss(m));
  }

  /** netem {@code loss random p}: each frame lost with probability {@code p} in [0, 1]. */
  public LinkConditions loss(double p) {
    return loss(LossModel.random(p));
  }

  /**
   * A loss model applied only to the frames {@code which} accepts (e.g. mirage's "frames without
   * payload"); the others pass without a draw. {@code description} names them in {@link
   * #toString()}.
   */
  public LinkConditions loss(LossModel m, Predicate<Frame> which, String description) {
    return with(new ConditionStep.Loss(m, Objects.requireNonNull(which, "which"), description));
  }

  /**
   * netem {@code duplicate p}: each frame sent twice with probability {@code p}; the copy goes
   * through the steps after this one and leaves right behind the original.
   */
  public LinkConditions duplicate(double p) {
    return with(new ConditionStep.Duplicate(p, 0.0));
  }

  /**
   * netem {@code corrupt p}: with probability {@code p}, one random bit of one random byte of the
   * frame is flipped (in a copy).
   */
  public LinkConditions corrupt(double p) {
    return with(new ConditionStep.Corrupt(p, 0.0));
  }

  /**
   * netem {@code reorder p gap}: with a delay in force, once {@code gap - 1} frames in a row were
   * delayed, each next frame is sent at once (ahead of the delayed ones) with probability {@code
   * p}, which starts the count again. {@code reorder(1, 5)} sends frames 5, 10, 15... early.
   */
  public LinkConditions reorder(double p, int gap) {
    return with(new ConditionStep.Reorder(p, gap, 0.0));
  }

  /** netem {@code rate}: frames serialized one after the other at {@code bitsPerSecond}. */
  public LinkConditions rate(long bitsPerSecond) {
    return rate(bitsPerSecond, 0);
  }

  /**
   * netem {@code rate bps packetoverhead n}: as {@link #rate(long)} counting {@code overheadBytes}
   * more (or fewer, when negative) per frame; a frame always costs at least one byte.
   */
  public LinkConditions rate(long bitsPerSecond, int overheadBytes) {
    return with(new ConditionStep.Rate(bitsPerSecond, overheadBytes));
  }

  /**
   * netem {@code limit}: at most {@code frames} frames held (entered, not yet left); a frame
   * arriving when the link is full is tail-dropped, before any step (wherever this one is written).
   * Without it the queue is unlimited.
   */
  public LinkConditions queueLimit(int frames) {
    return with(new ConditionStep.QueueLimit(frames));
  }

  /**
   * netem {@code slot min max packets n bytes m}: frames leave only in slots opening a uniform
   * random interval in [min, max) apart, each letting out at most {@code packets} frames and {@code
   * bytes} bytes (0: unlimited), the rest waiting for the next slot (Wi-Fi or DOCSIS-like bursts).
   */
  public LinkConditions slot(Duration min, Duration max, int packets, int bytes) {
    return with(new ConditionStep.Slot(min, max, packets, bytes));
  }

  /** Drops every frame {@code which} accepts (a predicate may count, e.g. "the 2nd SYN-ACK"). */
  public LinkConditions drop(Predicate<Frame> which) {
    return drop(which, null);
  }

  /** As {@link #drop(Predicate)}, named {@code description} in {@link #toString()}. */
  public LinkConditions drop(Predicate<Frame> which, String description) {
    return with(new ConditionStep.Drop(which, description));
  }

  /**
   * Delays only the frames {@code which} accepts by {@code delay} (Toxiproxy's {@code slow_close}:
   * {@code f -> f.tcp().map(TcpSegment::isFin).orElse(false)}); the link keeps its order.
   */
  public LinkConditions delay(Predicate<Frame> which, Duration delay, String description) {
    return with(new ConditionStep.DelayMatching(which, delay, description));
  }

  /** mirage's trailing-bytes backend: {@code n} garbage bytes appended to every frame. */
  public LinkConditions trailingBytes(int n) {
    return with(new ConditionStep.TrailingBytes(n));
  }

  /**
   * mirage's drop-after backend: once more than {@code bytes} bytes entered this step, every frame
   * is dropped for {@code duration}, from the frame that crossed the mark; then all pass again.
   */
  public LinkConditions dropAfter(long bytes, Duration duration) {
    return with(new ConditionStep.DropAfter(bytes, duration));
  }

  /**
   * netem's correlation of the last step, in [0, 1]: its uniform variate becomes {@code (1 - x) *
   * fresh + x * previous} (netem's {@code get_crandom}), so successive draws resemble each other.
   * As in netem, this also narrows the spread of the draws: a correlated {@code loss random p}
   * loses somewhat fewer than {@code p} of the frames, a correlated delay has a smaller deviation.
   *
   * @throws IllegalStateException when the last step takes no correlation (only delay, loss random,
   *     duplicate, corrupt and reorder do), or there is no step
   * @throws IllegalArgumentException when {@code x} is not in [0, 1]
   */
  public LinkConditions correlation(double x) {
    if (steps.isEmpty()) {
      throw new IllegalStateException("correlation(" + x + ") needs a step before it");
    }
    ConditionStep last = steps.get(steps.size() - 1);
    ConditionStep correlated;
    if (last instanceof ConditionStep.Delay d) {
      correlated = new ConditionStep.Delay(d.mean(), d.jitter(), d.distribution(), x);
    } else if (last instanceof ConditionStep.Loss l && l.model() instanceof LossModel.Random r) {
      correlated = new ConditionStep.Loss(r.withCorrelation(x), l.which(), l.whichDescription());
    } else if (last instanceof ConditionStep.Duplicate d) {
      correlated = new ConditionStep.Duplicate(d.p(), x);
    } else if (last instanceof ConditionStep.Corrupt c) {
      correlated = new ConditionStep.Corrupt(c.p(), x);
    } else if (last instanceof ConditionStep.Reorder r) {
      correlated = new ConditionStep.Reorder(r.p(), r.gap(), x);
    } else {
      throw new IllegalStateException(
          "correlation applies to delay, loss random, duplicate, corrupt or reorder, not to '"
              + last
              + "'");
    }
    List<ConditionStep> list = new ArrayList<>(steps);
    list.set(list.size() - 1, correlated);
    return new LinkConditions(List.copyOf(list));
  }

  /** These conditions, then {@code more}'s steps after them. */
  public LinkConditions then(LinkConditions more) {
    return then(Objects.requireNonNull(more, "more").steps);
  }

  private LinkConditions then(List<? extends ConditionStep> more) {
    if (more.isEmpty()) {
      return this;
    }
    List<ConditionStep> list = new ArrayList<>(steps.size() + more.size());
    list.addAll(steps);
    for (ConditionStep step : more) {
      list.add(Objects.requireNonNull(step, "step"));
    }
    return new LinkConditions(List.copyOf(list));
  }

  /** The steps, in the order they apply (unmodifiable). */
  public List<ConditionStep> steps() {
    return steps;
  }

  /** True when there is no step: the link passes every frame at once, unchanged. */
  public boolean isNone() {
    return steps.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LinkConditions other && steps.equals(other.steps);
  }

  @Override
  public int hashCode() {
    return steps.hashCode();
  }

  /** Like a netem command line: {@code delay 50ms 10ms normal 25% loss random 1%}; "none". */
  @Override
  public String toString() {
    return steps.isEmpty()
        ? "none"
        : steps.stream().map(String::valueOf).collect(Collectors.joining(" "));
  }
}
