package dev.vnetif.cli;

import dev.vnetif.cli.BenchTransport.MemoryResult;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * Connections held open at once, the heap they take (both ends, after full collections). A side
 * that cannot hold them all (Pekko's sockets run out of file descriptors long before 100,000) says
 * at how many it failed; a side whose heap is too small for the count is refused up front with the
 * heap to ask for, rather than dying of an OutOfMemoryError that would take the other side along.
 */
final class MemoryWorkload implements BenchWorkload {
  /**
   * Heap assumed per connection (both ends) when checking that a count fits, with room to spare:
   * measured 8.7-10.1 KiB over the virtual network (9.6 with 100,000) and 11.5-16.2 KiB over Pekko
   * with 2,000.
   */
  static final long ASSUMED_BYTES_EACH = 14 * 1024;

  /** The warm-up holds a quarter of the count, at most this many. */
  private static final int MAX_WARMUP = 2_000;

  private final int connections;

  MemoryWorkload(int connections) {
    this.connections = connections;
  }

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public void run(List<BenchTransport> sides, BenchReport report, PrintWriter err)
      throws Exception {
    List<Attempt<MemoryResult>> r =
        BenchWorkload.overEachSide(name(), sides, report, err, side -> measure(side, report));
    report.add(
        BenchWorkload.row(
            "memory per connection (KiB)", r, MemoryResult::kibPerConnection, false, "%.1f"));
  }

  private MemoryResult measure(BenchTransport side, BenchReport report) throws Exception {
    checkHeap(connections, Runtime.getRuntime().maxMemory());
    int warmup = Math.max(20, Math.min(MAX_WARMUP, connections / 4));
    side.heldConnections(warmup, BenchWorkload.countDeadline(warmup, 20));
    MemoryResult result =
        side.heldConnections(connections, BenchWorkload.countDeadline(connections, 20));
    report.note(
        String.format(
            Locale.ROOT,
            "memory over %s: %,d connections held open (one byte echoed on each; opened in"
                + " %.1f s), heap %.1f -> %.1f MiB after full GCs; JVM heap only;"
                + " warm-up %,d",
            side.name(),
            connections,
            result.openNanos() / 1e9,
            result.heapBefore() / (double) BulkWorkload.MIB,
            result.heapHeld() / (double) BulkWorkload.MIB,
            warmup));
    return result;
  }

  /**
   * Refuses a count the heap cannot hold, naming the heap it needs.
   *
   * @throws BenchFailure when {@code connections} would need more than {@code maxHeap}
   */
  static void checkHeap(int connections, long maxHeap) {
    long needed = connections * ASSUMED_BYTES_EACH + 256 * BulkWorkload.MIB;
    if (needed > maxHeap) {
      long gib = (needed + (1L << 30) - 1) >> 30;
      throw new BenchFailure(
          String.format(
              Locale.ROOT,
              "%,d connections need about %d MiB of heap, the JVM has %d MiB: run java -Xmx%dg",
              connections,
              needed >> 20,
              maxHeap >> 20,
              gib),
          null,
          String.format(Locale.ROOT, "needs -Xmx%dg", gib));
    }
  }
}
