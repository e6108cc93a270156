package dev.vnetif.cli;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.pekko.util.ByteString;

/**
 * What the bench sends and how it checks what arrives, shared by both transports so that they move
 * exactly the same bytes.
 */
final class BenchPayloads {
  /** Bytes per bulk write. */
  static final int CHUNK_SIZE = 64 * 1024;

  /** Bytes per ping-pong request (and echo). */
  static final int REQUEST_SIZE = 64;

  /** What the connection-rate workload exchanges. */
  static final ByteString ONE_BYTE = ByteString.fromArray(new byte[] {42});

  /**
   * Byte {@code i} of every bulk chunk is {@code i mod 251}: a prime period, so a piece that
   * arrives at the wrong stream offset (lost, duplicated, reordered) shows in its bytes.
   */
  static final ByteString CHUNK = chunk();

  private BenchPayloads() {}

  private static ByteString chunk() {
    byte[] bytes = new byte[CHUNK_SIZE];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i % 251);
    }
    return ByteString.fromArray(bytes);
  }

  /** Bulk write number {@code index} of a transfer of {@code total} bytes. */
  static ByteString bulkWrite(long index, long total) {
    long remaining = total - index * CHUNK_SIZE;
    return remaining >= CHUNK_SIZE ? CHUNK : CHUNK.take((int) remaining);
  }

  /** Number of bulk writes for {@code total} bytes. */
  static long bulkWrites(long total) {
    return (total + CHUNK_SIZE - 1) / CHUNK_SIZE;
  }

  /**
   * Checks the first and last byte of a received piece against where it sits in the stream (all of
   * it would cost the reader as much as the transport).
   *
   * @throws BenchFailure when either is not what was sent there
   */
  static void checkBulkPiece(ByteString piece, long streamOffset) {
    int first = (int) (streamOffset % CHUNK_SIZE) % 251;
    long lastOffset = streamOffset + piece.size() - 1;
    int last = (int) (lastOffset % CHUNK_SIZE) % 251;
    if ((piece.apply(0) & 0xff) != first || (piece.apply(piece.size() - 1) & 0xff) != last) {
      throw new BenchFailure(
          "bulk: wrong bytes at stream offset "
              + streamOffset
              + " (piece of "
              + piece.size()
              + " bytes)");
    }
  }

  /** Request {@code i}: its number, then bytes derived from it, so each echo is distinct. */
  static ByteString request(int i) {
    ByteBuffer buffer = ByteBuffer.allocate(REQUEST_SIZE);
    buffer.putInt(i);
    while (buffer.hasRemaining()) {
      buffer.put((byte) (i + buffer.position()));
    }
    return ByteString.fromArray(buffer.array());
  }

  /** Churn connection {@code i}'s request: {@link ChurnPlan#ECHO_BYTES} bytes derived from i. */
  static ByteString churnRequest(int i) {
    ByteBuffer buffer = ByteBuffer.allocate(ChurnPlan.ECHO_BYTES);
    buffer.putInt(i);
    while (buffer.hasRemaining()) {
      buffer.put((byte) (i * 31 + buffer.position()));
    }
    return ByteString.fromArrayUnsafe(buffer.array());
  }

  /** Checks that {@code echo} is request {@code i}. */
  static void checkEcho(ByteString echo, int i) {
    if (!echo.equals(request(i))) {
      throw new BenchFailure(
          "pingpong: round trip "
              + i
              + " echoed "
              + echo.size()
              + " bytes that differ from the request");
    }
  }

  /**
   * Waits for {@code stage}. A miss of the deadline or a failure becomes a {@link BenchFailure}
   * naming {@code what}, with {@code diagnostics} (e.g. flow state) appended on timeout.
   */
  static <T> T await(
      CompletionStage<T> stage, Duration deadline, String what, Supplier<String> diagnostics)
      throws InterruptedException {
    try {
      return stage.toCompletableFuture().get(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new BenchFailure(
          what + " did not finish within " + deadline.toSeconds() + " s; " + diagnostics.get());
    } catch (ExecutionException e) {
      throw failure(what, e.getCause());
    }
  }

  /**
   * {@code stage} as a plain {@link CompletableFuture} whose callbacks run where it completes. The
   * stages Pekko hands out (Scala's {@code FutureConverters}) turn {@code thenApply}, {@code
   * whenComplete}... into their {@code Async} forms, which on a machine with fewer than 3 cores
   * start a new thread per callback (the common pool has parallelism 1 there).
   */
  static <T> CompletableFuture<T> plain(CompletionStage<T> stage) {
    return CompletableFuture.<Void>completedFuture(null).thenCompose(v -> stage);
  }

  /** Completes {@code future} with {@code value}, or exceptionally with {@code error}. */
  static <T> void complete(CompletableFuture<T> future, T value, Throwable error) {
    if (error != null) {
      future.completeExceptionally(error);
    } else {
      future.complete(value);
    }
  }

  static BenchFailure failure(String what, Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof BenchFailure b) {
      return b;
    }
    return new BenchFailure(what + " failed: " + cause, cause);
  }
}
