package dev.vnetif.cli;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.apache.pekko.Done;

/**
 * The worker loop of the connection-rate and churn workloads, the same over both transports: each
 * worker makes connections one after another (connection {@code i} by {@code
 * oneConnection.apply(i)}) until {@code connections} have been made in all; {@code done} completes
 * when the last worker finishes, or fails with the first error.
 */
final class ConnectionWorkers {
  private ConnectionWorkers() {}

  static void next(
      IntFunction<CompletionStage<Done>> oneConnection,
      int connections,
      AtomicInteger next,
      AtomicInteger workersLeft,
      CompletableFuture<Done> done) {
    if (done.isDone()) {
      return;
    }
    int index = next.getAndIncrement();
    if (index >= connections) {
      if (workersLeft.decrementAndGet() == 0) {
        done.complete(Done.getInstance());
      }
      return;
    }
    oneConnection
        .apply(index)
        .whenComplete(
            (d, e) -> {
              if (e != null) {
                done.completeExceptionally(BenchPayloads.failure("connection " + index, e));
              } else {
                next(oneConnection, connections, next, workersLeft, done);
              }
            });
  }
}
