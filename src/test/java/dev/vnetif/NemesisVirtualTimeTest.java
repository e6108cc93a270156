package dev.vnetif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.vnetif.time.VirtualTime;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The nemesis in virtual time, where its timer is the simulation's: every event falls exactly on
 * its tick, a seed replays the events with their times, and an hour of partitions takes a moment,
 * long enough to measure the share of time partitioned against the probabilities.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NemesisVirtualTimeTest {
  static final Duration TICK = Duration.ofMillis(100);

  /** p = 0.05 and q = 0.2 per tick, stabilities 0.5 s and 1 s, 30% one way. */
  static final Nemesis NEMESIS =
      Nemesis.of(NemesisMode.UNIFORM_PARTITION)
          .withTick(TICK)
          .withPartitionProbability(0.05)
          .withHealProbability(0.2)
          .withPartitionStability(Duration.ofMillis(500))
          .withHealStability(Duration.ofSeconds(1))
          .withAsymmetricProbability(0.3);

  final ActorTestKit testKit =
      ActorTestKit.create(
          "nemesis-virtual-time",
          VirtualTime.config().withFallback(ConfigFactory.load("application-test")));
  final VirtualTime time = VirtualTime.get(testKit.system());

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  /** The events of a nemesis run for {@code length} of virtual time on four hosts. */
  List<NemesisEvent> run(long seed, Duration length) {
    NetworkConfig config = NetworkConfig.fromConfig(testKit.system().settings().config());
    VirtualNetwork net = VirtualNetwork.create(testKit.system(), config.withSeed(seed));
    for (int i = 0; i < 4; i++) {
      time.await(net.createStack("10.0.0." + (2 + i) + "/24"));
    }
    NemesisRun run = time.await(net.startNemesis(NEMESIS));
    time.advance(length);
    time.await(run.stop());
    time.await(net.shutdown());
    return run.events();
  }

  @Test
  @DisplayName("each event at exactly its tick, and the same seed replays them with their times")
  void eventsFallOnTheirTicksAndReplay() {
    List<NemesisEvent> first = run(7, Duration.ofMinutes(1));
    assertTrue(first.size() >= 10, "seed 7: " + first);
    for (NemesisEvent e : first) {
      assertEquals(TICK.multipliedBy(e.tick()), e.at(), "seed 7: " + e);
    }
    assertEquals(first, run(7, Duration.ofMinutes(1)), "seed 7, twice");
    assertNotEquals(first, run(8, Duration.ofMinutes(1)), "seeds 7 and 8");
  }

  @Test
  @DisplayName("over an hour, the share of time partitioned and of one-way partitions match")
  void shareOfTimePartitionedOverAnHour() {
    long seed = 11;
    Duration hour = Duration.ofHours(1);
    List<NemesisEvent> events = run(seed, hour);
    long partitioned = 0;
    long partitions = 0;
    long oneWay = 0;
    Duration since = null;
    for (NemesisEvent e : events) {
      if (e.action() == NemesisEvent.Action.PARTITION) {
        partitions++;
        oneWay += e.symmetric() ? 0 : 1;
        since = e.at();
      } else {
        partitioned += e.at().minus(since).toNanos();
      }
    }
    // A partition lasts 0.5 s + 0.1 s / 0.2 = 1 s on average, a healed spell 1 s + 0.1 s / 0.05 =
    // 3 s: a quarter of the time partitioned.
    double share = (double) partitioned / hour.toNanos();
    double oneWayShare = (double) oneWay / partitions;
    System.out.printf(
        "nemesis seed %d, one hour of virtual time: %d partitions, partitioned %.4f of the time"
            + " (expected 0.25), %.4f one way (expected 0.3)%n",
        seed, partitions, share, oneWayShare);
    assertEquals(900, partitions, 90, "seed " + seed + ": one partition per 4 s on average");
    assertEquals(0.25, share, 0.03, "seed " + seed);
    assertEquals(0.3, oneWayShare, 0.06, "seed " + seed);
  }
}
