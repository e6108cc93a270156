package dev.vnetif.stack;

import dev.vnetif.tcp.TcbTimers;
import dev.vnetif.wire.TcpSegment;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.util.ByteString;

/**
 * The messages of a flow actor that users cannot send: what its host and its timers tell it, and
 * the requests of the {@code CompletionStage} API, which {@link FlowHandle} builds.
 * Package-private, so nothing outside {@code dev.vnetif.stack} can name them.
 */
sealed interface FlowInternal extends FlowCommand {

  /** Segments for this connection that arrived together, in arrival order: one Tcb input. */
  record SegmentsIn(List<TcpSegment> segments) implements FlowInternal {}

  /** A deadline of the Tcb may be due. One shared instance per kind. */
  record TimerFired(TcbTimers.Kind kind) implements FlowInternal {}

  /** Time to stop after lingering in CLOSED to answer late requests. */
  record Linger() implements FlowInternal {}

  Linger LINGER = new Linger();

  /**
   * A request that carries the future its answer completes: no temporary actor, no ask. Should the
   * actor stop before it handles one (the request goes to dead letters), {@link #answerEnded}
   * answers it as an ended flow answers.
   */
  sealed interface StageRequest extends FlowInternal {
    FlowHandle flow();

    /** Answers as the ended flow does. */
    void answerEnded();
  }

  /** Completed with buffered data, or when data arrives; an empty ByteString means end of file. */
  record Read(FlowHandle flow, CompletableFuture<ByteString> promise) implements StageRequest {
    @Override
    public void answerEnded() {
      flow.answerEndedRead(promise);
    }
  }

  /**
   * Completed when all of {@code data} is in the send buffer, or — with {@code nodelay} — when it
   * has all been acknowledged (and it bypasses Nagle).
   */
  record WriteData(
      FlowHandle flow, List<ByteString> data, boolean nodelay, CompletableFuture<Done> promise)
      implements StageRequest {
    @Override
    public void answerEnded() {
      flow.answerEndedWrite(promise);
    }
  }

  /** Stops reading (arriving data is discarded) and/or writing (FIN after queued data). */
  record Shutdown(FlowHandle flow, boolean read, boolean write, CompletableFuture<Done> promise)
      implements StageRequest, CloseRequest {
    @Override
    public void answerEnded() {
      promise.complete(Done.getInstance());
    }
  }

  /** Flush, FIN, and complete once the peer has closed too (or the connection ended). */
  record CloseAndWait(FlowHandle flow, CompletableFuture<Done> promise)
      implements StageRequest, CloseRequest {
    @Override
    public void answerEnded() {
      promise.complete(Done.getInstance());
    }
  }
}
