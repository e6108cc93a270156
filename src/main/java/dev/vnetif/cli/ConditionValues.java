package dev.vnetif.cli;

import dev.vnetif.Distribution;
import dev.vnetif.LossModel;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The written forms of link-condition values, shared by the flags of {@code iperf} and {@code ping}
 * and by scenario files, so that {@code --loss 1%} and {@code loss = 1%} mean the same. Each parser
 * throws an {@link IllegalArgumentException} whose message quotes the bad value and says what was
 * expected; the caller puts the option or key in front.
 */
final class ConditionValues {
  private static final String NUMBER = "(\\d+(?:\\.\\d*)?|\\.\\d+)";
  private static final Pattern PROBABILITY = Pattern.compile(NUMBER + "\\s*(%?)");
  private static final Pattern DURATION =
      Pattern.compile(NUMBER + "\\s*(ns|us|µs|ms|s|sec|min)?", Pattern.CASE_INSENSITIVE);
  private static final Pattern RATE =
      Pattern.compile(NUMBER + "\\s*([kmgt]i?)?(bit|bit/s|bps)", Pattern.CASE_INSENSITIVE);
  private static final Pattern REORDER = Pattern.compile("([^:]+)(?::\\s*(\\d+))?");
  private static final Pattern LOSS_MODEL =
      Pattern.compile("(ge|gemodel|4state|state)\\s*:\\s*(.+)", Pattern.CASE_INSENSITIVE);

  static final String PROBABILITY_FORM = "a percentage (1%, 0.5%) or a fraction within 0..1";
  static final String DURATION_FORM = "a number with a unit: ns, us, ms, s or min (e.g. 50ms)";
  static final String RATE_FORM =
      "a number with a unit: bit, kbit, Mbit, Gbit, Tbit (10^3 steps; Kibit... for 2^10), "
          + "or the same with bps or bit/s (e.g. 10Mbit)";
  static final String LOSS_MODEL_FORM =
      "ge:P,R[,1-H[,1-K]] (Gilbert-Elliott, netem's gemodel) or "
          + "4state:P13[,P31[,P32[,P23[,P14]]]] (netem's state)";

  /** {@code --reorder P[:GAP]}: a share of frames sent ahead of the GAP frames before them. */
  record Reorder(double probability, int gap) {}

  private ConditionValues() {}

  /**
   * {@code 1%}, {@code 0.5 %}, {@code 100%}, or a fraction {@code 0.01}: a probability within 0..1.
   * A bare number is a fraction (unlike tc(8), where it is a percentage), so {@code 5} is refused
   * rather than read as certain loss.
   */
  static double probability(String text) {
    Matcher m = PROBABILITY.matcher(strip(text));
    if (!m.matches()) {
      throw bad(text, "is not a probability; expected " + PROBABILITY_FORM);
    }
    BigDecimal value = new BigDecimal(m.group(1));
    boolean percent = !m.group(2).isEmpty();
    BigDecimal fraction = percent ? value.movePointLeft(2) : value;
    if (fraction.compareTo(BigDecimal.ONE) > 0) {
      throw bad(
          text,
          percent
              ? "is more than 100%"
              : "is more than 1; a bare number is a fraction, write "
                  + m.group(1)
                  + "% for percent");
    }
    return fraction.doubleValue();
  }

