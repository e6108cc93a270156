package dev.vnetif.link.conditions;

import static dev.vnetif.link.conditions.LinkHarness.MS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.ConditionStats;
import dev.vnetif.Distribution;
import dev.vnetif.LinkConditions;
import dev.vnetif.LossModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class ConditionedLinkTest {
  private static final long SEED = 0xC0DEL;

  private static ByteString randomBytes(SplittableRandom random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return ByteString.fromArrayUnsafe(bytes);
  }

  @Test
  void noConditionsPassEveryFrameAtOnceUnchanged() {
    LinkHarness h = new LinkHarness(LinkConditions.none(), SEED);
    ByteString bytes = randomBytes(new SplittableRandom(SEED), 100);
    List<Departure> out = h.offer(bytes, 42);
    assertEquals(List.of(new Departure(bytes, 42)), out);
    assertEquals(List.of(), h.link.stats().steps());
  }

  @Test
  void duplicateSendsAboutPCopiesRightBehindTheirOriginals() {
    LinkHarness h = new LinkHarness(LinkConditions.none().duplicate(0.05), SEED);
    SplittableRandom random = new SplittableRandom(SEED);
    int n = 100_000;
    int departures = 0;
    for (int i = 0; i < n; i++) {
      ByteString bytes = randomBytes(random, 60);
      List<Departure> out = h.offer(bytes, i * MS);
      assertTrue(out.size() == 1 || out.size() == 2, "frame " + i + ": " + out.size());
      for (Departure d : out) {
        assertEquals(new Departure(bytes, i * MS), d, "frame " + i);
      }
      departures += out.size();
    }
    long duplicated = h.link.stats().steps().get(0).duplicated();
    assertEquals(n + duplicated, departures);
    assertEquals(0.05, duplicated / (double) n, 0.003, h.replay() + "share duplicated");
  }

  @Test
  void aCopyGoesThroughTheStepsAfterTheDuplicateOnItsOwn() {
    // Each copy is corrupted independently of its original; the counts show both passed.
    LinkHarness h = new LinkHarness(LinkConditions.none().duplicate(1).corrupt(1), SEED);
    SplittableRandom random = new SplittableRandom(SEED);
    int differentCorruptions = 0;
    for (int i = 0; i < 1_000; i++) {
      ByteString bytes = randomBytes(random, 60);
      List<Departure> out = h.offer(bytes, i);
      assertEquals(2, out.size());
      assertEquals(1, differingBits(bytes, out.get(0).frame()));
      assertEquals(1, differingBits(bytes, out.get(1).frame()));
      if (!out.get(0).frame().equals(out.get(1).frame())) {
        differentCorruptions++;
      }
    }
    assertEquals(2_000, h.link.stats().steps().get(1).corrupted());
    assertTrue(differentCorruptions > 990, "copies corrupted apart: " + differentCorruptions);
  }

  @Test
  void corruptFlipsExactlyOneBitInAboutPOfTheFramesAndNeverTheSendersBuffer() {
    LinkHarness h = new LinkHarness(LinkConditions.none().corrupt(0.1), SEED);
    SplittableRandom random = new SplittableRandom(SEED);
    int n = 100_000;
    int corrupted = 0;
    for (int i = 0; i < n; i++) {
      byte[] sent = new byte[64];
      random.nextBytes(sent);
      byte[] kept = sent.clone();
      ByteString bytes = ByteString.fromArrayUnsafe(sent);
      ByteString received = h.offer(bytes, i).get(0).frame();
      assertArrayEquals(kept, sent, "the sender's buffer changed, frame " + i);
      int bits = differingBits(bytes, received);
      assertTrue(bits <= 1, "frame " + i + " differs in " + bits + " bits");
      corrupted += bits;
    }
    assertEquals(corrupted, h.link.stats().steps().get(0).corrupted());
    assertEquals(0.1, corrupted / (double) n, 0.003, h.replay() + "share corrupted");
  }

  @Test
  void corruptPassesAnEmptyFrameUnchanged() {
    LinkHarness h = new LinkHarness(LinkConditions.none().corrupt(1), SEED);
    assertEquals(ByteString.emptyByteString(), h.offer(0, 0).get(0).frame());
    assertEquals(0, h.link.stats().steps().get(0).corrupted());
  }

  @Test
  void lossThenDuplicateCopiesOnlySurvivorsButDuplicateThenLossLosesEachCopyOnItsOwn() {
    int n = 10_000;
    LinkHarness lossFirst = new LinkHarness(LinkConditions.none().loss(0.5).duplicate(1), SEED);
    int departures = 0;
    for (int i = 0; i < n; i++) {
      int size = lossFirst.offer(60, i).size();
      assertTrue(size == 0 || size == 2, "frame " + i + " left " + size + " times");
      departures += size;
    }
    List<ConditionStats.StepStats> steps = lossFirst.link.stats().steps();
    long survivors = n - steps.get(0).dropped();
    assertEquals(2 * survivors, departures);
    assertEquals(survivors, steps.get(1).frames());
    assertEquals(survivors, steps.get(1).duplicated());

    LinkHarness duplicateFirst =
        new LinkHarness(LinkConditions.none().duplicate(1).loss(0.5), SEED);
    departures = 0;
    int single = 0;
    for (int i = 0; i < n; i++) {
      int size = duplicateFirst.offer(60, i).size();
      departures += size;
      single += size == 1 ? 1 : 0;
    }
    steps = duplicateFirst.link.stats().steps();
    assertEquals(n, steps.get(0).duplicated());
    assertEquals(2L * n, steps.get(1).frames());
    assertEquals(2L * n - steps.get(1).dropped(), departures);
    assertEquals(0.5, steps.get(1).dropped() / (2.0 * n), 0.02, duplicateFirst.replay());
    // Copies are lost independently: half the frames leave exactly once.
    assertEquals(0.5, single / (double) n, 0.03, duplicateFirst.replay() + "share left once");
  }

  @Test
  void trailingBytesAppendsGarbageAfterTheFrame() {
    LinkHarness h = new LinkHarness(LinkConditions.none().trailingBytes(9), SEED);
    SplittableRandom random = new SplittableRandom(SEED);
    int nonZeroTails = 0;
    for (int i = 0; i < 100; i++) {
      ByteString bytes = randomBytes(random, 60);
      ByteString out = h.offer(bytes, i).get(0).frame();
      assertEquals(69, out.length());
      assertEquals(bytes, out.take(60));
      for (byte b : out.drop(60).toArray()) {
        if (b != 0) {
          nonZeroTails++;
          break;
        }
      }
    }
    assertEquals(100, nonZeroTails, "garbage, not padding");
  }

  @Test
  void dropAfterDropsFromTheFrameCrossingTheMarkForTheDurationThenNeverAgain() {
    // 100-byte frames every 10 ms; the 11th takes the count to 1,100 > 1,000 at t = 100 ms.
    LinkHarness h =
        new LinkHarness(LinkConditions.none().dropAfter(1_000, Duration.ofMillis(50)), SEED);
    boolean[] passed = h.passed(200, 100, 10 * MS);
    for (int i = 0; i < passed.length; i++) {
      boolean inWindow = i >= 10 && i < 15; // entered at 100, 110, 120, 130, 140 ms
      assertEquals(!inWindow, passed[i], "frame " + (i + 1));
    }
    assertEquals(5, h.link.stats().steps().get(0).dropped());
  }

  @Test
  void queueLimitIsCheckedAtEntryWhereverItIsWritten() {
    LinkConditions before = LinkConditions.none().queueLimit(3).rate(8_000);
    LinkConditions after = LinkConditions.none().rate(8_000).queueLimit(3);
    assertEquals(departures(before, 500), departures(after, 500));
  }

  @Test
  void duplicateCopiesAreHeldAgainstTheQueueLimitToo() {
    LinkHarness h =
        new LinkHarness(
            LinkConditions.none().duplicate(1).delay(Duration.ofMillis(10)).queueLimit(3), SEED);
    assertEquals(2, h.offer(60, 0).size()); // original and copy: 2 held
    assertEquals(1, h.offer(60, 1).size()); // original makes 3, its copy is tail-dropped
    assertEquals(0, h.offer(60, 2).size());
    assertEquals(2, h.link.stats().steps().get(2).tailDropped());
  }

  private static final LinkConditions EVERYTHING =
      LinkConditions.none()
          .loss(LossModel.gilbertElliott(0.02, 0.3))
          .duplicate(0.05)
          .corrupt(0.05)
          .delay(Duration.ofMillis(20), Duration.ofMillis(5), Distribution.NORMAL)
          .correlation(0.3)
          .reorder(0.2, 4)
          .rate(50_000_000, 24)
          .slot(Duration.ofMillis(1), Duration.ofMillis(2), 8, 12_000)
          .queueLimit(200)
          .trailingBytes(3)
          .dropAfter(5_000_000, Duration.ofMillis(30));

  /** Every departure as "time:bytes-hash" for frames of random content and size. */
  private static List<String> departures(LinkConditions conditions, String scope, long seed) {
    LinkHarness h = new LinkHarness(scope, conditions, seed);
    SplittableRandom input = new SplittableRandom(7);
    List<String> all = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      for (Departure d : h.offer(randomBytes(input, 60 + input.nextInt(1400)), i * 200_000L)) {
        all.add(d.atNanos() + ":" + d.frame().hashCode());
      }
    }
    all.add(h.link.stats().toString());
    return all;
  }

  private static List<String> departures(LinkConditions conditions, int frames) {
    LinkHarness h = new LinkHarness(conditions, SEED);
    List<String> all = new ArrayList<>();
    for (int i = 0; i < frames; i++) {
      for (Departure d : h.offer(100, i * 30 * MS)) {
        all.add(i + "@" + d.atNanos());
      }
    }
    return all;
  }

  @Test
  void theSameSeedAndScopeGiveTheSameDeparturesBitForBit() {
    List<String> first = departures(EVERYTHING, "egress 10.0.0.3", SEED);
    assertEquals(first, departures(EVERYTHING, "egress 10.0.0.3", SEED));
    assertNotEquals(first, departures(EVERYTHING, "egress 10.0.0.4", SEED), "another scope");
    assertNotEquals(first, departures(EVERYTHING, "egress 10.0.0.3", SEED + 1), "another seed");
  }

  @Test
  void aStepsDrawsDoNotDependOnTheStepsBeforeIt() {
    // The loss step's stream is its own: changing the delay in front leaves its choices alone.
    LinkConditions a = LinkConditions.none().delay(Duration.ofMillis(1)).loss(0.3);
    LinkConditions b =
        LinkConditions.none()
            .delay(Duration.ofMillis(9), Duration.ofMillis(3), Distribution.PARETO)
            .loss(0.3);
    boolean[] first = new LinkHarness(a, SEED).passed(10_000, 60, MS);
    boolean[] second = new LinkHarness(b, SEED).passed(10_000, 60, MS);
    assertArrayEquals(first, second);
  }

  @Test
  void runtsAndGarbageNeverThrow() {
    LinkHarness h = new LinkHarness(EVERYTHING, SEED);
    SplittableRandom random = new SplittableRandom(SEED);
    assertDoesNotThrow(
        () -> {
          for (int i = 0; i < 10_000; i++) {
            int length = i % 10 == 0 ? random.nextInt(15) : random.nextInt(3_000);
            for (Departure d : h.offer(randomBytes(random, length), i * 100_000L)) {
              assertTrue(d.atNanos() >= i * 100_000L);
            }
          }
        });
    // Every frame and every copy was checked against the queue limit at entry; the frames it
    // admitted (copies apart) are the ones the first step saw.
    List<ConditionStats.StepStats> steps = h.link.stats().steps();
    ConditionStats.StepStats limit = steps.get(7);
    assertEquals("limit 200", limit.step());
    long copies = steps.get(1).duplicated();
    assertEquals(10_000 + copies, limit.frames());
    long originalsAdmitted = steps.get(0).frames();
    assertTrue(limit.tailDropped() > 0, "the load overflows the queue");
    assertTrue(
        10_000 - originalsAdmitted <= limit.tailDropped()
            && limit.tailDropped() <= 10_000 - originalsAdmitted + copies);
  }

  @Test
  void statsCountEachStepsWorkExactly() {
    // Every other frame is dropped by the loss model (Gilbert with p = r = 1 alternates).
    LinkConditions c =
        LinkConditions.none()
            .loss(LossModel.gilbertElliott(1, 1))
            .duplicate(1)
            .delay(Duration.ofMillis(1))
            .rate(8_000_000); // 100 bytes: 100 us
    LinkHarness h = new LinkHarness(c, SEED);
    for (int i = 0; i < 10; i++) {
      h.offer(100, 0);
    }
    List<ConditionStats.StepStats> steps = h.link.stats().steps();
    assertEquals(
        new ConditionStats.StepStats("loss gemodel 100% 100% 100% 0%", 10, 5, 0, 0, 0, 0, 0, 0),
        steps.get(0));
    assertEquals(
        new ConditionStats.StepStats("duplicate 100%", 5, 0, 0, 5, 0, 0, 0, 0), steps.get(1));
    assertEquals(new ConditionStats.StepStats("delay 1ms", 10, 0, 10, 0, 0, 0, 0, 0), steps.get(2));
    assertEquals(new ConditionStats.StepStats("rate 8Mbit", 10, 0, 0, 0, 0, 0, 9, 0), steps.get(3));
    assertEquals("egress 10.0.0.3", h.link.stats().scope());
  }

  static int differingBits(ByteString a, ByteString b) {
    assertEquals(a.length(), b.length());
    int bits = 0;
    for (int i = 0; i < a.length(); i++) {
      bits += Integer.bitCount((a.apply(i) ^ b.apply(i)) & 0xff);
    }
    return bits;
  }
}
