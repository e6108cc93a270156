package dev.vnetif.link.conditions;

import dev.vnetif.ConditionStep;
import dev.vnetif.Distribution;
import java.util.SplittableRandom;

/** {@code delay}: netem's {@code tabledist(latency, jitter, delay_cor, dist)}, floored at zero. */
final class DelayRunner extends StepRunner {
  private final long mean;
  private final long jitter;
  private final Distribution distribution;
  private final CorrelatedUniform variates;

  DelayRunner(ConditionStep.Delay step, SplittableRandom random) {
    super(step);
    this.mean = step.mean().toNanos();
    this.jitter = step.jitter().toNanos();
    this.distribution = step.distribution();
    this.variates = new CorrelatedUniform(random, step.correlation());
  }

  @Override
  Verdict apply(InFlight frame) {
    if (frame.early) {
      return Verdict.PASS; // netem draws no delay for a frame it reorders
    }
    long delay = mean;
    if (jitter > 0) { // as netem, no draw without jitter
      double z = StandardQuantiles.z(distribution, variates.next());
      double nanos = mean + jitter * z;
      delay = nanos <= 0 ? 0 : nanos >= 0x1.0p63 ? Long.MAX_VALUE : Math.round(nanos);
    }
    if (delay > 0) {
      delayed++;
      frame.readyAt = later(frame.readyAt, delay);
    }
    return Verdict.PASS;
  }
}
