package dev.vnetif.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.TcpFlowStats;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * A writer as fast as it can be against a reader that takes one element per 10 ms: backpressure
 * must hold the writer to what the buffers between them hold. Every chunk is made on demand with
 * its own bytes (a function of the stream offset), so a writer that ran ahead would show as bytes
 * made but not read and as heap, and the reader checks every byte it gets.
 */
final class SlowReaderRun {
  static final int CHUNK = 16 * 1024;
  static final int ELEMENTS = 20;
  static final Duration PER_ELEMENT = Duration.ofMillis(10);

  /** Stream buffers around the connections: a few chunks in flight between stages. */
  static final long STREAM_SLACK = 4L * CHUNK;

  /** What the heap may grow by besides the buffers: the JVM's and Pekko's own churn. */
  static final long HEAP_SLACK = 16L * 1024 * 1024;

  private final ContractTransport t;
  private final AtomicLong produced = new AtomicLong();
  private final AtomicLong consumed = new AtomicLong();
  private final AtomicLong maxHeld = new AtomicLong();
  private final AtomicInteger elements = new AtomicInteger();
  private final AtomicLong minReceiveWindow = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong minSendWindow = new AtomicLong(Long.MAX_VALUE);
  private final CompletableFuture<Done> enough = new CompletableFuture<>();
  private final AtomicLong mss = new AtomicLong(Long.MAX_VALUE);

  SlowReaderRun(ContractTransport t) {
    this.t = t;
  }

  record Result(
      ContractTransport transport,
      long maxHeld,
      long heapGrowth,
      long consumed,
      Optional<Long> minServerReceiveWindow,
      Optional<Long> minClientSendWindow,
      long mss) {

    void assertWithinBuffers() {
      long bound = transport.bufferedBytesBound();
      assertTrue(
          maxHeld <= bound + STREAM_SLACK,
          "the writer ran " + maxHeld + " bytes ahead of the reader; the buffers hold " + bound);
      assertTrue(
          heapGrowth <= bound + HEAP_SLACK,
          "the heap grew by " + heapGrowth + " bytes; the buffers hold " + bound);
      // Only the virtual connection shows its windows; there they must have closed: less than a
      // segment left, so the writer's TCP sends nothing (RFC 1122 §4.2.3.4).
      boolean virtual = transport instanceof VirtualTcpTransport;
      assertEquals(virtual, minServerReceiveWindow.isPresent(), "stats of " + transport);
      if (virtual) {
        assertTrue(
            minServerReceiveWindow.get() < mss,
            "the reader's receive window never closed: " + minServerReceiveWindow.get());
        assertTrue(
            minClientSendWindow.get() < mss,
            "the window offered to the writer never closed: " + minClientSendWindow.get());
      }
    }

    /** The figures, for the test's report. */
    Map<String, String> figures() {
      Map<String, String> figures = new LinkedHashMap<>();
      figures.put("bytes read", String.valueOf(consumed));
      figures.put("bytes written ahead of the reader, at most", String.valueOf(maxHeld));
      figures.put("buffers between them", String.valueOf(transport.bufferedBytesBound()));
      figures.put("heap growth", String.valueOf(heapGrowth));
      minServerReceiveWindow.ifPresent(w -> figures.put("reader's receive window, least", "" + w));
      minClientSendWindow.ifPresent(w -> figures.put("writer's send window, least", "" + w));
      return figures;
    }
  }

