package dev.vnetif.stack;

import dev.vnetif.tcp.CloseReason;
import dev.vnetif.tcp.TcbTimers;
import dev.vnetif.wire.TcpSegment;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;

/**
 * The messages a flow actor (one TCP connection) understands. The first group is the public actor
 * protocol, shaped after Pekko IO's {@code Tcp} commands; the second serves the {@code
 * CompletionStage} API of {@code dev.vnetif.TcpFlow}; the last is internal.
 */
public sealed interface FlowCommand {

  // ------------------------------------------------------------ Pekko IO style

  /**
   * Makes {@code handler} the receiver of this flow's {@link FlowEvent}s. Without pull mode every
   * arriving byte is pushed at once (and the receive window stays open); in pull mode one {@link
   * FlowEvent.Received} is sent per {@link ResumeReading}, and unread data closes the TCP window —
   * real backpressure. With {@code keepOpenOnPeerClosed} a peer's FIN leaves our side open for
   * writing; otherwise we close too.
   */
  record Register(ActorRef<FlowEvent> handler, boolean keepOpenOnPeerClosed, boolean pullMode)
      implements FlowCommand {
    public Register(ActorRef<FlowEvent> handler, boolean keepOpenOnPeerClosed) {
      this(handler, keepOpenOnPeerClosed, false);
    }
  }

  /**
   * Queues {@code data}; when all of it is in the send buffer the handler gets {@link
   * FlowEvent.Ack}({@code ack}) — unless {@code ack} is null.
   */
  record Write(ByteString data, Object ack) implements FlowCommand {}

  /** Pull mode: deliver what has arrived (or the next arrival) as one Received. */
  record ResumeReading() implements FlowCommand {}

  /** Flush, send FIN; {@link FlowEvent.Closed} once it is out. */
  record Close() implements FlowCommand {}

  /** Flush, send FIN, wait for the peer's; then {@link FlowEvent.ConfirmedClosed}. */
  record ConfirmedClose() implements FlowCommand {}

  /** RST now; {@link FlowEvent.Aborted}. */
  record Abort() implements FlowCommand {}

  // ------------------------------------------------------------ CompletionStage API

  /** Answered with buffered data, or when data, end-of-file or an error arrives. */
  record Read(ActorRef<ReadReply> replyTo) implements FlowCommand {}

  /**
   * Answered when all of {@code data} is in the send buffer, or — with {@code nodelay} — when it
   * has all been acknowledged (and it bypasses Nagle).
   */
  record WriteData(List<ByteString> data, boolean nodelay, ActorRef<WriteReply> replyTo)
      implements FlowCommand {}

  /** Stops reading (arriving data is discarded) and/or writing (FIN after queued data). */
  record Shutdown(boolean read, boolean write, ActorRef<Done> replyTo) implements FlowCommand {}

  /** Flush, FIN, and answer once the peer has closed too (or the connection ended). */
  record CloseAndWait(ActorRef<Done> replyTo) implements FlowCommand {}

  /** Answered once the connection is established, or with why it never will be. */
  record AwaitEstablished(ActorRef<ConnectReply> replyTo) implements FlowCommand {}

  // ------------------------------------------------------------ internal

  /** Segments for this connection, in arrival order. */
  record SegmentsIn(List<TcpSegment> segments) implements FlowCommand {}

  record TimerFired(TcbTimers.Kind kind) implements FlowCommand {}

  /** Time to go after lingering in CLOSED to answer late requests. */
  record Linger() implements FlowCommand {}

  // ------------------------------------------------------------ replies

  /** Answer to {@link Read}. */
  sealed interface ReadReply {
    record Data(ByteString data) implements ReadReply {}

    record Eof() implements ReadReply {}

    record Failed(CloseReason reason, String message) implements ReadReply {}
  }

  /** Answer to {@link WriteData}. */
  sealed interface WriteReply {
    record Written() implements WriteReply {}

    record Failed(CloseReason reason, String message) implements WriteReply {}
  }

  /** Answer to {@link AwaitEstablished} and to a connect request. */
  sealed interface ConnectReply {
    record Connected(FlowHandle flow) implements ConnectReply {}

    record Failed(CloseReason reason, String message) implements ConnectReply {}

    /** The host had no route to the destination. */
    record NoRoute(String message) implements ConnectReply {}

    /** No connection could be started: every ephemeral port towards that end is in use. */
    record Unavailable(String message) implements ConnectReply {}
  }
}
