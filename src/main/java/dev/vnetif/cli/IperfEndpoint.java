package dev.vnetif.cli;

import dev.vnetif.TcpFlow;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One end of an iperf connection, client or server alike: writes its share of the payload (possibly
 * none), reads what the peer sends until EOF, and closes.
 */
final class IperfEndpoint {

  /** What one end wrote and read. */
  record Outcome(PayloadWriter.Sent sent, PayloadReader.Received received) {}

  private IperfEndpoint() {}

  /** An end under way: its outcome, and how to stop its writer early (a timed run). */
  record Running(CompletableFuture<Outcome> outcome, CompletableFuture<?> written, Runnable stop) {}

  /**
   * Runs the end on {@code flow}. The outcome completes when the end has written everything (or was
   * stopped), read EOF and the close completed (the peer closed too); it fails at the first failure
   * of any of these, and the flow is then aborted so that the peer fails too rather than waits.
   *
   * @param bytesToSend bytes to write, {@link Long#MAX_VALUE} to write until stopped
   * @param closeWhenWritten close as soon as the writes are done (a sender, a half-close under
   *     --bidir, the FIN following the data), rather than after the peer's EOF (a pure receiver, as
   *     mirage's iperf server). At least one end of a connection must.
   * @param written grows by each write's length once it completed (the data is in the send buffer)
   * @param read grows by every byte read
   */
  static Running run(
      TcpFlow flow,
      long bytesToSend,
      int writeSize,
      PseudoRandomPayload payload,
      boolean closeWhenWritten,
      AtomicLong written,
      AtomicLong read,
      TrafficClock clock) {
    PayloadWriter.Writing writing =
        PayloadWriter.start(flow, payload, bytesToSend, writeSize, written, clock);
    CompletableFuture<PayloadWriter.Sent> sent = writing.sent().toCompletableFuture();
    CompletableFuture<PayloadReader.Received> received =
        PayloadReader.start(flow, read, clock).toCompletableFuture();
    CompletableFuture<?> closeAfter = closeWhenWritten ? sent : received;
    CompletableFuture<?> closed = closeAfter.thenCompose(ignored -> flow.close());

    CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    for (CompletableFuture<?> step : new CompletableFuture<?>[] {sent, received, closed}) {
      step.whenComplete(
          (ignored, error) -> {
            if (error != null && outcome.completeExceptionally(unwrap(error))) {
              flow.abort();
            }
          });
    }
    CompletableFuture.allOf(sent, received, closed)
        .thenRun(() -> outcome.complete(new Outcome(sent.join(), received.join())));
    return new Running(outcome, sent, writing.stop());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** The failure itself, out of the wrappers that stage composition adds. */
  static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
