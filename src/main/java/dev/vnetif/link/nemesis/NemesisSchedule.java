package dev.vnetif.link.nemesis;

import dev.vnetif.Nemesis;
import dev.vnetif.NemesisEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The decisions of a {@link Nemesis}, tick by tick, without actors or time: the state machine of
 * TigerBeetle's packet simulator ({@code auto_partition}) over host indexes 0..n-1. The same
 * settings, host count and random stream give the same steps, so {@link NemesisActor} only has to
 * count ticks and carry the steps out, and tests can run a million ticks in a second.
 *
 * <p>Each tick draws only when the current state has outlived its stability, one variate for the
 * partition-or-heal decision, then — for a partition — the sides and the asymmetry. Not
 * thread-safe.
 */
public final class NemesisSchedule {

  /** A change one tick decided. */
  public sealed interface Step {}

  /**
   * Cut the hosts of {@code sideA} from those of {@code sideB} (indexes, ascending, both sides
   * non-empty), in the directions {@code cut} says.
   */
  public record Partition(List<Integer> sideA, List<Integer> sideB, NemesisEvent.Cut cut)
      implements Step {
    public Partition {
      sideA = List.copyOf(sideA);
      sideB = List.copyOf(sideB);
    }
  }

  /** Undo {@code partition}, the one in force until now. */
  public record Heal(Partition partition) implements Step {}

  private final Nemesis nemesis;
  private final int hosts;
  private final SplittableRandom random;
  private final long partitionStabilityTicks;
  private final long healStabilityTicks;

  /** The partition in force, or null while healed. */
  private Partition current;

  /** Ticks the current state must still last before the next draw. */
  private long stability;

  /**
   * @param hosts how many hosts there are, at least two
   * @param random the run's own stream; nothing else may draw from it
   */
  public NemesisSchedule(Nemesis nemesis, int hosts, SplittableRandom random) {
    if (hosts < 2) {
      throw new IllegalArgumentException("a nemesis needs at least two hosts, got " + hosts);
    }
    this.nemesis = nemesis;
    this.hosts = hosts;
    this.random = random;
    this.partitionStabilityTicks = ticks(nemesis, nemesis.partitionStability().toNanos());
    this.healStabilityTicks = ticks(nemesis, nemesis.healStability().toNanos());
    // A run starts healed, and stays so for the heal stability as after any heal.
    this.stability = healStabilityTicks;
  }

  /** A stability as whole ticks, rounded up, so that the least time is never cut short. */
  private static long ticks(Nemesis nemesis, long nanos) {
    long tick = nemesis.tick().toNanos();
    return nanos / tick + (nanos % tick == 0 ? 0 : 1);
  }

  /** One tick: the change it brings, if any. */
  public Optional<Step> tick() {
    if (stability > 0) {
      stability--;
      return Optional.empty();
    }
    if (current == null) {
      if (random.nextDouble() >= nemesis.partitionProbability()) {
        return Optional.empty();
      }
      current = partition();
      stability = partitionStabilityTicks;
      return Optional.of(current);
    }
    if (random.nextDouble() >= nemesis.healProbability()) {
      return Optional.empty();
    }
    Heal heal = new Heal(current);
    current = null;
    stability = healStabilityTicks;
    return Optional.of(heal);
  }

  /** The partition in force, if any: what a stop has to heal. */
  public Optional<Partition> current() {
    return Optional.ofNullable(current);
  }

  private Partition partition() {
    boolean[] onA = sides();
    List<Integer> sideA = new ArrayList<>();
    List<Integer> sideB = new ArrayList<>();
    for (int i = 0; i < hosts; i++) {
      (onA[i] ? sideA : sideB).add(i);
    }
    NemesisEvent.Cut cut = NemesisEvent.Cut.BOTH_WAYS;
    if (random.nextDouble() < nemesis.asymmetricProbability()) {
      cut = random.nextBoolean() ? NemesisEvent.Cut.A_TO_B : NemesisEvent.Cut.B_TO_A;
    }
    return new Partition(sideA, sideB, cut);
  }

  /** Which hosts are on side A, as the mode draws them; both sides are never empty. */
  private boolean[] sides() {
    boolean[] onA = new boolean[hosts];
    switch (nemesis.mode()) {
      case ISOLATE_SINGLE -> onA[random.nextInt(hosts)] = true;
      case UNIFORM_SIZE -> {
        // The size first (uniform in 1..n-1), then that many hosts by a partial Fisher-Yates.
        int size = 1 + random.nextInt(hosts - 1);
        int[] order = new int[hosts];
        for (int i = 0; i < hosts; i++) {
          order[i] = i;
        }
        for (int i = 0; i < size; i++) {
          int j = i + random.nextInt(hosts - i);
          int swap = order[i];
          order[i] = order[j];
          order[j] = swap;
          onA[order[i]] = true;
        }
      }
      case UNIFORM_PARTITION -> {
        // Drawn again when all land on one side: each two-sided split stays equally likely.
        int countA;
        do {
          countA = 0;
          for (int i = 0; i < hosts; i++) {
            onA[i] = random.nextBoolean();
            countA += onA[i] ? 1 : 0;
          }
        } while (countA == 0 || countA == hosts);
      }
    }
    return onA;
  }
}
