package dev.vnetif.cli;

import dev.vnetif.TcpFlow;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.util.ByteString;

/**
 * Writes a number of bytes of a {@link PseudoRandomPayload} to a flow in fixed-size writes and
 * hashes what it wrote. Writes are pipelined without blocking a thread: a bounded number are
 * outstanding, and each completion ({@link TcpFlow#write} completes as soon as the data fits the
 * send buffer) issues the next, so the buffer stays full while the stack drains it.
 */
final class PayloadWriter {
  /**
   * About this many bytes of writes are kept outstanding, a few times the send buffer. With a write
   * or two at a time the flow gets a few segments out per acknowledgment, and the receiver
   * acknowledges about every third; with writes queued behind the send buffer it sends bursts,
   * acknowledged together. Measured over 100 MiB in 3780-byte writes: 26,000 ACKs for 72,000
   * segments two writes at a time, about 1,800 from 256 KiB queued up. Warm throughput (~300 MB/s
   * on two cores) was the same within noise; on a loaded machine, and before asks completed on the
   * replying thread, the fewer ACKs gave two to three times it.
   */
  static final int QUEUED_BYTES = 1 << 20;

  /** Bounds the asks in flight when writes are tiny. */
  static final int MAX_OUTSTANDING_WRITES = 512;

  /** What was written: the byte count, its SHA-256, and when the first write was issued. */
  record Sent(long bytes, byte[] sha256, long startNanos) {}

  /** A writer under way: what it will have written, and how to make it stop early. */
  record Writing(CompletionStage<Sent> sent, Runnable stop) {}

  private final TcpFlow flow;
  private final PseudoRandomPayload payload;
  private final long total;
  private final int writeSize;
  private final int maxOutstanding;
  private final MessageDigest sha = IperfEndpoint.sha256();
  private final CompletableFuture<Sent> result = new CompletableFuture<>();
  private final AtomicInteger outstanding = new AtomicInteger();

  /** Bytes whose write completed (they are in the send buffer): what iperf's intervals count. */
  private final AtomicLong accepted;

  /** Set by {@link #stop}: issue no more writes; complete once the outstanding ones have. */
  private volatile boolean stopping;

  /** Requests to run {@link #issueWrites}; only the thread that raised it from 0 issues. */
  private final AtomicInteger issueRequests = new AtomicInteger();

  private long written;
  private long startNanos;

  private PayloadWriter(
      TcpFlow flow,
      PseudoRandomPayload payload,
      long total,
      int writeSize,
      int maxOutstanding,
      AtomicLong accepted) {
    this.flow = flow;
    this.accepted = accepted;
    this.payload = payload;
    this.total = total;
    this.writeSize = writeSize;
    this.maxOutstanding = maxOutstanding;
  }

  /**
   * Starts writing {@code total} bytes ({@link Long#MAX_VALUE}: until stopped); the stage completes
   * once the last write is in the send buffer (not yet acknowledged), or fails with the first
   * failed write. Each completed write adds its length to {@code accepted}.
   */
  static Writing start(
      TcpFlow flow,
      PseudoRandomPayload payload,
      long total,
      int writeSize,
      AtomicLong accepted,
      TrafficClock clock) {
    int window =
        Math.max(2, Math.min(MAX_OUTSTANDING_WRITES, (QUEUED_BYTES + writeSize - 1) / writeSize));
    PayloadWriter writer = new PayloadWriter(flow, payload, total, writeSize, window, accepted);
    writer.startNanos = clock.nanos();
    writer.issueWrites();
    return new Writing(writer.result, writer::stop);
  }

  /**
   * Stops a timed run: no write is issued after this, and the stage completes when those already
   * issued have (their bytes are part of the stream and of its digest). Any thread may call it.
   */
  private void stop() {
    stopping = true;
    issueWrites();
  }

  /**
   * Issues writes while fewer than the maximum are outstanding. One thread at a time does it, which
   * keeps the writes in order without a lock: a call that finds another thread (or an outer call on
   * this thread) issuing leaves a request that the issuer picks up before it stops. A write that
   * completes at once thus loops here instead of recursing.
   */
  private void issueWrites() {
    if (issueRequests.getAndIncrement() != 0) {
      return;
    }
    int requests = 1;
    do {
      while (!stopping
          && outstanding.get() < maxOutstanding
          && written < total
          && !result.isDone()) {
        outstanding.incrementAndGet();
        byte[] chunk = nextChunk();
        flow.write(ByteString.fromArrayUnsafe(chunk))
            .whenComplete((done, error) -> writeCompleted(chunk.length, error));
      }
      if ((written == total || stopping) && outstanding.get() == 0 && !result.isDone()) {
        result.complete(new Sent(written, sha.digest(), startNanos));
      }
      requests = issueRequests.addAndGet(-requests);
    } while (requests != 0);
  }

  private byte[] nextChunk() {
    byte[] chunk = new byte[(int) Math.min(writeSize, total - written)];
    payload.fill(chunk);
    sha.update(chunk);
    written += chunk.length;
    return chunk;
  }

  private void writeCompleted(int length, Throwable error) {
    if (error != null) {
      result.completeExceptionally(IperfEndpoint.unwrap(error));
      return;
    }
    accepted.addAndGet(length);
    outstanding.decrementAndGet();
    issueWrites();
  }
}
