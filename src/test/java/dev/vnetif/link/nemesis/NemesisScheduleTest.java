package dev.vnetif.link.nemesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.Nemesis;
import dev.vnetif.NemesisEvent;
import dev.vnetif.NemesisMode;
import dev.vnetif.link.conditions.LinkRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The nemesis's decisions without actors or time, over hundreds of thousands of ticks with fixed
 * seeds: the share of time partitioned, the stabilities, the asymmetric share and the sides each
 * mode draws match what the settings promise. Every assertion message carries the seed.
 */
class NemesisScheduleTest {
  private static final Duration TICK = Duration.ofMillis(10);

  /** p = 0.05 and q = 0.2 per tick, stabilities of 5 and 10 ticks, 30% one way. */
  private static final Nemesis TYPICAL =
      Nemesis.of(NemesisMode.UNIFORM_SIZE)
          .withTick(TICK)
          .withPartitionProbability(0.05)
          .withHealProbability(0.2)
          .withPartitionStability(TICK.multipliedBy(5))
          .withHealStability(TICK.multipliedBy(10))
          .withAsymmetricProbability(0.3);

  /** A change at every tick: partition, heal, partition... */
  private static Nemesis everyTick(NemesisMode mode) {
    return Nemesis.of(mode)
        .withTick(TICK)
        .withPartitionProbability(1)
        .withHealProbability(1)
        .withPartitionStability(Duration.ZERO)
        .withHealStability(Duration.ZERO);
  }

  private static NemesisSchedule schedule(Nemesis nemesis, int hosts, long seed) {
    return new NemesisSchedule(nemesis, hosts, LinkRandom.forLink(seed, "nemesis-0"));
  }

  /** The partitions of {@code ticks} ticks, checking on the way that each is well formed. */
  private static List<NemesisSchedule.Partition> partitions(
      Nemesis nemesis, int hosts, long seed, int ticks) {
    NemesisSchedule s = schedule(nemesis, hosts, seed);
    List<NemesisSchedule.Partition> out = new ArrayList<>();
    for (int t = 0; t < ticks; t++) {
      Optional<NemesisSchedule.Step> step = s.tick();
      if (step.isPresent() && step.get() instanceof NemesisSchedule.Partition p) {
        assertWellFormed(p, hosts, seed);
        out.add(p);
      }
    }
    return out;
  }

  private static void assertWellFormed(NemesisSchedule.Partition p, int hosts, long seed) {
    assertTrue(!p.sideA().isEmpty() && !p.sideB().isEmpty(), "seed " + seed + ": " + p);
    Set<Integer> all = new HashSet<>(p.sideA());
    all.addAll(p.sideB());
    assertEquals(hosts, all.size(), "seed " + seed + ": sides overlap or miss a host: " + p);
    assertEquals(hosts, p.sideA().size() + p.sideB().size(), "seed " + seed + ": " + p);
    assertEquals(p.sideA().stream().sorted().toList(), p.sideA(), "seed " + seed);
    assertEquals(p.sideB().stream().sorted().toList(), p.sideB(), "seed " + seed);
  }

