package dev.vnetif.cli;

import dev.vnetif.ReadResult;
import dev.vnetif.TcpFlow;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/** Reads a flow to EOF, counting and hashing the bytes, without blocking a thread. */
final class PayloadReader {

  /** What was read: the byte count, its SHA-256, and when EOF came. */
  record Received(long bytes, byte[] sha256, long eofNanos) {}

  private final TcpFlow flow;
  private final AtomicLong progress;
  private final TrafficClock clock;
  private final MessageDigest sha = IperfEndpoint.sha256();
  private final CompletableFuture<Received> result = new CompletableFuture<>();
  private long bytes;

  private PayloadReader(TcpFlow flow, AtomicLong progress, TrafficClock clock) {
    this.flow = flow;
    this.progress = progress;
    this.clock = clock;
  }

  /**
   * Starts reading; the stage completes at EOF, or fails as the read did (reset, timeout). Every
   * byte read is also added to {@code progress}.
   */
  static CompletionStage<Received> start(TcpFlow flow, AtomicLong progress, TrafficClock clock) {
    PayloadReader reader = new PayloadReader(flow, progress, clock);
    reader.readNext();
    return reader.result;
  }

  /**
   * Reads until a read is still pending, then continues from its completion (a loop, not a
   * recursion, over reads that complete at once). Each step happens after the previous read's
   * completion, so the fields need no lock.
   */
  private void readNext() {
    while (true) {
      CompletableFuture<ReadResult> read = flow.read().toCompletableFuture();
      if (!read.isDone() || read.isCompletedExceptionally()) {
        read.whenComplete(
            (r, error) -> {
              if (accept(r, error)) {
                readNext();
              }
            });
        return;
      }
      if (!accept(read.join(), null)) {
        return;
      }
    }
  }

  /** Takes one read's outcome; true when there is more to read. */
  private boolean accept(ReadResult r, Throwable error) {
    if (error != null) {
      result.completeExceptionally(IperfEndpoint.unwrap(error));
      return false;
    }
    if (r instanceof ReadResult.Data data) {
      for (ByteBuffer b : data.data().getByteBuffers()) {
        sha.update(b);
      }
      bytes += data.data().size();
      progress.addAndGet(data.data().size());
      return true;
    }
    result.complete(new Received(bytes, sha.digest(), clock.nanos()));
    return false;
  }
}