  /** {@code 50ms}, {@code 1.5s}, {@code 250us}, {@code 0}: a duration of zero or more. */
  static Duration duration(String text) {
    Matcher m = DURATION.matcher(strip(text));
    if (!m.matches() || (m.group(2) == null && new BigDecimal(m.group(1)).signum() != 0)) {
      throw bad(text, "is not a duration; expected " + DURATION_FORM);
    }
    String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
    long nanosPerUnit =
        switch (unit) {
          case "ns" -> 1L;
          case "us", "µs" -> 1_000L;
          case "ms" -> 1_000_000L;
          case "min" -> 60_000_000_000L;
          default -> 1_000_000_000L;
        };
    BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(nanosPerUnit));
    if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw bad(text, "is too long");
    }
    return Duration.ofNanos(nanos.longValue());
  }

  /** A duration that must be more than zero. */
  static Duration positiveDuration(String text) {
    Duration d = duration(text);
    if (d.isZero()) {
      throw bad(text, "must be more than zero");
    }
    return d;
  }

  /**
   * {@code 10Mbit}, {@code 512kbit}, {@code 1.5Gbit/s}, {@code 10Mbps}: bits per second, more than
   * zero. Prefixes step by 1000 (tc's kbit, mbit...), by 1024 with an i (kibit, mibit). Unlike
   * tc(8), where {@code bps} means bytes per second, here every form counts bits: {@code 10Mbps} is
   * ten megabits per second, as link speeds are spoken of.
   */
  static long bitsPerSecond(String text) {
    Matcher m = RATE.matcher(strip(text));
    if (!m.matches()) {
      throw bad(text, "is not a rate; expected " + RATE_FORM);
    }
    String prefix = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
    long unit =
        switch (prefix) {
          case "k" -> 1_000L;
          case "m" -> 1_000_000L;
          case "g" -> 1_000_000_000L;
          case "t" -> 1_000_000_000_000L;
          case "ki" -> 1L << 10;
          case "mi" -> 1L << 20;
          case "gi" -> 1L << 30;
          case "ti" -> 1L << 40;
          default -> 1L;
        };
    BigDecimal bits = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
    if (bits.compareTo(BigDecimal.ONE) < 0) {
      throw bad(text, "is less than 1 bit per second");
    }
    if (bits.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw bad(text, "is too fast");
    }
    return bits.longValue();
  }

  /** {@code 1%} (gap 1, netem's default) or {@code 1%:5}. */
  static Reorder reorder(String text) {
    Matcher m = REORDER.matcher(strip(text));
    if (!m.matches()) {
      throw bad(
          text, "is not a reordering; expected P[:GAP], P " + PROBABILITY_FORM + ", e.g. 1%:5");
    }
    double p = probability(m.group(1));
    int gap = m.group(2) == null ? 1 : wholeNumber(m.group(2), 1, "a gap");
    return new Reorder(p, gap);
  }

  /**
   * {@code MIN[,MAX[,PACKETS[,BYTES]]]}, e.g. {@code 2ms,10ms,8}: netem's {@code slot}. MAX is MIN
   * when left out, PACKETS and BYTES 0 (no limit).
   */
  static ConditionSpec.Slot slot(String text) {
    String[] parts = strip(text).split(",", -1);
    if (parts.length > 4) {
      throw bad(text, "is not a slot; expected MIN[,MAX[,PACKETS[,BYTES]]], e.g. 2ms,10ms,8");
    }
    Duration min = duration(parts[0]);
    Duration max = parts.length > 1 ? duration(parts[1]) : min;
    int packets = parts.length > 2 ? wholeNumber(parts[2], 0, "a frame count") : 0;
    int bytes = parts.length > 3 ? wholeNumber(parts[3], 0, "a byte count") : 0;
    return slot(text, min, max, packets, bytes);
  }

  /** A slot from its parts, max checked against min. */
  static ConditionSpec.Slot slot(String text, Duration min, Duration max, int packets, int bytes) {
    if (max.compareTo(min) < 0) {
      throw bad(text, "has its max " + durationText(max) + " below its min " + durationText(min));
    }
    return new ConditionSpec.Slot(min, max, packets, bytes);
  }

  /**
   * A loss model in netem's terms and argument order, each probability as {@link
   * #probability(String)} reads it. {@code ge:P,R,1-H,1-K} is the Gilbert-Elliott model (netem
   * {@code loss gemodel}): P good to bad, R bad to good, 1-H the loss in the bad state, 1-K in the
   * good one; left out, R is 1-P, 1-H is 100% and 1-K is 0 (netem's defaults). {@code
   * 4state:P13,P31,P32,P23,P14} is netem's {@code loss state}; left out, P31 is 1-P13, P32 0, P23
   * 100% and P14 0.
   */
  static LossModel lossModel(String text) {
    Matcher m = LOSS_MODEL.matcher(strip(text));
    if (!m.matches()) {
      throw bad(text, "is not a loss model; expected " + LOSS_MODEL_FORM);
    }
    String kind = m.group(1).toLowerCase(Locale.ROOT);
    List<Double> p = new ArrayList<>();
    for (String part : m.group(2).split(",", -1)) {
      try {
        p.add(probability(part));
      } catch (IllegalArgumentException e) {
        throw bad(text, "has a bad probability: " + e.getMessage());
      }
    }
    if (kind.startsWith("ge")) {
      if (p.size() > 4) {
        throw bad(text, "has " + p.size() + " values; ge takes P,R[,1-H[,1-K]]");
      }
      double good2bad = p.get(0);
      double bad2good = p.size() > 1 ? p.get(1) : 1 - good2bad;
      return LossModel.gilbertElliott(
          good2bad, bad2good, p.size() > 2 ? p.get(2) : 1, p.size() > 3 ? p.get(3) : 0);
    }
    if (p.size() > 5) {
      throw bad(text, "has " + p.size() + " values; 4state takes P13[,P31[,P32[,P23[,P14]]]]");
    }
    double p13 = p.get(0);
    return LossModel.fourState(
        p13,
        p.size() > 1 ? p.get(1) : 1 - p13,
        p.size() > 2 ? p.get(2) : 0,
        p.size() > 3 ? p.get(3) : 1,
        p.size() > 4 ? p.get(4) : 0);
  }

  /** {@code uniform}, {@code normal}, {@code pareto}, {@code paretonormal} (any case, - or _). */
  static Distribution distribution(String text) {
    String key = strip(text).toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    return switch (key) {
      case "uniform" -> Distribution.UNIFORM;
      case "normal" -> Distribution.NORMAL;
      case "pareto" -> Distribution.PARETO;
      case "paretonormal" -> Distribution.PARETO_NORMAL;
      default ->
          throw bad(
              text, "is not a distribution; expected uniform, normal, pareto or paretonormal");
    };
  }

  /** A whole number of at least {@code min}; {@code what} names it in the error. */
  static int wholeNumber(String text, int min, String what) {
    String s = strip(text);
    try {
      int n = Integer.parseInt(s);
      if (n < min) {
        throw bad(text, "is less than " + min);
      }
      return n;
    } catch (NumberFormatException e) {
      throw bad(text, "is not " + what + "; expected a whole number of at least " + min);
    }
  }

  /** 0.01 as "1%", 0.005 as "0.5%": how the tool prints a probability back. */
  static String percent(double p) {
    return BigDecimal.valueOf(p).movePointRight(2).stripTrailingZeros().toPlainString() + "%";
  }

  /**
   * 50 ms as "50ms", 1.5 s as "1.5s", 250 us as "250us": a duration as the forms above write it.
   */
  static String durationText(Duration d) {
    long nanos = d.toNanos();
    if (nanos == 0) {
      return "0s";
    }
    String[] units = {"s", "ms", "us", "ns"};
    long[] scale = {1_000_000_000L, 1_000_000L, 1_000L, 1L};
    for (int i = 0; i < units.length; i++) {
      if (Math.abs(nanos) >= scale[i] || i == units.length - 1) {
        return BigDecimal.valueOf(nanos)
                .movePointLeft(9 - 3 * i)
                .stripTrailingZeros()
                .toPlainString()
            + units[i];
      }
    }
    throw new AssertionError();
  }

  private static String strip(String text) {
    return text == null ? "" : text.strip();
  }

  private static IllegalArgumentException bad(String text, String why) {
    return new IllegalArgumentException("'" + text + "' " + why);
  }
}
