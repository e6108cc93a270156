package dev.vnetif.link.conditions;

import static dev.vnetif.link.conditions.LinkHarness.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.ConditionStats;
import dev.vnetif.LinkConditions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ConditionedLinkRateTest {
  private static final long SEED = 0x4A7EL;

  @Test
  void saturatingLoadGetsTheSetRateWithinFivePercent() {
    long bps = 10_000_000;
    LinkHarness h = new LinkHarness(LinkConditions.none().rate(bps), SEED);
    SplittableRandom sizes = new SplittableRandom(SEED);
    // 10,000 frames of 64..1518 bytes offered at twice the rate.
    long now = 0;
    long bits = 0;
    long previous = 0;
    for (int i = 0; i < 10_000; i++) {
      int length = 64 + sizes.nextInt(1518 - 64 + 1);
      long at = h.offer(length, now).get(0).atNanos();
      long serialization = length * 8L * 1_000_000_000L / bps;
      if (i > 0) {
        // Backlogged: each frame starts exactly when the one ahead is through.
        assertEquals(previous + serialization, at, h.replay() + "frame " + i);
      }
      previous = at;
      bits += length * 8L;
      now += serialization / 2;
    }
    double throughput = bits / (previous / 1e9);
    assertEquals(bps, throughput, 0.05 * bps, h.replay() + "throughput (bit/s)");
    assertEquals(9_999, h.link.stats().steps().get(0).queued(), h.replay() + "queued");
  }

  @Test
  void lightLoadIsOnlySerializedNeverQueued() {
    LinkHarness h = new LinkHarness(LinkConditions.none().rate(1_000_000), SEED);
    for (int i = 0; i < 1_000; i++) {
      long now = i * 10 * MS;
      // 1000 bytes at 1 Mbit/s: 8 ms, less than the 10 ms between frames.
      assertEquals(now + 8 * MS, h.offer(1000, now).get(0).atNanos());
    }
    assertEquals(0, h.link.stats().steps().get(0).queued());
  }

  @Test
  void overheadCountsAndIsFlooredAtOneByte() {
    // 100 bytes + 25 overhead at 1 Mbit/s: 1 ms. 10 bytes - 50: one byte, 8 us.
    LinkHarness h = new LinkHarness(LinkConditions.none().rate(1_000_000, 25), SEED);
    assertEquals(MS, h.offer(100, 0).get(0).atNanos());
    LinkHarness negative = new LinkHarness(LinkConditions.none().rate(1_000_000, -50), SEED);
    assertEquals(8_000, negative.offer(10, 0).get(0).atNanos());
  }

  @Test
  void delayThenRateSerializesFromWhenTheFrameIsReady() {
    // netem: max(now + delay, last departure) + serialization.
    LinkHarness h =
        new LinkHarness(
            LinkConditions.none().delay(Duration.ofMillis(50)).rate(8_000), SEED); // 1 byte/ms
    assertEquals(150 * MS, h.offer(100, 0).get(0).atNanos());
    assertEquals(250 * MS, h.offer(100, 10 * MS).get(0).atNanos()); // waits for the first
    assertEquals(1_100 * MS, h.offer(100, 950 * MS).get(0).atNanos()); // idle link again
  }

  @Test
  void queueLimitTailDropsExactlyFromTheFrameThatFindsItFull() {
    // 100-byte frames at 8 kbit/s: 100 ms each. Limit 5.
    LinkHarness h = new LinkHarness(LinkConditions.none().rate(8_000).queueLimit(5), SEED);
    for (int i = 1; i <= 5; i++) {
      assertEquals(List.of(i * 100 * MS), times(h.offer(100, 0)), "frame " + i);
    }
    for (int i = 6; i <= 8; i++) {
      assertEquals(List.of(), times(h.offer(100, 0)), "frame " + i + " finds 5 held");
    }
    // The first frame leaves at exactly 100 ms: from then on the link holds 4.
    assertEquals(List.of(), times(h.offer(100, 100 * MS - 1)));
    assertEquals(List.of(600 * MS), times(h.offer(100, 100 * MS)));
    assertEquals(List.of(), times(h.offer(100, 100 * MS)));
    ConditionStats.StepStats limit = h.link.stats().steps().get(1);
    assertEquals(5, limit.tailDropped());
    assertEquals(0, limit.dropped());
    assertEquals(11, limit.frames());
  }

  @Test
  void queueLimitDropsWhenAndOnlyWhenTheHeldFramesReachTheLimit() {
    // Frames every 60 ms on a 100 ms-per-frame link: the queue grows by 2 every 5 frames.
    int limit = 7;
    LinkHarness h = new LinkHarness(LinkConditions.none().rate(8_000).queueLimit(limit), SEED);
    List<Long> accepted = new ArrayList<>();
    int drops = 0;
    int firstDrop = -1;
    for (int i = 0; i < 2_000; i++) {
      long now = i * 60 * MS;
      long held = accepted.stream().filter(at -> at > now).count();
      List<Departure> out = h.offer(100, now);
      assertEquals(held >= limit, out.isEmpty(), "frame " + i + " with " + held + " held");
      if (out.isEmpty()) {
        drops++;
        firstDrop = firstDrop < 0 ? i : firstDrop;
      } else {
        accepted.add(out.get(0).atNanos());
      }
    }
    assertEquals(drops, h.link.stats().steps().get(1).tailDropped());
    assertTrue(firstDrop > limit, "no drop before the queue could fill, first at " + firstDrop);
    // Long run: the link carries 6 of every 10 offered (60 ms vs 100 ms per frame).
    assertEquals(0.4, drops / 2_000.0, 0.01);
  }

  @Test
  void delayedFramesCountAsHeld() {
    LinkHarness h =
        new LinkHarness(LinkConditions.none().delay(Duration.ofMillis(10)).queueLimit(2), SEED);
    assertEquals(1, h.offer(60, 0).size());
    assertEquals(1, h.offer(60, MS).size());
    assertEquals(0, h.offer(60, 2 * MS).size()); // two in flight
    assertEquals(1, h.offer(60, 10 * MS).size()); // the first left at 10 ms
  }

  private static List<Long> times(List<Departure> out) {
    return out.stream().map(Departure::atNanos).toList();
  }
}
