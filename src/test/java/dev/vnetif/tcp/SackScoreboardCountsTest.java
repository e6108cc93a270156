package dev.vnetif.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.vnetif.wire.SackBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The counts the scoreboard keeps for its fast paths (SACKed records, records SACKed, lost or sent
 * again, bytes held) agree with a scan of its records after every operation, over random runs of
 * sends, resends, ACKs with SACK and D-SACK blocks, IsLost marking, RACK marking and timeouts.
 */
class SackScoreboardCountsTest {
  static final int MSS = 1000;

  @Test
  void countsFollowEveryOperation() {
    for (long seed = 1; seed <= 200; seed++) {
      run(seed);
    }
  }

  private static void run(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    SackScoreboard board = new SackScoreboard();
    int base = random.nextInt(); // wraps around in some runs
    int una = base;
    int next = base;
    long now = 0;
    for (int step = 0; step < 400; step++) {
      now += random.nextInt(1, 1000);
      int op = random.nextInt(10);
      if (op < 4) { // new data, one or two segments
        int length = random.nextInt(1, 2 * MSS);
        board.sent(next, next + length, now);
        next += length;
      } else if (op == 4 && next != una) { // a resend of some range already sent
        int from = una + random.nextInt(next - una);
        int length = Math.min(next - from, random.nextInt(1, 2 * MSS));
        board.sent(from, from + length, now);
      } else if (op < 8 && next != una) { // an ACK, perhaps with SACK blocks
        int cum = una + random.nextInt(Math.min(next - una, 3 * MSS) + 1);
        List<SackBlock> blocks = new ArrayList<>();
        if (random.nextInt(5) == 0 && cum != una) {
          blocks.add(new SackBlock(una, cum)); // D-SACK below the cumulative ACK
        }
        for (int b = random.nextInt(4); b > 0 && next != cum; b--) {
          int left = cum + random.nextInt(next - cum);
          int right = left + random.nextInt(1, next - left + 1);
          blocks.add(new SackBlock(left, right));
        }
        board.onAck(cum, blocks, now);
        una = cum;
      } else if (op == 8) {
        board.markLostByDupThresh(MSS);
        if (!board.isEmpty() && random.nextBoolean()) {
          List<SackScoreboard.Segment> records = board.segments();
          board.markLost(records.get(random.nextInt(records.size())));
        }
      } else if (op == 9 && random.nextInt(4) == 0) {
        board.onTimeout();
      }
      board.checkCounts();
      if (board.allPlain()) {
        assertNull(board.nextSeg(true), "seed " + seed);
        long held = 0;
        for (SackScoreboard.Segment s : board.segments()) {
          held += s.length();
        }
        assertEquals(held, board.pipe(), "seed " + seed);
      }
    }
  }
}
