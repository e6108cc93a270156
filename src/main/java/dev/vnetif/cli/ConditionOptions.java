package dev.vnetif.cli;

import dev.vnetif.Distribution;
import dev.vnetif.LinkConditions;
import dev.vnetif.LossModel;
import java.time.Duration;
import java.util.function.Function;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The netem-style link-condition flags a command takes ({@code --loss 1% --delay 50ms ...}), turned
 * into one {@link LinkConditions} for the whole network. A value that does not parse is a picocli
 * error naming the option and the value; parts that do not go together (a jitter without a delay)
 * fail in {@link #conditions()}. The seed that drives every random draw is the network's {@code
 * --seed}.
 */
final class ConditionOptions {

  /** The commands' footer line on the conditions (picocli format: %% is a percent sign). */
  static final String FOOTER =
      "Link conditions (--loss ... --queue) apply to every switch port, in netem's order: "
          + ConditionSpec.ORDER
          + ". Probabilities are percentages (1%%) or fractions (0.01); the --seed drives every "
          + "random draw, so a run replays. The seed and each step's counters are printed at the "
          + "end.";

  @Option(
      names = "--loss",
      paramLabel = "P",
      converter = ProbabilityConverter.class,
      description = "Drop each frame with probability P, e.g. 1%%.")
  Double loss;

  @Option(
      names = "--loss-model",
      paramLabel = "MODEL",
      converter = LossModelConverter.class,
      description =
          "Bursty loss instead of --loss: "
              + ConditionValues.LOSS_MODEL_FORM
              + ", e.g. ge:1%%,25%%,100%%,0%%.")
  LossModel lossModel;

  @Option(
      names = "--duplicate",
      paramLabel = "P",
      converter = ProbabilityConverter.class,
      description = "Send a frame twice with probability P.")
  Double duplicate;

  @Option(
      names = "--corrupt",
      paramLabel = "P",
      converter = ProbabilityConverter.class,
      description = "Flip a random bit of a frame with probability P.")
  Double corrupt;

  @Option(
      names = "--delay",
      paramLabel = "TIME",
      converter = DurationConverter.class,
      description = "Delay every frame by TIME (one way), e.g. 50ms.")
  Duration delay;

  @Option(
      names = "--jitter",
      paramLabel = "TIME",
      converter = DurationConverter.class,
      description =
          "Vary the --delay by up to TIME either way (uniform), or by TIME as the standard "
              + "deviation of the --distribution.")
  Duration jitter;

  @Option(
      names = "--distribution",
      paramLabel = "NAME",
      converter = DistributionConverter.class,
      description = "Shape of the --jitter: uniform, normal, pareto or paretonormal.")
  Distribution distribution;

  @Option(
      names = "--correlation",
      paramLabel = "P",
      converter = ProbabilityConverter.class,
      description = "How much each frame's jitter follows the previous one's (netem delay's).")
  Double correlation;

  @Option(
      names = "--reorder",
      paramLabel = "P[:GAP]",
      converter = ReorderConverter.class,
      description =
          "With a --delay: once GAP-1 frames in a row were delayed, send the next one at once "
              + "(ahead of them) with probability P; GAP defaults to 1, e.g. 25%%:5.")
  ConditionValues.Reorder reorder;

  @Option(
      names = "--slot",
      paramLabel = "MIN[,MAX[,PACKETS[,BYTES]]]",
      converter = SlotConverter.class,
      description =
          "Send frames in bursts at slot times MIN..MAX apart, up to PACKETS frames and BYTES "
              + "bytes a slot (0: no limit), as Wi-Fi aggregation does, e.g. 2ms,10ms,8.")
  ConditionSpec.Slot slot;

  @Option(
      names = "--rate",
      paramLabel = "RATE",
      converter = RateConverter.class,
      description =
          "Limit each link to RATE: bit, kbit, Mbit, Gbit (also bps, kbps, Mbps... as bits), "
              + "e.g. 10Mbit.")
  Long rate;

  @Option(
      names = "--rate-overhead",
      paramLabel = "BYTES",
      description =
          "Bytes the --rate counts on top of each frame, e.g. 24 for Ethernet's preamble, "
              + "gap and FCS.")
  Integer rateOverhead;

  @Option(
      names = "--queue",
      paramLabel = "N",
      description = "Hold at most N frames waiting on a link; more are dropped at the tail.")
  Integer queue;

  /**
   * The conditions the flags ask for, {@link LinkConditions#none()} when none were given.
   *
   * @throws IllegalArgumentException naming the flags when they do not go together
   */
  LinkConditions conditions() {
    if (rateOverhead != null && rateOverhead < 0) {
      throw new IllegalArgumentException("--rate-overhead must be >= 0 bytes, got " + rateOverhead);
    }
    if (queue != null && queue < 1) {
      throw new IllegalArgumentException("--queue must be at least 1 frame, got " + queue);
    }
    return spec().build(key -> "--" + key);
  }

  ConditionSpec spec() {
    return new ConditionSpec(
        loss,
        lossModel,
        duplicate,
        corrupt,
        delay,
        jitter,
        distribution,
        correlation,
        reorder,
        slot,
        rate,
        rateOverhead,
        queue);
  }

  /** A parser of {@link ConditionValues} as picocli wants it: the value's error, its type. */
  private abstract static class Converter<T> implements ITypeConverter<T> {
    private final Function<String, T> parse;

    Converter(Function<String, T> parse) {
      this.parse = parse;
    }

    @Override
    public T convert(String value) {
      try {
        return parse.apply(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  static final class ProbabilityConverter extends Converter<Double> {
    ProbabilityConverter() {
      super(ConditionValues::probability);
    }
  }

  static final class DurationConverter extends Converter<Duration> {
    DurationConverter() {
      super(ConditionValues::duration);
    }
  }

  static final class RateConverter extends Converter<Long> {
    RateConverter() {
      super(ConditionValues::bitsPerSecond);
    }
  }

  static final class ReorderConverter extends Converter<ConditionValues.Reorder> {
    ReorderConverter() {
      super(ConditionValues::reorder);
    }
  }

  static final class LossModelConverter extends Converter<LossModel> {
    LossModelConverter() {
      super(ConditionValues::lossModel);
    }
  }

  static final class SlotConverter extends Converter<ConditionSpec.Slot> {
    SlotConverter() {
      super(ConditionValues::slot);
    }
  }

  static final class DistributionConverter extends Converter<Distribution> {
    DistributionConverter() {
      super(ConditionValues::distribution);
    }
  }
}
