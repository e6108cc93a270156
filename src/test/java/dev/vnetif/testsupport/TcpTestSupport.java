package dev.vnetif.testsupport;

import dev.vnetif.NetworkConfig;
import dev.vnetif.ReadResult;
import dev.vnetif.Stack;
import dev.vnetif.TcpFlow;
import dev.vnetif.time.VirtualTime;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.util.ByteString;

/**
 * Helpers for TCP integration tests over a virtual network: bounded waits on stages and conditions
 * (never {@code Thread.sleep}), SHA-256 of what was written and read, seeded random payloads, and
 * asynchronous read/write loops that do not grow the stack when stages complete synchronously.
 */
public final class TcpTestSupport {
  /** How often {@link #awaitCondition} looks again. */
  private static final long POLL_MILLIS = 5;

  private TcpTestSupport() {}

  // ------------------------------------------------------------ waiting

  /** The stage's value within {@code timeout}, else an AssertionError naming {@code what}. */
  public static <T> T await(CompletionStage<T> stage, Duration timeout, String what) {
    try {
      return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(what + ": did not complete within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(what + ": interrupted", e);
    } catch (ExecutionException e) {
      throw new CompletionException(what + " failed: " + e.getCause(), e.getCause());
    }
  }

  /**
   * The exception the stage fails with within {@code timeout}; an AssertionError if it succeeds.
   */
  public static Throwable failureOf(CompletionStage<?> stage, Duration timeout, String what) {
    Object value;
    try {
      value = stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(
          what + ": expected a failure within " + timeout + ", but the stage is still pending", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(what + ": interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      while (cause instanceof CompletionException && cause.getCause() != null) {
        cause = cause.getCause();
      }
      return cause;
    }
    throw new AssertionError(what + ": expected a failure, but it completed with " + value);
  }

  /**
   * Waits until {@code condition} holds, looking every few milliseconds from a scheduled stage (the
   * calling thread blocks on the stage with a timeout, it does not sleep).
   */
  public static void awaitCondition(
      BooleanSupplier condition, Duration timeout, Supplier<String> what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Executor later = CompletableFuture.delayedExecutor(POLL_MILLIS, TimeUnit.MILLISECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeout + " waiting until " + what.get());
      }
      CompletableFuture.runAsync(() -> {}, later).join();
    }
  }

  /** A stage that completes after {@code delay} (a timer, not a sleeping thread). */
  public static CompletionStage<Void> after(Duration delay) {
    return CompletableFuture.runAsync(
        () -> {}, CompletableFuture.delayedExecutor(delay.toNanos(), TimeUnit.NANOSECONDS));
  }

