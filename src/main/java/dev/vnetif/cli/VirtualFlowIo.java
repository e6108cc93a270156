package dev.vnetif.cli;

import dev.vnetif.ReadResult;
import dev.vnetif.TcpFlow;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.util.ByteString;

/**
 * How the bench drives a virtual {@link TcpFlow} the way an application would: every read and write
 * a {@code CompletionStage}, the next step chained on its completion, no thread blocked. Shared by
 * the workloads over the virtual network.
 */
final class VirtualFlowIo {
  /** Bulk writes in flight at once: 4 x 64 KiB fills the default 256 KiB send buffer. */
  static final int WRITES_IN_FLIGHT = 4;

  private VirtualFlowIo() {}

  /**
   * Writes {@code bytes} keeping {@link #WRITES_IN_FLIGHT} writes outstanding: each one that
   * completes (its data is in the send buffer) issues the next. Completes when the last write has;
   * fails with the first write that fails.
   *
   * <p>Completions arrive on any thread, so picking the next index and sending its write happen
   * under one lock: write() sends its message before it returns, and the flow's mailbox then holds
   * the writes in stream order.
   */
  static CompletableFuture<Done> writeAll(TcpFlow flow, long bytes) {
    long writes = BenchPayloads.bulkWrites(bytes);
    CompletableFuture<Done> written = new CompletableFuture<>();
    long[] next = {0};
    AtomicLong completed = new AtomicLong();
    Runnable[] issue = new Runnable[1];
    issue[0] =
        () -> {
          long index;
          CompletionStage<Done> write;
          synchronized (next) {
            index = next[0]++;
            if (index >= writes || written.isDone()) {
              return;
            }
            write = flow.write(BenchPayloads.bulkWrite(index, bytes));
          }
          write.whenComplete(
              (d, e) -> {
                if (e != null) {
                  written.completeExceptionally(BenchPayloads.failure("bulk: write " + index, e));
                } else if (completed.incrementAndGet() == writes) {
                  written.complete(Done.getInstance());
                } else {
                  issue[0].run();
                }
              });
        };
    for (int i = 0; i < WRITES_IN_FLIGHT; i++) {
      issue[0].run();
    }
    return written;
  }

  /** Reads to end of stream, checking each piece; completes with the byte count. */
  static void countToEnd(TcpFlow flow, long offset, CompletableFuture<Long> result) {
    flow.read()
        .whenComplete(
            (r, e) -> {
              if (e != null) {
                result.completeExceptionally(e);
              } else if (r instanceof ReadResult.Data d) {
                try {
                  BenchPayloads.checkBulkPiece(d.data(), offset);
                } catch (BenchFailure wrong) {
                  result.completeExceptionally(wrong);
                  flow.abort();
                  return;
                }
                countToEnd(flow, offset + d.data().size(), result);
              } else {
                result.complete(offset);
              }
            });
  }

  /** Writes back whatever arrives until end of stream, then closes. */
  static void echo(TcpFlow flow, CompletableFuture<Done> done) {
    flow.read()
        .whenComplete(
            (r, e) -> {
              if (e != null) {
                done.completeExceptionally(e);
              } else if (r instanceof ReadResult.Data d) {
                // The next read is queued behind the write, so the reply is not held up by its
                // answer.
                flow.write(d.data())
                    .whenComplete(
                        (w, we) -> {
                          if (we != null) {
                            done.completeExceptionally(we);
                          }
                        });
                echo(flow, done);
              } else {
                BenchPayloads.plain(flow.close())
                    .whenComplete((c, ce) -> BenchPayloads.complete(done, Done.getInstance(), ce));
              }
            });
  }

  /** Reads until {@code wanted} bytes have arrived; end of stream before that is a failure. */
  static void readExactly(
      TcpFlow flow, int wanted, ByteString sofar, CompletableFuture<ByteString> result) {
    flow.read()
        .whenComplete(
            (r, e) -> {
              if (e != null) {
                result.completeExceptionally(e);
              } else if (r instanceof ReadResult.Data d) {
                ByteString got = sofar.concat(d.data());
                if (got.size() > wanted) {
                  result.completeExceptionally(
                      new BenchFailure(
                          "read " + got.size() + " bytes where " + wanted + " were expected"));
                } else if (got.size() == wanted) {
                  result.complete(got);
                } else {
                  readExactly(flow, wanted, got, result);
                }
              } else {
                result.completeExceptionally(
                    new BenchFailure(
                        "end of stream after " + sofar.size() + " of " + wanted + " bytes"));
              }
            });
  }
}
