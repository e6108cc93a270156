package dev.vnetif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The {@link Nemesis} value: its defaults, its copies, and a clear error for each bad argument. */
class NemesisTest {
  private static final SwitchAttachment PORT_3 = () -> 3;
  private static final SwitchAttachment PORT_4 = () -> 4;

  @Test
  @DisplayName("defaults: uniform size, 100 ms ticks, 5% / 20%, 1 s / 2 s, symmetric, all stacks")
  void defaults() {
    Nemesis n = Nemesis.of(NemesisMode.UNIFORM_SIZE);
    assertEquals(Duration.ofMillis(100), n.tick());
    assertEquals(0.05, n.partitionProbability());
    assertEquals(0.2, n.healProbability());
    assertEquals(Duration.ofSeconds(1), n.partitionStability());
    assertEquals(Duration.ofSeconds(2), n.healStability());
    assertEquals(0.0, n.asymmetricProbability());
    assertEquals(Optional.empty(), n.hosts());
  }

  @Test
  @DisplayName("each with... returns a changed copy and leaves the original as it was")
  void withCopies() {
    Nemesis base = Nemesis.of(NemesisMode.ISOLATE_SINGLE);
    Nemesis changed =
        base.withMode(NemesisMode.UNIFORM_PARTITION)
            .withTick(Duration.ofMillis(20))
            .withPartitionProbability(0.5)
            .withHealProbability(0.25)
            .withPartitionStability(Duration.ofMillis(40))
            .withHealStability(Duration.ZERO)
            .withAsymmetricProbability(1)
            .withHosts(PORT_3, PORT_4);
    assertEquals(NemesisMode.ISOLATE_SINGLE, base.mode());
    assertEquals(Nemesis.of(NemesisMode.ISOLATE_SINGLE), base);
    assertEquals(NemesisMode.UNIFORM_PARTITION, changed.mode());
    assertEquals(Duration.ofMillis(20), changed.tick());
    assertEquals(0.5, changed.partitionProbability());
    assertEquals(0.25, changed.healProbability());
    assertEquals(Duration.ofMillis(40), changed.partitionStability());
    assertEquals(Duration.ZERO, changed.healStability());
    assertEquals(1.0, changed.asymmetricProbability());
    assertEquals(List.of(PORT_3, PORT_4), changed.hosts().orElseThrow());
    assertEquals(Optional.empty(), changed.withAllStacks().hosts());
    assertNotEquals(base, changed);
    assertEquals(changed, changed.withTick(Duration.ofMillis(20)));
    assertEquals(changed.hashCode(), changed.withTick(Duration.ofMillis(20)).hashCode());
  }

  @Test
  @DisplayName("a bad argument fails at the call, naming the argument and the value")
  void badArguments() {
    Nemesis n = Nemesis.of(NemesisMode.UNIFORM_SIZE);
    assertMessage(() -> n.withTick(Duration.ZERO), "tick", "PT0S");
    assertMessage(() -> n.withTick(Duration.ofMillis(-5)), "tick", "PT-0.005S");
    assertMessage(() -> n.withPartitionProbability(1.5), "partition probability", "1.5");
    assertMessage(() -> n.withHealProbability(-0.1), "heal probability", "-0.1");
    assertMessage(() -> n.withAsymmetricProbability(Double.NaN), "asymmetric probability", "NaN");
    assertMessage(
        () -> n.withPartitionStability(Duration.ofSeconds(-1)), "partition stability", "PT-1S");
    assertMessage(() -> n.withHealStability(Duration.ofSeconds(-2)), "heal stability", "PT-2S");
    assertMessage(() -> n.withHosts(PORT_3), "at least two hosts", "got 1");
    assertMessage(() -> n.withHosts(PORT_3, () -> 3), "different switch ports", "port 3");
    assertThrows(NullPointerException.class, () -> n.withMode(null));
    assertThrows(NullPointerException.class, () -> n.withHosts((List<SwitchAttachment>) null));
  }

  private static void assertMessage(Supplier<Nemesis> call, String names, String value) {
    String message = assertThrows(IllegalArgumentException.class, call::get).getMessage();
    assertTrue(message.contains(names) && message.contains(value), message);
  }
}
