package dev.vnetif.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The scoreboard's ring buffer against an ArrayList doing the same operations. */
class ScoreboardRecordsTest {

  private static SackScoreboard.Segment record(int n) {
    return new SackScoreboard.Segment(n, n + 1, n);
  }

  @Test
  @DisplayName(
      "appends, drops from the front and inserts in the middle as an ArrayList would, across the ring's wrap and its growth (seed printed)")
  void behavesAsAList() {
    long seed = 20261206L;
    System.out.println("ScoreboardRecordsTest seed " + seed);
    Random random = new Random(seed);
    ScoreboardRecords ring = new ScoreboardRecords();
    List<SackScoreboard.Segment> model = new ArrayList<>();
    int next = 0;
    for (int step = 0; step < 20_000; step++) {
      int op = random.nextInt(10);
      if (op < 5 || model.isEmpty()) {
        SackScoreboard.Segment s = record(next++);
        ring.add(s);
        model.add(s);
      } else if (op < 9) {
        assertSame(model.remove(0), ring.removeFirst(), "step " + step);
      } else {
        int at = random.nextInt(model.size() + 1);
        SackScoreboard.Segment s = record(next++);
        ring.add(at, s);
        model.add(at, s);
      }
      assertEquals(model.size(), ring.size(), "step " + step);
      if (!model.isEmpty()) {
        assertSame(model.get(model.size() - 1), ring.last(), "step " + step);
        int probe = random.nextInt(model.size());
        assertSame(model.get(probe), ring.get(probe), "step " + step);
      }
    }
    assertEquals(model, new ArrayList<>(ring));
  }

  @Test
  @DisplayName("a ring grown from 16 to 64 records keeps their order, wrapped or not")
  void growsInOrder() {
    ScoreboardRecords ring = new ScoreboardRecords();
    for (int i = 0; i < 10; i++) {
      ring.add(record(i));
    }
    for (int i = 0; i < 10; i++) {
      ring.removeFirst(); // head moves to 10: the next appends wrap
    }
    for (int i = 0; i < 50; i++) {
      ring.add(record(100 + i));
    }
    assertEquals(50, ring.size());
    for (int i = 0; i < 50; i++) {
      assertEquals(100 + i, ring.get(i).start);
    }
    assertTrue(ring.contains(ring.get(49)));
  }

  @Test
  @DisplayName("indexes outside the records are refused with the index named")
  void badIndexes() {
    ScoreboardRecords ring = new ScoreboardRecords();
    assertThrows(IndexOutOfBoundsException.class, ring::removeFirst);
    assertThrows(IndexOutOfBoundsException.class, () -> ring.get(0));
    ring.add(record(1));
    IndexOutOfBoundsException e =
        assertThrows(IndexOutOfBoundsException.class, () -> ring.add(3, record(2)));
    assertTrue(e.getMessage().contains("3"), e.getMessage());
  }
}
