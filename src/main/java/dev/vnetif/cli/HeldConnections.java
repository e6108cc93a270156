package dev.vnetif.cli;

import static dev.vnetif.cli.BenchPayloads.await;

import dev.vnetif.cli.BenchTransport.MemoryResult;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The memory workload's procedure, the same over both transports: heap after a full collection;
 * connections opened {@code window} at a time in a sliding window (a new one starts as soon as the
 * oldest is open, so 100,000 cost their CPU time, not the sum of their round trips) and held; heap
 * again; then every connection closed, as many at a time, and the closes awaited.
 *
 * <p>When opening fails (Pekko out of file descriptors), the connections already open are closed
 * before the failure is reported, so that the next workload starts with the descriptors back.
 */
final class HeldConnections {
  /** Closes in flight at once: closing is cheaper than opening, and unbounded it floods. */
  private static final int CLOSING_AT_ONCE = 256;

  /**
   * One connection opening longer than this is a stall, not a slow machine: a side out of a
   * resource (a server that cannot accept) can leave its clients waiting for good.
   */
  private static final Duration STALL = Duration.ofSeconds(60);

  private HeldConnections() {}

  static <T> MemoryResult measure(
      String transport,
      int connections,
      int window,
      Duration deadline,
      IntFunction<CompletionStage<T>> open,
      Function<T, CompletionStage<?>> close)
      throws InterruptedException {
    long end = WallClock.nanos() + deadline.toNanos();
    long before = heapAfterFullGc();
    List<T> held = new ArrayList<>(connections);
    long openStart = WallClock.nanos();
    ArrayDeque<CompletionStage<T>> opening = new ArrayDeque<>();
    try {
      int next = 0;
      while (held.size() < connections) {
        while (next < connections && opening.size() < window) {
          opening.add(open.apply(next++));
        }
        Duration left = left(end);
        held.add(
            await(
                opening.poll(),
                left.compareTo(STALL) < 0 ? left : STALL,
                "memory over " + transport + ": opening",
                () -> held.size() + " of " + connections + " open"));
      }
    } catch (RuntimeException e) {
      int openBeforeFailure = held.size();
      // Those still opening are closed too: a late one would keep its descriptor.
      for (CompletionStage<T> late : opening) {
        try {
          held.add(late.toCompletableFuture().get(5, TimeUnit.SECONDS));
        } catch (ExecutionException | TimeoutException failedOrStuck) {
          // nothing open to close
        }
      }
      try {
        closeAll(transport, held, close, end);
      } catch (BenchFailure closing) {
        e.addSuppressed(closing);
      }
      throw new BenchFailure(
          "memory over "
              + transport
              + ": "
              + connections
              + " connections could not be held open, failed after "
              + openBeforeFailure
              + ": "
              + e.getMessage(),
          e,
          String.format(Locale.ROOT, "%s at %,d", BenchFailure.reason(e), openBeforeFailure));
    }
    long openNanos = WallClock.nanos() - openStart;
    long heldHeap = heapAfterFullGc();
    closeAll(transport, held, close, end);
    return new MemoryResult(connections, before, heldHeap, openNanos);
  }

  private static <T> void closeAll(
      String transport, List<T> held, Function<T, CompletionStage<?>> close, long end)
      throws InterruptedException {
    List<T> all = held;
    ArrayDeque<CompletionStage<?>> closing = new ArrayDeque<>();
    int closed = 0;
    for (T connection : all) {
      if (closing.size() >= CLOSING_AT_ONCE) {
        awaitClose(transport, closing.poll(), closed++, all.size(), end);
      }
      closing.add(close.apply(connection));
    }
    while (!closing.isEmpty()) {
      awaitClose(transport, closing.poll(), closed++, all.size(), end);
    }
  }

  private static void awaitClose(
      String transport, CompletionStage<?> c, int soFar, int total, long end)
      throws InterruptedException {
    await(
        c,
        left(end),
        "memory over " + transport + ": closing",
        () -> soFar + " of " + total + " closed");
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
    return Duration.ofNanos(Math.max(1_000_000, endNanos - WallClock.nanos()));
  }
}
