package dev.vnetif.cli;

import static dev.vnetif.cli.BenchPayloads.await;

import dev.vnetif.cli.BenchTransport.MemoryResult;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The memory workload's procedure, the same over both transports: heap after a full collection;
 * connections opened a wave of {@link BenchTransport#OPENING_AT_ONCE} at a time and held; heap
 * again; then every connection closed and the closes awaited.
 */
final class HeldConnections {
  private HeldConnections() {}

  static <T> MemoryResult measure(
      String transport,
      int connections,
      Duration deadline,
      IntFunction<CompletionStage<T>> open,
      Function<T, CompletionStage<?>> close)
      throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    long before = heapAfterFullGc();
    List<T> held = new ArrayList<>(connections);
    for (int first = 0; first < connections; first += BenchTransport.OPENING_AT_ONCE) {
      List<CompletionStage<T>> wave = new ArrayList<>();
      for (int i = first; i < Math.min(connections, first + BenchTransport.OPENING_AT_ONCE); i++) {
        wave.add(open.apply(i));
      }
      for (CompletionStage<T> opening : wave) {
        held.add(
            await(
                opening,
                left(end),
                "memory over " + transport + ": opening",
                () -> held.size() + " of " + connections + " open"));
      }
    }
    long heldHeap = heapAfterFullGc();
    List<CompletionStage<?>> closing = new ArrayList<>(connections);
    for (T connection : held) {
      closing.add(close.apply(connection));
    }
    int closed = 0;
    for (CompletionStage<?> c : closing) {
      int soFar = closed;
      await(
          c,
          left(end),
          "memory over " + transport + ": closing",
          () -> soFar + " of " + connections + " closed");
      closed++;
    }
    return new MemoryResult(connections, before, heldHeap);
  }

  /**
   * Heap in use once collections stop freeing anything (G1 runs System.gc() as a full,
   * stop-the-world collection; a few rounds let reference processing finish).
   */
  static long heapAfterFullGc() {
    long used = Long.MAX_VALUE;
    for (int round = 0; round < 5; round++) {
      System.gc();
      long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      if (now >= used) {
        return now;
      }
      used = now;
    }
    return used;
  }

  private static Duration left(long endNanos) {
    return Duration.ofNanos(Math.max(1_000_000, endNanos - System.nanoTime()));
  }
}
