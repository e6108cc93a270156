package dev.vnetif.stack;

import dev.vnetif.tcp.CloseReason;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;

/**
 * What a user may send a flow actor (one TCP connection) through {@code TcpFlow.ref()}: the typed
 * counterpart of Pekko IO's {@code Tcp} commands (API.md §4). Everything else the actor handles —
 * segments from its host, its timers, the requests of the {@code CompletionStage} API — is {@link
 * FlowInternal}, package-private: a user can neither name nor build it (Pekko's style guide,
 * "public versus private messages").
 *
 * <p>{@link ConnectReply} is no command: it answers the host's {@code HostCommand.TcpConnect}.
 */
public sealed interface FlowCommand
    permits FlowCommand.Register,
        FlowCommand.Write,
        FlowCommand.ResumeReading,
        FlowCommand.Close,
        FlowCommand.ConfirmedClose,
        FlowCommand.Abort,
        CloseRequest,
        FlowInternal {

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
  record Close() implements FlowCommand, CloseRequest {}

  /** Flush, send FIN, wait for the peer's; then {@link FlowEvent.ConfirmedClosed}. */
  record ConfirmedClose() implements FlowCommand, CloseRequest {}

  /** RST now; {@link FlowEvent.Aborted}. */
  record Abort() implements FlowCommand, CloseRequest {}

  /** Answer to a connect request ({@code HostCommand.TcpConnect}). */
  sealed interface ConnectReply {
    record Connected(FlowHandle flow) implements ConnectReply {}

    record Failed(CloseReason reason, String message) implements ConnectReply {}

    /** The host had no route to the destination. */
    record NoRoute(String message) implements ConnectReply {}

    /** No connection could be started: every ephemeral port towards that end is in use. */
    record Unavailable(String message) implements ConnectReply {}
  }
}
