package dev.vnetif.cli;

import dev.vnetif.Distribution;
import dev.vnetif.LinkConditions;
import dev.vnetif.LossModel;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * Link conditions as a user wrote them, flag by flag or key by key, each part already parsed and
 * null when not given. {@link #build} checks how the parts go together and turns them into {@link
 * LinkConditions} in netem's order: loss, duplicate, corrupt, delay, reorder, slot, rate, queue.
 *
 * @param loss random loss probability ({@code loss})
 * @param lossModel a loss model instead of {@code loss}
 * @param correlation the correlation of the delay's jitter (netem {@code delay T J CORR})
 * @param rateOverhead bytes the rate limiter adds to each frame (netem {@code rate R OVERHEAD})
 * @param queue frames the link holds before it drops at the tail (netem {@code limit})
 */
record ConditionSpec(
    Double loss,
    LossModel lossModel,
    Double duplicate,
    Double corrupt,
    Duration delay,
    Duration jitter,
    Distribution distribution,
    Double correlation,
    ConditionValues.Reorder reorder,
    Slot slot,
    Long rate,
    Integer rateOverhead,
    Integer queue) {

  /** The order the steps apply in, said in the help and the scenario format. */
  static final String ORDER = "loss, duplicate, corrupt, delay, reorder, slot, rate, queue";

  /**
   * netem's {@code slot MIN MAX packets N bytes N}: frames leave in bursts at slot times drawn
   * between min and max, each slot carrying up to {@code packets} frames and {@code bytes} bytes
   * (0: no limit), as on Wi-Fi with aggregation or DOCSIS.
   */
  record Slot(Duration min, Duration max, int packets, int bytes) {}

  static final ConditionSpec NONE =
      new ConditionSpec(
          null, null, null, null, null, null, null, null, null, null, null, null, null);

  boolean isEmpty() {
    return equals(NONE);
  }

  /**
   * The conditions these parts make.
   *
   * @param name turns a key ({@code "jitter"}) into what the user wrote ({@code "--jitter"}, or
   *     {@code "conditions[0].jitter"}), for the error messages
   * @throws IllegalArgumentException naming the keys when parts do not go together
   */
  LinkConditions build(UnaryOperator<String> name) {
    check(name);
    LinkConditions c = LinkConditions.none();
    if (loss != null) {
      c = c.loss(loss);
    }
    if (lossModel != null) {
      c = c.loss(lossModel);
    }
    if (duplicate != null) {
      c = c.duplicate(duplicate);
    }
    if (corrupt != null) {
      c = c.corrupt(corrupt);
    }
    if (delay != null) {
      if (jitter == null) {
        c = c.delay(delay);
      } else if (distribution == null) {
        c = c.delay(delay, jitter);
      } else {
        c = c.delay(delay, jitter, distribution);
      }
      if (correlation != null) {
        c = c.correlation(correlation);
      }
    }
    if (reorder != null) {
      c = c.reorder(reorder.probability(), reorder.gap());
    }
    if (slot != null) {
      c = c.slot(slot.min(), slot.max(), slot.packets(), slot.bytes());
    }
    if (rate != null) {
      c = rateOverhead == null ? c.rate(rate) : c.rate(rate, rateOverhead);
    }
    if (queue != null) {
      c = c.queueLimit(queue);
    }
    return c;
  }

  private void check(UnaryOperator<String> name) {
    if (loss != null && lossModel != null) {
      throw new IllegalArgumentException(
          "give either " + name.apply("loss") + " or " + name.apply("loss-model") + ", not both");
    }
    requires(jitter, "jitter", delay, "delay", name);
    requires(distribution, "distribution", jitter, "jitter", name);
    requires(correlation, "correlation", jitter, "jitter", name);
    requires(rateOverhead, "rate-overhead", rate, "rate", name);
    // netem: reordering sends some frames ahead of the delayed ones; without a delay there are
    // none to overtake.
    requires(reorder, "reorder", delay, "delay", name);
  }

  private static void requires(
      Object part, String partKey, Object needed, String neededKey, UnaryOperator<String> name) {
    if (part != null && needed == null) {
      throw new IllegalArgumentException(
          name.apply(partKey) + " needs " + name.apply(neededKey) + " as well");
    }
  }
}
