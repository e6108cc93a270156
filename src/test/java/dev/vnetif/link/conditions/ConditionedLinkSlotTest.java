package dev.vnetif.link.conditions;

import static dev.vnetif.link.conditions.LinkHarness.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.LinkConditions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionedLinkSlotTest {
  private static final long SEED = 0x5107L;

  private static LinkConditions slot(long minMs, long maxMs, int packets, int bytes) {
    return LinkConditions.none()
        .slot(Duration.ofMillis(minMs), Duration.ofMillis(maxMs), packets, bytes);
  }

  private static List<Long> burst(LinkHarness h, int frames, int length) {
    List<Long> times = new ArrayList<>();
    for (int i = 0; i < frames; i++) {
      times.add(h.offer(length, 0).get(0).atNanos() / MS);
    }
    return times;
  }

  @Test
  void aSlotLetsOutItsPacketBudgetAndTheRestWaitForTheNext() {
    LinkHarness h = new LinkHarness(slot(10, 10, 2, 0), SEED);
    assertEquals(List.of(10L, 10L, 20L, 20L, 30L, 30L, 40L), burst(h, 7, 100));
    assertEquals(5, h.link.stats().steps().get(0).queued(), "frames 3-7 waited behind others");
  }

  @Test
  void aSlotLetsOutItsByteBudgetAndTheFrameCrossingItStillGoes() {
    assertEquals(
        List.of(10L, 10L, 10L, 20L, 20L, 20L, 30L),
        burst(new LinkHarness(slot(10, 10, 0, 3000), SEED), 7, 1000));
    // 1500 + 1500 crosses 2000: two frames per slot.
    assertEquals(
        List.of(10L, 10L, 20L, 20L, 30L),
        burst(new LinkHarness(slot(10, 10, 0, 2000), SEED), 5, 1500));
  }

  @Test
  void anUnlimitedSlotLetsOutEveryWaitingFrame() {
    assertEquals(
        List.of(10L, 10L, 10L, 10L), burst(new LinkHarness(slot(10, 10, 0, 0), SEED), 4, 9000));
  }

  @Test
  void aFrameFindingTheLinkIdleWaitsOneFreshIntervalInMinMax() {
    LinkHarness h = new LinkHarness(slot(5, 15, 1, 0), SEED);
    int n = 20_000;
    double sum = 0;
    for (int i = 0; i < n; i++) {
      long now = i * 100 * MS;
      long wait = h.offer(60, now).get(0).atNanos() - now;
      assertTrue(wait >= 5 * MS && wait < 15 * MS, h.replay() + "frame " + i + " waited " + wait);
      sum += wait;
    }
    assertEquals(10.0, sum / n / MS, 0.1, h.replay() + "mean wait (ms)");
    assertEquals(0, h.link.stats().steps().get(0).queued());
  }

  @Test
  void slotsKeepTheLinkInOrder() {
    LinkHarness h = new LinkHarness(slot(1, 20, 3, 0), SEED);
    long previous = Long.MIN_VALUE;
    for (int i = 0; i < 10_000; i++) {
      long now = i * MS;
      long at = h.offer(60, now).get(0).atNanos();
      assertTrue(at >= previous && at >= now, h.replay() + "frame " + i);
      previous = at;
    }
  }
}