  @Test
  @DisplayName("time partitioned, spell lengths and stabilities match p, q and the stabilities")
  void shareOfTimePartitionedMatchesTheProbabilities() {
    // A partition lasts S_p + Geometric(q) ticks (mean 5 + 1/0.2 = 10), a healed spell S_h +
    // Geometric(p) (mean 10 + 1/0.05 = 30): a quarter of the time partitioned.
    double expected = 10.0 / (10 + 30);
    for (long seed = 1; seed <= 5; seed++) {
      NemesisSchedule s = schedule(TYPICAL, 4, seed);
      int ticks = 400_000;
      long partitionedTicks = 0;
      long since = 0;
      long firstPartition = -1;
      List<Long> partitionLengths = new ArrayList<>();
      List<Long> healedLengths = new ArrayList<>();
      for (long t = 1; t <= ticks; t++) {
        Optional<NemesisSchedule.Step> step = s.tick();
        if (step.isPresent()) {
          if (step.get() instanceof NemesisSchedule.Partition) {
            if (firstPartition < 0) {
              firstPartition = t;
            } else {
              healedLengths.add(t - since);
            }
          } else {
            partitionLengths.add(t - since);
          }
          since = t;
        }
        partitionedTicks += s.current().isPresent() ? 1 : 0;
      }
      double share = (double) partitionedTicks / ticks;
      double meanPartition = mean(partitionLengths);
      double meanHealed = mean(healedLengths);
      System.out.printf(
          "nemesis seed %d: partitioned %.4f of the time (expected %.4f), %d partitions, mean"
              + " %.2f ticks partitioned (10), %.2f healed (30)%n",
          seed, share, expected, partitionLengths.size(), meanPartition, meanHealed);
      assertEquals(expected, share, 0.01, "seed " + seed);
      assertEquals(10, meanPartition, 0.3, "seed " + seed);
      assertEquals(30, meanHealed, 1.0, "seed " + seed);
      // The least lengths: the stability, then the first tick that may change.
      assertEquals(6, min(partitionLengths), "seed " + seed + ": partition stability of 5 ticks");
      assertEquals(11, min(healedLengths), "seed " + seed + ": heal stability of 10 ticks");
      assertTrue(firstPartition >= 11, "seed " + seed + ": a run starts healed and stable");
    }
  }

  @Test
  @DisplayName("asymmetric partitions come with their probability, each direction half of them")
  void asymmetricShareMatchesItsProbability() {
    for (long seed = 1; seed <= 5; seed++) {
      List<NemesisSchedule.Partition> all = partitions(TYPICAL, 4, seed, 400_000);
      long aToB = all.stream().filter(p -> p.cut() == NemesisEvent.Cut.A_TO_B).count();
      long bToA = all.stream().filter(p -> p.cut() == NemesisEvent.Cut.B_TO_A).count();
      double share = (double) (aToB + bToA) / all.size();
      double aToBShare = (double) aToB / (aToB + bToA);
      System.out.printf(
          "nemesis seed %d: %d partitions, %.4f one way (expected 0.3), %.4f of those A->B%n",
          seed, all.size(), share, aToBShare);
      assertTrue(all.size() > 9_000, "seed " + seed + ": " + all.size() + " partitions");
      assertEquals(0.3, share, 0.03, "seed " + seed);
      assertEquals(0.5, aToBShare, 0.05, "seed " + seed);
    }
    Nemesis symmetric = TYPICAL.withAsymmetricProbability(0);
    assertTrue(
        partitions(symmetric, 4, 1, 100_000).stream()
            .allMatch(p -> p.cut() == NemesisEvent.Cut.BOTH_WAYS));
  }

  @Test
  @DisplayName(
      "UNIFORM_SIZE: the size of side A is uniform over 1..n-1, each host on it half the time")
  void uniformSizeCoversEverySize() {
    int hosts = 5;
    long seed = 7;
    List<NemesisSchedule.Partition> all =
        partitions(everyTick(NemesisMode.UNIFORM_SIZE), hosts, seed, 40_000);
    int[] sizes = new int[hosts];
    int[] onA = new int[hosts];
    for (NemesisSchedule.Partition p : all) {
      sizes[p.sideA().size()]++;
      p.sideA().forEach(h -> onA[h]++);
    }
    assertEquals(20_000, all.size(), "seed " + seed);
    assertEquals(0, sizes[0], "seed " + seed);
    for (int size = 1; size < hosts; size++) {
      assertEquals(0.25, (double) sizes[size] / all.size(), 0.02, "seed " + seed + " size " + size);
    }
    for (int h = 0; h < hosts; h++) {
      assertEquals(0.5, (double) onA[h] / all.size(), 0.02, "seed " + seed + " host " + h);
    }
  }

