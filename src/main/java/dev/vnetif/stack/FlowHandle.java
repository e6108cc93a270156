package dev.vnetif.stack;

import dev.vnetif.link.NetworkClock;
import dev.vnetif.tcp.CloseReason;
import dev.vnetif.tcp.TcbStats;
import dev.vnetif.tcp.TcpState;
import dev.vnetif.wire.Ipv4Address;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;

/**
 * What the outside holds of one connection: its actor, its two ends, a snapshot of its state that
 * the actor republishes after every message (so reading it needs no message), and the client side
 * of the {@code CompletionStage} API. Public for {@code dev.vnetif.TcpFlow}, which maps its neutral
 * answers (bytes, {@link Done}, {@link FlowClosedException}) to the API's types; not itself part of
 * the API contract.
 *
 * <p>Each request is one message carrying the future its answer completes — no ask, no temporary
 * actor. A request can race with the actor's stop; it is still answered: one that finds the actor
 * stopped is answered here, one that reaches the stopped actor's mailbox goes to dead letters,
 * where {@link FlowDeadLetters} answers it, and one the actor held when it stopped is answered in
 * its PostStop. Every answer of an ended flow comes from {@link #answerEndedRead} and {@link
 * #answerEndedWrite}: one rule, one message.
 */
public final class FlowHandle {
  /** A fresh stage each time: a user's obtrude on one must not change another's answer. */
  private static CompletionStage<Done> done() {
    return CompletableFuture.completedStage(Done.getInstance());
  }

  private final ActorRef<FlowCommand> ref;
  private final Ipv4Address localAddress;
  private final int localPort;
  private final Ipv4Address remoteAddress;
  private final int remotePort;
  private volatile TcbStats stats;
  private volatile CloseReason closeReason;
  private volatile boolean endOfFile;
  private volatile boolean stopped;

  // TIME_WAIT (issue 8 item 9) is kept by the host, not by the flow: the handle shows it until
  // its 2·MSL deadline by the network's clock, then CLOSED, with no one left to publish that.
  private volatile long timeWaitUntil;
  private volatile NetworkClock timeWaitClock;

  FlowHandle(ActorRef<FlowCommand> ref, Ipv4Address localAddress, FlowKey key) {
    this.ref = ref;
    this.localAddress = localAddress;
    this.localPort = key.localPort();
    this.remoteAddress = key.remoteAddress();
    this.remotePort = key.remotePort();
  }

  /** The connection's actor; users can send it only the public {@link FlowCommand}s. */
  public ActorRef<FlowCommand> ref() {
    return ref;
  }

  public Ipv4Address localAddress() {
    return localAddress;
  }

  public int localPort() {
    return localPort;
  }

  public Ipv4Address remoteAddress() {
    return remoteAddress;
  }

  public int remotePort() {
    return remotePort;
  }

  /** The latest published state, or null before the first message was handled. */
  public TcbStats stats() {
    TcbStats latest = stats;
    NetworkClock clock = timeWaitClock;
    if (clock != null
        && latest.state() == TcpState.TIME_WAIT
        && clock.nanoTime() - timeWaitUntil >= 0) {
      return closedAfterTimeWait(latest);
    }
    return latest;
  }

  /** The connection's TIME_WAIT, now the host's, ends at {@code deadline} on {@code clock}. */
  /** True while the connection's TIME_WAIT (now its host's) has not reached its deadline. */
  boolean inTimeWait() {
    NetworkClock clock = timeWaitClock;
    return clock != null && clock.nanoTime() - timeWaitUntil < 0;
  }

  void timeWaitUntil(long deadline, NetworkClock clock) {
    timeWaitUntil = deadline;
    timeWaitClock = clock;
  }

  private static TcbStats closedAfterTimeWait(TcbStats s) {
    return new TcbStats(
        TcpState.CLOSED,
        s.srttNanos(),
        s.rttvarNanos(),
        s.rtoNanos(),
        s.cwnd(),
        s.ssthresh(),
        s.sendWindow(),
        s.receiveWindow(),
        s.sendMss(),
        s.bytesSent(),
        s.bytesAcked(),
        s.bytesReceived(),
        s.segmentsSent(),
        s.segmentsReceived(),
        s.retransmittedSegments(),
        s.fastRetransmits(),
        s.timeouts(),
        s.challengeAcks(),
        s.zeroWindowProbes(),
        s.keepaliveProbes(),
        s.pawsRejected(),
        s.sackBlocksReceived(),
        s.dsacksReceived(),
        s.bytesInFlight(),
        s.tailLossProbes());
  }

  /** Why the connection ended, or null while it has not. */
  public CloseReason closeReason() {
    return closeReason;
  }

  /** True once the connection's actor has stopped: requests are answered here. */
  public boolean isStopped() {
    return stopped;
  }