  /**
   * A stage that completes after {@code delay} on the system's scheduler: real time on a real-time
   * system, virtual time on one in virtual time (where {@link #after(Duration)} would wait for the
   * wall clock while the simulation stands still).
   */
  public static CompletionStage<Void> after(ActorSystem<?> system, Duration delay) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    system.scheduler().scheduleOnce(delay, () -> done.complete(null), system.executionContext());
    return done;
  }

  /** Nanoseconds as the system's network clock reads them: virtual time on a simulation. */
  public static LongSupplier nanoClock(ActorSystem<?> system) {
    return VirtualTime.find(system)
        .<LongSupplier>map(t -> t.clock()::nanoTime)
        .orElse(System::nanoTime);
  }

  // ------------------------------------------------------------ networks

  /** The test kit's configuration with the TIME_WAIT of every connection cut to 2·{@code msl}. */
  public static NetworkConfig withMsl(ActorSystem<?> system, Duration msl) {
    NetworkConfig base = NetworkConfig.fromConfig(system.settings().config());
    return base.withTcp(base.tcp().withMsl(msl.toNanos()));
  }

  public static InetSocketAddress endpoint(Stack host, int port) {
    return new InetSocketAddress(host.address(), port);
  }

  // ------------------------------------------------------------ data

  public static byte[] randomBytes(long seed, int length) {
    byte[] data = new byte[length];
    new SplittableRandom(seed).nextBytes(data);
    return data;
  }

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String sha256Hex(byte[] data) {
    return HexFormat.of().formatHex(sha256().digest(data));
  }

  public static String hex(byte[] digest) {
    return HexFormat.of().formatHex(digest);
  }

  public static void update(MessageDigest sha, ByteString data) {
    for (ByteBuffer b : data.getByteBuffers()) {
      sha.update(b);
    }
  }

  // ------------------------------------------------------------ loops

  /**
   * Runs {@code step} until its stage yields false. Stages that are already complete are looped
   * over, not chained, so a long run does not deepen the stack.
   */
  public static CompletionStage<Void> loop(Supplier<CompletionStage<Boolean>> step) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    new Object() {
      void next() {
        while (true) {
          CompletableFuture<Boolean> f;
          try {
            f = step.get().toCompletableFuture();
          } catch (RuntimeException e) {
            done.completeExceptionally(e);
            return;
          }
          if (f.isDone() && !f.isCompletedExceptionally()) {
            if (!f.join()) {
              done.complete(null);
              return;
            }
            continue;
          }
          f.whenComplete(
              (more, error) -> {
                if (error != null) {
                  done.completeExceptionally(
                      error instanceof CompletionException ce && ce.getCause() != null
                          ? ce.getCause()
                          : error);
                } else if (more) {
                  next();
                } else {
                  done.complete(null);
                }
              });
          return;
        }
      }
    }.next();
    return done;
  }

  /** What one side read until Eof: the byte count, their SHA-256, and how many reads it took. */
  public record ReadSummary(long bytes, byte[] sha256, long reads) {
    public String hex() {
      return TcpTestSupport.hex(sha256);
    }
  }

  /** Reads until Eof, hashing everything. */
  public static CompletionStage<ReadSummary> readAll(TcpFlow flow) {
    return readAll(flow, r -> CompletableFuture.completedFuture(null));
  }

  /**
   * Reads until Eof, hashing everything; before each next read, waits for the stage {@code
   * beforeNextRead} returns, given the bytes read so far (a reader that pauses).
   */
  public static CompletionStage<ReadSummary> readAll(
      TcpFlow flow, Function<Long, CompletionStage<?>> beforeNextRead) {
    MessageDigest sha = sha256();
    AtomicLong bytes = new AtomicLong();
    AtomicLong reads = new AtomicLong();
    return loop(() ->
            flow.read()
                .thenCompose(
                    r -> {
                      if (r instanceof ReadResult.Data d) {
                        update(sha, d.data());
                        long soFar = bytes.addAndGet(d.data().length());
                        reads.incrementAndGet();
                        return beforeNextRead.apply(soFar).thenApply(x -> true);
                      }
                      return CompletableFuture.completedFuture(false);
                    }))
        .thenApply(v -> new ReadSummary(bytes.get(), sha.digest(), reads.get()));
  }

  /** Reads until Eof and returns everything, for responses small enough to hold. */
  public static CompletionStage<ByteString> readToEof(TcpFlow flow) {
    ByteString[] got = {ByteString.emptyByteString()};
    return loop(() ->
            flow.read()
                .thenApply(
                    r -> {
                      if (r instanceof ReadResult.Data d) {
                        got[0] = got[0].concat(d.data());
                        return true;
                      }
                      return false;
                    }))
        .thenApply(v -> got[0]);
  }

  /** Reads until exactly {@code length} bytes arrived (fails on an early Eof). */
  public static CompletionStage<ByteString> readExactly(TcpFlow flow, int length) {
    ByteString[] got = {ByteString.emptyByteString()};
    return loop(() -> {
          if (got[0].length() >= length) {
            return CompletableFuture.completedFuture(false);
          }
          return flow.read()
              .thenApply(
                  r -> {
                    if (r instanceof ReadResult.Data d) {
                      got[0] = got[0].concat(d.data());
                      return true;
                    }
                    throw new AssertionError(
                        "Eof after " + got[0].length() + " of " + length + " bytes");
                  });
        })
        .thenApply(v -> got[0]);
  }

  /** What a write loop saw: the longest single write, and the time for all of them. */
  public record WriteSummary(long writes, long maxStallNanos, long totalNanos) {
    public Duration maxStall() {
      return Duration.ofNanos(maxStallNanos);
    }
  }

  /**
   * Writes {@code data} in {@code chunk}-byte writes, each issued when the previous one completed,
   * timing each write from call to completion.
   */
  public static CompletionStage<WriteSummary> writeAll(TcpFlow flow, byte[] data, int chunk) {
    return writeAll(
        flow, data.length, chunk, (offset, n) -> ByteString.fromArray(data, (int) offset, n));
  }

  /**
   * Writes {@code data} in {@code chunk}-byte writes keeping up to {@code depth} of them
   * outstanding (as an application that does not wait for each write would), completing when all of
   * them have completed. Write calls are issued in order from one thread at a time, so the bytes
   * reach the connection in order.
   */
  public static CompletionStage<WriteSummary> writePipelined(
      TcpFlow flow, byte[] data, int chunk, int depth) {
    long start = System.nanoTime();
    ArrayDeque<CompletableFuture<?>> inFlight = new ArrayDeque<>();
    long[] offset = {0};
    long[] writes = {0};
    return loop(() -> {
          if (inFlight.size() >= depth || (offset[0] >= data.length && !inFlight.isEmpty())) {
            return inFlight.pollFirst().thenApply(d -> true);
          }
          if (offset[0] >= data.length) {
            return CompletableFuture.completedFuture(false);
          }
          int n = (int) Math.min(chunk, data.length - offset[0]);
          inFlight.addLast(
              flow.write(ByteString.fromArray(data, (int) offset[0], n)).toCompletableFuture());
          offset[0] += n;
          writes[0]++;
          return CompletableFuture.completedFuture(true);
        })
        .thenApply(v -> new WriteSummary(writes[0], 0, System.nanoTime() - start));
  }

  /** Produces the bytes at {@code offset} for a write of {@code length}. */
  public interface Chunks {
    ByteString at(long offset, int length);
  }

  /** Like {@link #writeAll(TcpFlow, byte[], int)} for data produced on demand. */
  public static CompletionStage<WriteSummary> writeAll(
      TcpFlow flow, long total, int chunk, Chunks chunks) {
    return writeAll(flow, total, chunk, chunks, System::nanoTime);
  }

  /** Like {@link #writeAll(TcpFlow, long, int, Chunks)}, timing the writes by {@code clock}. */
  public static CompletionStage<WriteSummary> writeAll(
      TcpFlow flow, long total, int chunk, Chunks chunks, LongSupplier clock) {
    long start = clock.getAsLong();
    long[] offset = {0};
    long[] writes = {0};
    long[] maxStall = {0};
    return loop(() -> {
          if (offset[0] >= total) {
            return CompletableFuture.completedFuture(false);
          }
          int n = (int) Math.min(chunk, total - offset[0]);
          ByteString piece = chunks.at(offset[0], n);
          offset[0] += n;
          long issued = clock.getAsLong();
          return flow.write(piece)
              .thenApply(
                  done -> {
                    maxStall[0] = Math.max(maxStall[0], clock.getAsLong() - issued);
                    writes[0]++;
                    return true;
                  });
        })
        .thenApply(v -> new WriteSummary(writes[0], maxStall[0], clock.getAsLong() - start));
  }

  /**
   * What a slow-reader run saw (mirage-tcpip's "slow reader" scenario).
   *
   * @param bytes bytes the writer wrote
   * @param writtenSha SHA-256 of what the writer wrote
   * @param read what the reader got
   * @param writes the writer's longest single write and total time
   * @param pauses pause points the reader passed ({@link ReaderPauses})
   * @param paused the reader's pauses, added up
   * @param nanos from the first write to both sides closed
   * @param writer the writer's flow, for its stats in failure messages
   * @param reader the reader's flow (completed when the listener accepted it)
   */
  public record SlowReaderResult(
      long bytes,
      String writtenSha,
      ReadSummary read,
      WriteSummary writes,
      long pauses,
      Duration paused,
      long nanos,
      TcpFlow writer,
      CompletableFuture<TcpFlow> reader) {
    public boolean intact() {
      return read.bytes() == bytes && read.hex().equals(writtenSha);
    }

    public String describe() {
      return String.format(
          "%d bytes in %d writes, %.1f MB/s; reader: %d bytes in %d reads, "
              + "%d pauses (%d ms in all); max write stall %d ms; sha written %s read %s%n"
              + "writer %s%nreader %s",
          bytes,
          writes.writes(),
          mbPerSecond(bytes, nanos),
          read.bytes(),
          read.reads(),
          pauses,
          paused.toMillis(),
          writes.maxStall().toMillis(),
          writtenSha,
          read.hex(),
          writer.stats(),
          reader.isDone() ? reader.join().stats() : "not accepted");
    }
  }

  /** The pause schedule {@link #slowReader} uses: one pause per chunk / p bytes on average. */
  public static ReaderPauses slowReaderPauses(
      int chunk, long seed, double pauseProbability, Duration minPause, Duration maxPause) {
    return new ReaderPauses(
        seed ^ 0x5DEECE66DL, slowReaderPauseGap(chunk, pauseProbability), minPause, maxPause);
  }

  /** How many times {@link #slowReader} pauses over {@code total} bytes with this seed. */
  public static long slowReaderPauseCount(
      long total, int chunk, long seed, double pauseProbability) {
    return ReaderPauses.pointsWithin(
        seed ^ 0x5DEECE66DL, slowReaderPauseGap(chunk, pauseProbability), total);
  }

  private static long slowReaderPauseGap(int chunk, double pauseProbability) {
    if (pauseProbability <= 0 || pauseProbability > 1) {
      throw new IllegalArgumentException(
          "pause probability must be in (0, 1], got " + pauseProbability);
    }
    return Math.max(2, Math.round(chunk / pauseProbability));
  }

  /**
   * {@code client} connects to {@code server}:{@code port} and writes {@code total} seeded random
   * bytes in {@code chunk}-byte writes, then closes; the server reads to Eof, then closes. The
   * reader pauses as if a fraction {@code pauseProbability} of chunk-sized reads paused — once per
   * {@code chunk / pauseProbability} bytes on average, at byte offsets drawn from the seed (see
   * {@link ReaderPauses}) — for a time within [{@code minPause}, {@code maxPause}] each (a timer of
   * {@code system}'s scheduler completes the next read later). Times are read from the system's
   * clock: virtual time on a system in virtual time. Completes when both sides have closed.
   */
  public static CompletionStage<SlowReaderResult> slowReader(
      ActorSystem<?> system,
      Stack server,
      Stack client,
      int port,
      long total,
      int chunk,
      long seed,
      double pauseProbability,
      Duration minPause,
      Duration maxPause) {
    ReaderPauses pauses = slowReaderPauses(chunk, seed, pauseProbability, minPause, maxPause);
    CompletableFuture<TcpFlow> accepted = new CompletableFuture<>();
    CompletableFuture<ReadSummary> readerDone = new CompletableFuture<>();
    server
        .tcp()
        .listen(
            port,
            flow -> {
              accepted.complete(flow);
              CompletionStage<ReadSummary> read =
                  readAll(
                      flow,
                      bytesRead -> {
                        Duration pause = pauses.pauseAfter(bytesRead);
                        return pause.isZero()
                            ? CompletableFuture.completedFuture(null)
                            : after(system, pause);
                      });
              return read.thenCompose(
                      summary ->
                          flow.close()
                              .thenApply(
                                  d -> {
                                    readerDone.complete(summary);
                                    return d;
                                  }))
                  .whenComplete(
                      (d, e) -> {
                        if (e != null) {
                          readerDone.completeExceptionally(e);
                        }
                      });
            });
    LongSupplier clock = nanoClock(system);
    SplittableRandom data = new SplittableRandom(seed);
    MessageDigest written = sha256();
    byte[] buffer = new byte[chunk];
    return client
        .tcp()
        .createConnection(endpoint(server, port))
        .thenCompose(
            flow -> {
              long start = clock.getAsLong();
              Chunks chunks =
                  (offset, n) -> {
                    byte[] piece = n == buffer.length ? buffer : new byte[n];
                    data.nextBytes(piece);
                    written.update(piece);
                    return ByteString.fromArray(piece); // copies: the buffer is reused
                  };
              return writeAll(flow, total, chunk, chunks, clock)
                  .thenCompose(w -> flow.close().thenApply(d -> w))
                  .thenCompose(
                      w ->
                          readerDone.thenApply(
                              r ->
                                  new SlowReaderResult(
                                      total,
                                      hex(written.digest()),
                                      r,
                                      w,
                                      pauses.passed(),
                                      pauses.paused(),
                                      clock.getAsLong() - start,
                                      flow,
                                      accepted)));
            });
  }

  /** Megabytes (10^6 bytes) per second. */
  public static double mbPerSecond(long bytes, long nanos) {
    return bytes / 1e6 / (nanos / 1e9);
  }
}
