package dev.vnetif.link.conditions;

import static dev.vnetif.link.conditions.LinkHarness.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.LinkConditions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class ConditionedLinkReorderTest {
  private static final long SEED = 0x0DE7L;

  private static LinkConditions delayReorder(double p, int gap) {
    return LinkConditions.none().delay(Duration.ofMillis(10)).reorder(p, gap);
  }

  /** The 1-based indices of the frames that left at their entry time (frames 1 ms apart). */
  private static List<Integer> earlyFrames(LinkHarness h, int count) {
    List<Integer> early = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      long now = i * MS;
      long at = h.offer(60, now).get(0).atNanos();
      if (at == now) {
        early.add(i);
      } else {
        assertEquals(now + 10 * MS, at, h.replay() + "frame " + i + " neither early nor delayed");
      }
    }
    return early;
  }

  @Test
  void certainReorderWithGapFiveSendsEveryFifthFrameEarly() {
    LinkHarness h = new LinkHarness(delayReorder(1.0, 5), SEED);
    List<Integer> early = earlyFrames(h, 100);
    assertEquals(IntStream.rangeClosed(1, 20).map(k -> 5 * k).boxed().toList(), early);
    assertEquals(20, h.link.stats().steps().get(1).reordered());
  }

  @Test
  void anEarlyFrameOvertakesTheDelayedOnesOnTheWire() {
    LinkHarness h = new LinkHarness(delayReorder(1.0, 5), SEED);
    List<long[]> departures = new ArrayList<>(); // {frame, time}
    for (int i = 1; i <= 10; i++) {
      ByteString bytes = ByteString.fromArrayUnsafe(new byte[] {(byte) i});
      departures.add(new long[] {i, h.offer(bytes, i * MS).get(0).atNanos()});
    }
    departures.sort(Comparator.comparingLong((long[] d) -> d[1]));
    List<Long> order = departures.stream().map(d -> d[0]).toList();
    // Frame 5 (entered at 5 ms) leaves before 1-4 (11-14 ms); 10 (at 10 ms) before 6-9.
    assertEquals(List.of(5L, 10L, 1L, 2L, 3L, 4L, 6L, 7L, 8L, 9L), order);
  }

  @Test
  void probableReorderMakesFramesEligibleOnlyAfterGapMinusOneDelayedOnes() {
    // reorder 25% gap 5: 4 delayed, then each frame early with 25% until one is: cycles of
    // 4 + Geometric(1/4) frames, mean 8, so 1/8 of the frames go early.
    LinkHarness h = new LinkHarness(delayReorder(0.25, 5), SEED);
    int n = 100_000;
    List<Integer> early = earlyFrames(h, n);
    assertTrue(early.get(0) >= 5, h.replay() + "first early frame " + early.get(0));
    int cyclesOfFive = 0;
    for (int k = 1; k < early.size(); k++) {
      int cycle = early.get(k) - early.get(k - 1);
      assertTrue(cycle >= 5, h.replay() + "frames " + early.get(k - 1) + " and " + early.get(k));
      if (cycle == 5) {
        cyclesOfFive++;
      }
    }
    double share = early.size() / (double) n;
    assertEquals(0.125, share, 0.01, h.replay() + "share sent early");
    // A cycle is exactly 5 when the first eligible draw succeeds: 25%.
    assertEquals(
        0.25, cyclesOfFive / (double) (early.size() - 1), 0.02, h.replay() + "cycles of 5");
  }

  @Test
  void gapOneMakesEveryFrameEligible() {
    LinkHarness h = new LinkHarness(delayReorder(0.3, 1), SEED);
    int n = 50_000;
    double share = earlyFrames(h, n).size() / (double) n;
    assertEquals(0.3, share, 0.01, h.replay() + "share sent early");
  }

  @Test
  void reorderBeforeDelaySkipsTheDelayForEarlyFrames() {
    LinkHarness h =
        new LinkHarness(LinkConditions.none().reorder(1.0, 3).delay(Duration.ofMillis(10)), SEED);
    List<Integer> early = earlyFrames(h, 30);
    assertEquals(List.of(3, 6, 9, 12, 15, 18, 21, 24, 27, 30), early);
    assertEquals(20, h.link.stats().steps().get(1).delayed(), "early frames draw no delay");
  }

  @Test
  void reorderWithoutDelayChangesNothingVisible() {
    LinkHarness h = new LinkHarness(LinkConditions.none().reorder(1.0, 2), SEED);
    for (int i = 0; i < 100; i++) {
      assertEquals(i * MS, h.offer(60, i * MS).get(0).atNanos());
    }
    assertEquals(50, h.link.stats().steps().get(0).reordered());
  }
}
