package dev.vnetif.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Two Tcbs back to back through a seeded lossy, duplicating, reordering link in virtual time: for
 * every seed each side reads exactly what the other wrote, and the run ends with both sides closed
 * normally.
 */
class TcbPairPropertyTest {
  static final int MIB = 1 << 20;
  static final long SECOND = 1_000_000_000L;

  /** Base seed; override with -Dvnetif.tcb.seed=N to replay one run. */
  static final long BASE_SEED = Long.getLong("vnetif.tcb.seed", 20261125L);

  static final int SEEDS = Integer.getInteger("vnetif.tcb.seeds", 200);

  static void transfer(long seed, TcbPairSimulation.Link link, int bytes) {
    TcbPairSimulation sim = new TcbPairSimulation(seed, link, bytes, 6000);
    TcpConfig config = TcpConfig.defaults().withMsl(SECOND);
    TcbPairSimulation.Result r = sim.run(config, config, 3_600 * SECOND, 5_000_000);
    String replay =
        "seed "
            + seed
            + " (replay: -Dvnetif.tcb.seed="
            + seed
            + " -Dvnetif.tcb.seeds=1): "
            + r.why();
    assertTrue(r.finished(), replay);
    assertArrayEquals(sim.a.toWrite, r.receivedByB(), "B read what A wrote; " + replay);
    assertArrayEquals(sim.b.toWrite, r.receivedByA(), "A read what B wrote; " + replay);
    assertEquals(CloseReason.NORMAL, sim.a.closed, replay);
    assertEquals(CloseReason.NORMAL, sim.b.closed, replay);
    assertLinkWasHostile(r, replay);
  }

  /**
   * The run proves nothing if the faults never fired: a bug that made the link clean would let
   * every seed pass. With ~3000 segments a run, each fault is all but certain per seed (no loss at
   * 2% has probability ~e^-60, no duplicate at 1% ~e^-30), and a lost data segment must have been
   * retransmitted.
   */
  static void assertLinkWasHostile(TcbPairSimulation.Result r, String replay) {
    TcbPairSimulation.LinkCounts link = r.link();
    String what = link + "; " + replay;
    assertTrue(link.lost() > 0, "the link lost nothing: " + what);
    assertTrue(link.duplicated() > 0, "the link duplicated nothing: " + what);
    assertTrue(link.reordered() > 0, "the link reordered nothing: " + what);
    assertEquals(
        link.sent() - link.lost() + link.duplicated(),
        link.delivered() + link.undelivered(),
        "lost copies must not arrive: " + what);
    long retransmitted = r.statsA().retransmittedSegments() + r.statsB().retransmittedSegments();
    assertTrue(retransmitted > 0, "no retransmission over a lossy link: " + what);
  }

  @TestFactory
  @DisplayName("1 MiB each way over a lossy (2%), duplicating (1%), reordering link, per seed")
  Stream<DynamicTest> lossyReorderingLink() {
    TcbPairSimulation.Link link = new TcbPairSimulation.Link(0.02, 0.01, 1_000_000, 6_000_000);
    return LongStream.range(BASE_SEED, BASE_SEED + SEEDS)
        .mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> transfer(seed, link, MIB)));
  }

  @Test
  @DisplayName("a clean link moves 1 MiB each way with no retransmission")
  void cleanLink() {
    TcbPairSimulation sim =
        new TcbPairSimulation(7, new TcbPairSimulation.Link(0, 0, 500_000, 500_000), MIB, 16384);
    TcpConfig config = TcpConfig.defaults().withMsl(SECOND);
    TcbPairSimulation.Result r = sim.run(config, config, 600 * SECOND, 1_000_000);
    assertTrue(r.finished(), r.why());
    assertArrayEquals(sim.a.toWrite, r.receivedByB());
    assertArrayEquals(sim.b.toWrite, r.receivedByA());
    assertEquals(0, r.statsA().retransmittedSegments(), r.statsA().toString());
    assertEquals(0, r.statsB().retransmittedSegments(), r.statsB().toString());
    // The counters themselves: a clean link with a fixed delay does nothing to segments.
    TcbPairSimulation.LinkCounts link = r.link();
    assertEquals(new TcbPairSimulation.LinkCounts(link.sent(), 0, 0, 0, link.sent(), 0), link);
    assertEquals(r.statsA().segmentsSent() + r.statsB().segmentsSent(), link.sent());
  }
}