  @Test
  @DisplayName("UNIFORM_PARTITION: each host on a side by a fair coin, never all on one side")
  void uniformPartitionFlipsACoinPerHost() {
    int hosts = 5;
    long seed = 8;
    List<NemesisSchedule.Partition> all =
        partitions(everyTick(NemesisMode.UNIFORM_PARTITION), hosts, seed, 40_000);
    int[] sizes = new int[hosts];
    int[] onA = new int[hosts];
    for (NemesisSchedule.Partition p : all) {
      sizes[p.sideA().size()]++;
      p.sideA().forEach(h -> onA[h]++);
    }
    // Binomial(5, 1/2) without the two one-sided outcomes: C(5, k) / 30.
    int[] binomial = {1, 5, 10, 10, 5, 1};
    for (int size = 1; size < hosts; size++) {
      assertEquals(
          binomial[size] / 30.0,
          (double) sizes[size] / all.size(),
          0.02,
          "seed " + seed + " size " + size);
    }
    for (int h = 0; h < hosts; h++) {
      assertEquals(0.5, (double) onA[h] / all.size(), 0.02, "seed " + seed + " host " + h);
    }
  }

  @Test
  @DisplayName("ISOLATE_SINGLE: always exactly one host alone, each as often")
  void isolateSingleIsolatesExactlyOne() {
    int hosts = 4;
    long seed = 9;
    List<NemesisSchedule.Partition> all =
        partitions(everyTick(NemesisMode.ISOLATE_SINGLE), hosts, seed, 40_000);
    int[] isolated = new int[hosts];
    for (NemesisSchedule.Partition p : all) {
      assertEquals(1, p.sideA().size(), "seed " + seed + ": " + p);
      assertEquals(hosts - 1, p.sideB().size(), "seed " + seed + ": " + p);
      isolated[p.sideA().get(0)]++;
    }
    for (int h = 0; h < hosts; h++) {
      assertEquals(0.25, (double) isolated[h] / all.size(), 0.02, "seed " + seed + " host " + h);
    }
  }

  @Test
  @DisplayName("the same seed gives the same steps; another seed or stream name, others")
  void sameSeedSameSteps() {
    List<NemesisSchedule.Partition> first = partitions(TYPICAL, 4, 42, 20_000);
    assertEquals(first, partitions(TYPICAL, 4, 42, 20_000));
    assertNotEquals(first, partitions(TYPICAL, 4, 43, 20_000));
    NemesisSchedule other = new NemesisSchedule(TYPICAL, 4, LinkRandom.forLink(42, "nemesis-1"));
    List<NemesisSchedule.Step> steps = new ArrayList<>();
    for (int t = 0; t < 20_000; t++) {
      other.tick().ifPresent(steps::add);
    }
    assertNotEquals(
        first, steps.stream().filter(s -> s instanceof NemesisSchedule.Partition).toList());
  }

  @Test
  @DisplayName(
      "certain and impossible: p = 1 partitions at the first tick, p = 0 never, q = 0 holds")
  void boundaryProbabilities() {
    Nemesis stuck = everyTick(NemesisMode.UNIFORM_SIZE).withHealProbability(0);
    NemesisSchedule s = schedule(stuck, 3, 1);
    assertTrue(s.tick().orElseThrow() instanceof NemesisSchedule.Partition);
    for (int t = 0; t < 10_000; t++) {
      assertEquals(Optional.empty(), s.tick());
    }
    assertTrue(s.current().isPresent());
    NemesisSchedule never = schedule(TYPICAL.withPartitionProbability(0), 3, 1);
    for (int t = 0; t < 10_000; t++) {
      assertEquals(Optional.empty(), never.tick());
    }
  }

  @Test
  @DisplayName("a stability is rounded up to whole ticks, so it is never cut short")
  void stabilityRoundsUp() {
    Nemesis n =
        everyTick(NemesisMode.ISOLATE_SINGLE)
            .withTick(Duration.ofMillis(30))
            .withHealStability(Duration.ofMillis(100));
    NemesisSchedule s = schedule(n, 2, 3);
    for (int t = 1; t <= 4; t++) {
      assertEquals(Optional.empty(), s.tick(), "tick " + t + " is within 100 ms of the start");
    }
    assertTrue(s.tick().isPresent(), "the 5th tick, 150 ms in, may partition");
  }

  private static double mean(List<Long> values) {
    return values.stream().mapToLong(Long::longValue).average().orElseThrow();
  }

  private static long min(List<Long> values) {
    return values.stream().mapToLong(Long::longValue).min().orElseThrow();
  }
}