  Result run() {
    CompletableFuture<Tcp.IncomingConnection> accepted = new CompletableFuture<>();
    Tcp.ServerBinding binding =
        t.await(t.bind(0).to(Sink.foreach(accepted::complete)).run(t.system()));
    long heapBefore = usedHeap();

    Pair<UniqueKillSwitch, CompletionStage<Tcp.OutgoingConnection>> writer =
        Source.fromIterator(Chunks::new)
            .viaMat(KillSwitches.single(), Keep.right())
            .viaMat(t.outgoingConnection(binding.localAddress().getPort()), Keep.both())
            .to(Sink.ignore())
            .run(t.system());
    Tcp.IncomingConnection incoming = t.await(accepted);
    Tcp.OutgoingConnection outgoing = t.await(writer.second());

    UniqueKillSwitch reader =
        incoming
            .flow()
            .joinMat(
                Flow.fromSinkAndSourceMat(
                    Flow.<ByteString>create()
                        .viaMat(KillSwitches.single(), Keep.right())
                        .mapAsync(1, this::later)
                        .to(Sink.foreach(bytes -> took(bytes, incoming, outgoing))),
                    Source.<ByteString>maybe(),
                    Keep.left()),
                Keep.right())
            .run(t.system());

    t.await(enough);
    long heapGrowth = usedHeap() - heapBefore;
    RuntimeException over = new RuntimeException("the slow-reader run is over");
    reader.abort(over);
    writer.first().abort(over);
    t.await(binding.unbind());
    return new Result(
        t,
        maxHeld.get(),
        heapGrowth,
        consumed.get(),
        minimum(minReceiveWindow),
        minimum(minSendWindow),
        mss.get());
  }

  /** The element, 10 ms later on the transport's clock (the scheduler's, virtual or not). */
  private CompletionStage<ByteString> later(ByteString bytes) {
    return Patterns.after(
        PER_ELEMENT,
        t.system().classicSystem().scheduler(),
        t.system().executionContext(),
        () -> CompletableFuture.completedFuture(bytes));
  }

  /** The reader took one element: check its bytes, and sample what is held back. */
  private void took(ByteString bytes, Tcp.IncomingConnection in, Tcp.OutgoingConnection out) {
    long offset = consumed.get();
    for (int i = 0; i < bytes.size(); i++) {
      if (bytes.apply(i) != patternAt(offset + i)) {
        enough.completeExceptionally(
            new AssertionError("byte " + (offset + i) + " differs from what was written"));
        return;
      }
    }
    consumed.addAndGet(bytes.size());
    maxHeld.accumulateAndGet(produced.get() - consumed.get(), Math::max);
    t.stats(in).ifPresent(s -> mss.set(s.mss()));
    t.stats(in)
        .map(TcpFlowStats::receiveWindow)
        .ifPresent(w -> minReceiveWindow.accumulateAndGet(w, Math::min));
    t.stats(out)
        .map(TcpFlowStats::sendWindow)
        .ifPresent(w -> minSendWindow.accumulateAndGet(w, Math::min));
    if (elements.incrementAndGet() == ELEMENTS) {
      enough.complete(Done.getInstance());
    }
  }

  private static Optional<Long> minimum(AtomicLong sampled) {
    return sampled.get() == Long.MAX_VALUE ? Optional.empty() : Optional.of(sampled.get());
  }

  /** The byte at {@code offset} of the written stream: differs between neighbouring chunks. */
  static byte patternAt(long offset) {
    return (byte) (offset ^ (offset >>> 8) ^ (offset >>> 16) ^ (offset >>> 24));
  }

  /** Heap in use after a collection: what the run still holds. */
  private static long usedHeap() {
    Runtime runtime = Runtime.getRuntime();
    System.gc();
    System.gc();
    return runtime.totalMemory() - runtime.freeMemory();
  }

  /** Fresh chunks without end, each counted as produced when made. */
  private final class Chunks implements Iterator<ByteString> {
    private long offset;

    @Override
    public boolean hasNext() {
      return true;
    }

    @Override
    public ByteString next() {
      byte[] chunk = new byte[CHUNK];
      for (int i = 0; i < CHUNK; i++) {
        chunk[i] = patternAt(offset + i);
      }
      offset += CHUNK;
      produced.addAndGet(CHUNK);
      return ByteString.fromArrayUnsafe(chunk);
    }
  }
}