  // ------------------------------------------------------------ the CompletionStage API

  /**
   * The next bytes from the peer: what is buffered, or the next arrival; an empty ByteString at the
   * end of the stream. Fails with {@link FlowClosedException} when the connection ended badly.
   */
  public CompletionStage<ByteString> read() {
    CompletableFuture<ByteString> promise = new CompletableFuture<>();
    deliver(new FlowInternal.Read(this, promise));
    return promise;
  }

  /**
   * Completes when all of {@code data} is in the send buffer — with {@code nodelay}, when all of it
   * is acknowledged. Fails with {@link FlowClosedException} once the flow is closed for writing.
   */
  public CompletionStage<Done> write(List<ByteString> data, boolean nodelay) {
    CompletableFuture<Done> promise = new CompletableFuture<>();
    deliver(new FlowInternal.WriteData(this, data, nodelay, promise));
    return promise;
  }

  /** Closes one or both directions; completes when the actor took the request. */
  public CompletionStage<Done> shutdown(boolean read, boolean write) {
    if (stopped) {
      return done();
    }
    CompletableFuture<Done> promise = new CompletableFuture<>();
    deliver(new FlowInternal.Shutdown(this, read, write, promise));
    return promise;
  }

  /** FIN after the queued data; completes once the peer has closed too, or the flow ended. */
  public CompletionStage<Done> closeAndWait() {
    if (stopped) {
      return done();
    }
    CompletableFuture<Done> promise = new CompletableFuture<>();
    deliver(new FlowInternal.CloseAndWait(this, promise));
    return promise;
  }

  /** RST now. */
  public void abort() {
    ref.tell(ABORT);
  }

  private static final FlowCommand.Abort ABORT = new FlowCommand.Abort();

  /** Tells the actor, or answers at once when it has stopped. */
  private void deliver(FlowInternal.StageRequest request) {
    if (stopped) {
      request.answerEnded();
    } else {
      ref.tell(request); // if the actor stops first, FlowDeadLetters answers
    }
  }

  // ------------------------------------------------------------ the one rule for an ended flow

  /**
   * A read of an ended flow: end-of-file after the peer's FIN or our shutdown(READ), after a normal
   * end, or after a keepalive failure (the seed's rule); the reason's error otherwise.
   */
  void answerEndedRead(CompletableFuture<ByteString> promise) {
    if (endOfFile) {
      promise.complete(ByteString.emptyByteString());
    } else {
      promise.completeExceptionally(new FlowClosedException(closeReason, describe(closeReason)));
    }
  }

  /** A write of an ended flow fails with why it ended. */
  void answerEndedWrite(CompletableFuture<Done> promise) {
    CloseReason reason = closeReason == null ? CloseReason.NORMAL : closeReason;
    promise.completeExceptionally(new FlowClosedException(reason, describe(reason)));
  }

  /** A write after our own close, while the connection is still up. */
  FlowClosedException closedForWriting() {
    return new FlowClosedException(
        CloseReason.NORMAL, this + ": write after the connection was closed for writing");
  }

  /** Whether reads of this ended flow end with end-of-file (else with the reason's error). */
  static boolean readsEndCleanly(CloseReason reason) {
    return reason == null
        || reason == CloseReason.NORMAL
        || reason == CloseReason.KEEPALIVE_TIMEOUT;
  }

  /** Every message about why a flow ended names the flow and the reason. */
  String describe(CloseReason reason) {
    String flow = toString();
    return switch (reason) {
      case NORMAL -> flow + ": connection closed";
      case RESET -> flow + ": connection reset by peer";
      case REFUSED -> flow + ": connection refused (RST in answer to SYN)";
      case TIMEOUT -> flow + ": connection timed out (retransmissions unanswered)";
      case KEEPALIVE_TIMEOUT -> flow + ": peer gone (keepalive probes unanswered)";
      case ABORTED -> flow + ": connection aborted";
    };
  }

  // ------------------------------------------------------------ published by the actor

  void publish(TcbStats latest) {
    stats = latest;
  }

  /**
   * The connection ended for {@code reason}; {@code readsEndOfFile} when reads end with end-of-file
   * (the peer's FIN or our shutdown(READ) came first, or the reason is a clean one).
   */
  void ended(CloseReason reason, boolean readsEndOfFile) {
    endOfFile = readsEndOfFile || readsEndCleanly(reason);
    closeReason = reason;
  }

  /** The actor stopped; set in its PostStop, before its mailbox goes to dead letters. */
  void stopped() {
    stopped = true;
  }

  /** "10.0.0.2:49152 -> 10.0.0.3:80", as every error message names the flow. */
  @Override
  public String toString() {
    return localAddress + ":" + localPort + " -> " + remoteAddress + ":" + remotePort;
  }
}
