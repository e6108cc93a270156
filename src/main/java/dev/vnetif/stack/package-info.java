/**
 * One virtual host: its actor ({@link dev.vnetif.stack.StackActor}), the TCP listener and flow
 * actors it spawns, and the protocols between them.
 *
 * <h2>The flow actor: one behavior per phase</h2>
 *
 * <p>{@link dev.vnetif.stack.TcpFlowActor} is one TCP connection. It owns the connection's {@code
 * Tcb} (the sans-I/O state machine of {@code dev.vnetif.tcp}) and has one behavior per phase, in
 * the shape of Pekko's {@code TcpConnection}:
 *
 * <ul>
 *   <li><b>connecting</b> — SYN sent or received. Nobody holds the flow yet: its handle is handed
 *       out (to the connect's asker, to the listener) when the Tcb reports Established.
 *   <li><b>open</b> — established: reads, writes, close requests.
 *   <li><b>closing</b> — our sending side is shut (Close, ConfirmedClose, close(), shutdown(WRITE),
 *       or PeerClosed without keepOpenOnPeerClosed): a FIN follows the queued writes, new writes
 *       fail, reading goes on until the peer's FIN.
 *   <li><b>lingering</b> — the Tcb is CLOSED and the host forgot the 4-tuple. Segments in flight
 *       and timers already queued find nothing to do; requests get what an ended flow answers (data
 *       that arrived before the end can still be read); after {@code FlowTimers.LINGER} the actor
 *       stops.
 * </ul>
 *
 * <p>The flow's work is split in two sides, each its own class with its own tests: {@link
 * dev.vnetif.stack.FlowReceiver} (data waiting to be read; bytes are consumed from the TCP window
 * only when handed to the user, so a reader that does not read closes the window) and {@link
 * dev.vnetif.stack.FlowSender} (writes waiting for send-buffer room, nodelay writes waiting for
 * their ACK). Every way of closing is one sealed {@code CloseRequest}, handled in one method; the
 * one place that follows the Tcb's state changes is {@code TcpFlowActor.onStateChanged}.
 *
 * <h2>Public and private messages</h2>
 *
 * <p>{@link dev.vnetif.stack.FlowCommand} is what a user may send through {@code TcpFlow.ref()}:
 * Register, Write, ResumeReading, Close, ConfirmedClose, Abort (API.md §4), answered by {@link
 * dev.vnetif.stack.FlowEvent}s. Everything else the actor handles is {@code FlowInternal},
 * package-private (Pekko's style guide, "public versus private messages"): {@code SegmentsIn} from
 * the host, {@code TimerFired} and {@code Linger} from its timers, and the requests of the {@code
 * CompletionStage} API. A user can neither name nor build them. {@code FlowCommand.ConnectReply}
 * answers the host's {@code TcpConnect}.
 *
 * <h2>The CompletionStage API: one message per request</h2>
 *
 * <p>{@link dev.vnetif.stack.FlowHandle} is the client side that {@code dev.vnetif.TcpFlow} wraps.
 * Each read, write, shutdown or close is one message that carries the {@code CompletableFuture} the
 * actor completes: no ask, no temporary actor. {@code write} completes when its bytes are in the
 * send buffer, {@code writeNodelay} when they are acknowledged; a writer that outruns the peer
 * finds its write pending until ACKs make room, so nothing grows beyond what the user queued. The
 * answers are neutral (bytes, an empty ByteString for end-of-file, {@code Done}, {@link
 * dev.vnetif.stack.FlowClosedException} carrying the {@code CloseReason}); {@code TcpFlow} maps
 * them to {@code ReadResult} and the API's exceptions.
 *
 * <p>A request can race with the actor's stop, and is still answered: one that finds the handle
 * stopped is answered at once; one the actor holds when it stops is answered in its PostStop; one
 * that reaches the stopped mailbox goes to dead letters, where {@code FlowDeadLetters} (one
 * subscriber per actor system) answers it. All three answer through the one rule for an ended flow,
 * {@code FlowHandle.answerEndedRead} / {@code answerEndedWrite}: reads end with end-of-file after
 * the peer's FIN, our shutdown(READ), a normal close or a keepalive failure, and otherwise fail
 * with the reason; writes fail with the reason.
 *
 * <h2>How the events of one input are handled</h2>
 *
 * <p>Every input (a batch of segments, a timer, a user command) is one call into the Tcb, which
 * emits segments and events; the actor then handles the events in the order the Tcb emitted them,
 * sends the segments to the host as one {@code HostCommand.TcpOut}, sets its timers from the Tcb's
 * deadlines, publishes the stats, and moves to the behavior of the phase it is now in. A batch can
 * end the connection after freeing send-buffer room, delivering data or the peer's FIN (an ACK,
 * data or a FIN together with a RST): when its first event is handled the Tcb is already CLOSED. So
 * no event handler calls the Tcb once it cannot take the call — the sender pumps only while the Tcb
 * can send, the receiver consumes only before CLOSED — data and FIN are handed over as they came,
 * and the Closed event, last, fails what still waits with the reason (issue 8).
 */
package dev.vnetif.stack;
