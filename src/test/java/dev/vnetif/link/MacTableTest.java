package dev.vnetif.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vnetif.wire.MacAddress;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The forwarding table on a hand-driven clock: ageing, the limit, moves and detach. */
class MacTableTest {

  private static final long SECOND = 1_000_000_000L;

  /** Near the sign change, so that ages must be computed by difference. */
  private static final long START = Long.MAX_VALUE - 100 * SECOND;

  private static final long MAC_A = 0x02_00_00_00_00_0AL;
  private static final long MAC_B = 0x02_00_00_00_00_0BL;
  private static final long MAC_C = 0x02_00_00_00_00_0CL;

  /** A clock that only moves when told. */
  private static final class FakeClock implements NetworkClock {
    long now = START;

    void advanceSeconds(long seconds) {
      now += seconds * SECOND;
    }

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public long epochNanos() {
      return now;
    }
  }

  private final FakeClock clock = new FakeClock();
  private final SwitchPort port1 = port(1);
  private final SwitchPort port2 = port(2);

  private static SwitchPort port(int number) {
    return new SwitchPort(
        number, "p" + number, MacAddress.fromLong(0x02_00_00_00_01_00L + number), 1514, null);
  }

  private MacTable table(int limit) {
    return new MacTable(clock, SwitchSettings.DEFAULT_MAC_AGEING_TIME, limit);
  }

  @Test
  @DisplayName("An unknown MAC has no port")
  void unknownMacIsNull() {
    MacTable table = table(8);
    assertNull(table.lookup(MAC_A));
    assertEquals(0, table.size());
  }

  @Test
  @DisplayName("A learned MAC is found on its port")
  void learnThenLookup() {
    MacTable table = table(8);
    table.learn(MAC_A, port1);
    assertSame(port1, table.lookup(MAC_A));
    assertNull(table.lookup(MAC_B));
    assertEquals(1, table.size());
  }

  @Test
  @DisplayName("An entry is there at 299 s and gone at 300 s (IEEE 802.1D ageing time)")
  void entryAgesOutAtExactlyThreeHundredSeconds() {
    MacTable table = table(8);
    table.learn(MAC_A, port1);
    clock.advanceSeconds(299);
    assertSame(port1, table.lookup(MAC_A));
    clock.now += SECOND - 1;
    assertSame(port1, table.lookup(MAC_A), "one nanosecond before 300 s");
    clock.now += 1;
    assertNull(table.lookup(MAC_A), "aged at 300 s: frames to it are flooded");
    assertEquals(0, table.size(), "the aged entry is removed, not only hidden");
  }

  @Test
  @DisplayName("Each frame from a MAC restarts its ageing")
  void learningAgainRefreshes() {
    MacTable table = table(8);
    table.learn(MAC_A, port1);
    clock.advanceSeconds(200);
    table.learn(MAC_A, port1);
    clock.advanceSeconds(200);
    assertSame(port1, table.lookup(MAC_A), "400 s after the first frame, 200 s after the last");
    clock.advanceSeconds(100);
    assertNull(table.lookup(MAC_A));
  }

  @Test
  @DisplayName("A lookup does not refresh an entry: only frames from the MAC do")
  void lookupDoesNotRefresh() {
    MacTable table = table(8);
    table.learn(MAC_A, port1);
    for (int i = 0; i < 29; i++) {
      clock.advanceSeconds(10);
      assertSame(port1, table.lookup(MAC_A));
    }
    clock.advanceSeconds(10);
    assertNull(table.lookup(MAC_A));
  }

  @Test
  @DisplayName("Learning removes every aged entry, without a lookup of them")
  void learnSweepsAgedEntries() {
    MacTable table = table(8);
    table.learn(MAC_A, port1);
    table.learn(MAC_B, port1);
    clock.advanceSeconds(100);
    table.learn(MAC_C, port2);
    clock.advanceSeconds(200);
    table.learn(MAC_C, port2);
    assertEquals(1, table.size(), "A and B aged out at 300 s, C was refreshed");
    assertSame(port2, table.lookup(MAC_C));
  }

  @Test
  @DisplayName("A full table refuses new MACs and counts them; known MACs still refresh and move")
  void limitRefusesAndCounts() {
    MacTable table = table(2);
    table.learn(MAC_A, port1);
    table.learn(MAC_B, port1);
    table.learn(MAC_C, port2);
    table.learn(MAC_C, port2);
    assertNull(table.lookup(MAC_C), "not learned: frames to it are flooded");
    assertEquals(2, table.refusedLearns());
    assertEquals(2, table.size());
    table.learn(MAC_A, port2);
    assertSame(port2, table.lookup(MAC_A), "a known MAC moves even when the table is full");
    assertSame(port1, table.lookup(MAC_B), "nothing held was evicted for the newcomer");
    assertEquals(2, table.refusedLearns());
  }

  @Test
  @DisplayName("Once entries age out a full table learns again")
  void agedEntriesMakeRoom() {
    MacTable table = table(2);
    table.learn(MAC_A, port1);
    clock.advanceSeconds(10);
    table.learn(MAC_B, port1);
    clock.advanceSeconds(290);
    table.learn(MAC_C, port2);
    assertSame(port2, table.lookup(MAC_C), "A aged out at 300 s, which made room for C");
    assertNull(table.lookup(MAC_A));
    assertSame(port1, table.lookup(MAC_B));
    assertEquals(0, table.refusedLearns());
  }

  @Test
  @DisplayName("A MAC seen on another port moves there")
  void movedMacUpdates() {
    MacTable table = table(8);
    table.learn(MAC_A, port1);
    table.learn(MAC_A, port2);
    assertSame(port2, table.lookup(MAC_A));
    assertEquals(1, table.size());
  }

  @Test
  @DisplayName("forget removes the entries of a port and only those")
  void forgetRemovesThePortsEntries() {
    MacTable table = table(8);
    table.learn(MAC_A, port1);
    table.learn(MAC_B, port2);
    table.learn(MAC_C, port1);
    table.forget(port1);
    assertNull(table.lookup(MAC_A));
    assertNull(table.lookup(MAC_C));
    assertSame(port2, table.lookup(MAC_B));
    assertEquals(1, table.size());
    table.learn(MAC_A, port2);
    table.learn(MAC_C, port2);
    assertEquals(3, table.size(), "the list stays consistent after removals from its middle");
    clock.advanceSeconds(300);
    assertEquals(0, table.size());
  }

  @Test
  @DisplayName("The ageing time and the limit must be positive")
  void rejectsNonPositiveSettings() {
    assertThrows(IllegalArgumentException.class, () -> new MacTable(clock, Duration.ZERO, 8));
    assertThrows(
        IllegalArgumentException.class,
        () -> new MacTable(clock, SwitchSettings.DEFAULT_MAC_AGEING_TIME, 0));
  }
}
