package dev.vnetif;

import dev.vnetif.link.conditions.Arguments;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A seeded random schedule of partitions — a nemesis, after the partition faults of TigerBeetle's
 * packet simulator. An immutable value; {@link VirtualNetwork#startNemesis(Nemesis)} runs it.
 *
 * <pre>{@code
 * Nemesis nemesis = Nemesis.of(NemesisMode.UNIFORM_SIZE)
 *     .withTick(Duration.ofMillis(100))
 *     .withPartitionProbability(0.05).withPartitionStability(Duration.ofSeconds(1))
 *     .withHealProbability(0.2).withHealStability(Duration.ofSeconds(2))
 *     .withAsymmetricProbability(0.3);
 * NemesisRun run = net.startNemesis(nemesis).toCompletableFuture().join();
 * ...
 * run.stop().toCompletableFuture().join();   // heals what it cut
 * run.events().forEach(System.out::println);
 * }</pre>
 *
 * <p>Time goes in ticks of {@link #tick()}. A run starts healed. At each tick, once the current
 * state has lasted its stability (at least {@link #healStability()} healed, at least {@link
 * #partitionStability()} partitioned, both rounded up to whole ticks), it partitions with {@link
 * #partitionProbability()} while healed, or heals with {@link #healProbability()} while
 * partitioned. A partition splits the hosts into two sides as {@link #mode()} says and cuts every
 * pair across them; with {@link #asymmetricProbability()} it cuts one direction only (which one is
 * drawn too). So a partition lasts {@code partitionStability + tick / healProbability} on average,
 * and a healed spell {@code healStability + tick / partitionProbability}.
 *
 * <p>Defaults: {@link NemesisMode#UNIFORM_SIZE}, a 100 ms tick, partition probability 0.05, heal
 * probability 0.2, partition stability 1 s, heal stability 2 s, symmetric partitions (asymmetric
 * probability 0), and all the network's attached stacks as hosts.
 */
public final class Nemesis {
  private static final Nemesis DEFAULTS =
      new Nemesis(
          NemesisMode.UNIFORM_SIZE,
          Duration.ofMillis(100),
          0.05,
          0.2,
          Duration.ofSeconds(1),
          Duration.ofSeconds(2),
          0.0,
          null);

  private final NemesisMode mode;
  private final Duration tick;
  private final double partitionProbability;
  private final double healProbability;
  private final Duration partitionStability;
  private final Duration healStability;
  private final double asymmetricProbability;

  /** Null: every stack attached to the network when the run starts. */
  private final List<SwitchAttachment> hosts;

  private Nemesis(
      NemesisMode mode,
      Duration tick,
      double partitionProbability,
      double healProbability,
      Duration partitionStability,
      Duration healStability,
      double asymmetricProbability,
      List<SwitchAttachment> hosts) {
    this.mode = mode;
    this.tick = tick;
    this.partitionProbability = partitionProbability;
    this.healProbability = healProbability;
    this.partitionStability = partitionStability;
    this.healStability = healStability;
    this.asymmetricProbability = asymmetricProbability;
    this.hosts = hosts;
  }

  /** A nemesis with the defaults and this mode. */
  public static Nemesis of(NemesisMode mode) {
    return DEFAULTS.withMode(mode);
  }

  /** How the hosts are split. */
  public Nemesis withMode(NemesisMode value) {
    Objects.requireNonNull(value, "mode");
    return new Nemesis(
        value,
        tick,
        partitionProbability,
        healProbability,
        partitionStability,
        healStability,
        asymmetricProbability,
        hosts);
  }

  /**
   * How often the nemesis draws, on the actor system's scheduler.
   *
   * @throws IllegalArgumentException if {@code value} is zero or negative
   */
  public Nemesis withTick(Duration value) {
    Arguments.nonNegative("tick", value);
    if (value.isZero()) {
      throw new IllegalArgumentException("tick must be > 0, got " + value);
    }
    return new Nemesis(
        mode,
        value,
        partitionProbability,
        healProbability,
        partitionStability,
        healStability,
        asymmetricProbability,
        hosts);
  }

  /**
   * The chance per tick of a partition while healed (and stable).
   *
   * @throws IllegalArgumentException if {@code value} is not in [0, 1]
   */
  public Nemesis withPartitionProbability(double value) {
    return new Nemesis(
        mode,
        tick,
        Arguments.probability("partition probability", value),
        healProbability,
        partitionStability,
        healStability,
        asymmetricProbability,
        hosts);
  }

  /**
   * The chance per tick of healing while partitioned (and stable).
   *
   * @throws IllegalArgumentException if {@code value} is not in [0, 1]
   */
  public Nemesis withHealProbability(double value) {
    return new Nemesis(
        mode,
        tick,
        partitionProbability,
        Arguments.probability("heal probability", value),
        partitionStability,
        healStability,
        asymmetricProbability,
        hosts);
  }

  /**
   * The least time a partition lasts before it may heal.
   *
   * @throws IllegalArgumentException if {@code value} is negative
   */
  public Nemesis withPartitionStability(Duration value) {
    return new Nemesis(
        mode,
        tick,
        partitionProbability,
        healProbability,
        Arguments.nonNegative("partition stability", value),
        healStability,
        asymmetricProbability,
        hosts);
  }

  /**
   * The least time the network stays healed (from the start, and after each heal) before the next
   * partition may come.
   *
   * @throws IllegalArgumentException if {@code value} is negative
   */
  public Nemesis withHealStability(Duration value) {
    return new Nemesis(
        mode,
        tick,
        partitionProbability,
        healProbability,
        partitionStability,
        Arguments.nonNegative("heal stability", value),
        asymmetricProbability,
        hosts);
  }

  /**
   * The chance that a partition cuts one direction only, each direction equally likely.
   *
   * @throws IllegalArgumentException if {@code value} is not in [0, 1]
   */
  public Nemesis withAsymmetricProbability(double value) {
    return new Nemesis(
        mode,
        tick,
        partitionProbability,
        healProbability,
        partitionStability,
        healStability,
        Arguments.probability("asymmetric probability", value),
        hosts);
  }

  /**
   * The hosts the nemesis acts on, in an order that fixes what each draw means (the same seed and
   * the same order give the same partitions). Ports outside this list are never cut.
   *
   * @throws IllegalArgumentException if there are fewer than two, or two are on the same port
   */
  public Nemesis withHosts(List<? extends SwitchAttachment> value) {
    Objects.requireNonNull(value, "hosts");
    Set<Integer> ports = new HashSet<>();
    List<SwitchAttachment> copy = new ArrayList<>();
    for (SwitchAttachment host : value) {
      Objects.requireNonNull(host, "a host in " + value);
      if (!ports.add(host.switchPort())) {
        throw new IllegalArgumentException(
            "hosts must be on different switch ports; port "
                + host.switchPort()
                + " twice in "
                + value);
      }
      copy.add(host);
    }
    if (copy.size() < 2) {
      throw new IllegalArgumentException(
          "a nemesis needs at least two hosts to partition, got " + copy.size() + ": " + value);
    }
    return new Nemesis(
        mode,
        tick,
        partitionProbability,
        healProbability,
        partitionStability,
        healStability,
        asymmetricProbability,
        List.copyOf(copy));
  }

  /** Likewise, as arguments. */
  public Nemesis withHosts(SwitchAttachment... value) {
    return withHosts(List.of(value));
  }

  /** Acts on every stack attached to the network when the run starts (the default). */
  public Nemesis withAllStacks() {
    return new Nemesis(
        mode,
        tick,
        partitionProbability,
        healProbability,
        partitionStability,
        healStability,
        asymmetricProbability,
        null);
  }

  public NemesisMode mode() {
    return mode;
  }

  public Duration tick() {
    return tick;
  }

  public double partitionProbability() {
    return partitionProbability;
  }

  public double healProbability() {
    return healProbability;
  }

  public Duration partitionStability() {
    return partitionStability;
  }

  public Duration healStability() {
    return healStability;
  }

  public double asymmetricProbability() {
    return asymmetricProbability;
  }

  /** The hosts given with {@link #withHosts}; empty when it acts on every stack. */
  public Optional<List<SwitchAttachment>> hosts() {
    return Optional.ofNullable(hosts);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Nemesis n
        && mode == n.mode
        && tick.equals(n.tick)
        && partitionProbability == n.partitionProbability
        && healProbability == n.healProbability
        && partitionStability.equals(n.partitionStability)
        && healStability.equals(n.healStability)
        && asymmetricProbability == n.asymmetricProbability
        && Objects.equals(hosts, n.hosts);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        mode,
        tick,
        partitionProbability,
        healProbability,
        partitionStability,
        healStability,
        asymmetricProbability,
        hosts);
  }

  /** {@code Nemesis[UNIFORM_SIZE, tick PT0.1S, partition 0.05 after PT1S, ...]}. */
  @Override
  public String toString() {
    return "Nemesis["
        + mode
        + ", tick "
        + tick
        + ", partition "
        + partitionProbability
        + " after "
        + healStability
        + " healed, heal "
        + healProbability
        + " after "
        + partitionStability
        + " partitioned, asymmetric "
        + asymmetricProbability
        + (hosts == null ? ", all stacks" : ", hosts " + hosts)
        + "]";
  }
}
