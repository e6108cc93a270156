package dev.vnetif;

import dev.vnetif.stack.FlowCommand;
import dev.vnetif.stack.FlowHandle;
import dev.vnetif.tcp.TcbStats;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.util.ByteString;

/**
 * One TCP connection (the seed's {@code flow}). Thread-safe; every operation is a message to the
 * connection's actor. Errors name the flow ({@code 10.0.0.2:49152 -> 10.0.0.3:80}).
 *
 * <p>The stages complete on the thread of the connection's actor, so continuations attached with
 * the non-async methods ({@code thenApply}, {@code thenCompose}, ...) run there: that is what makes
 * a read-then-write loop cheap. They must not block — never {@code join()} a stage of the network
 * inside one, the actor that would complete it is the one blocked — and heavy work belongs on
 * another executor ({@code thenApplyAsync(f, executor)}). Every pending stage completes when the
 * connection ends, whatever the reason.
 */
public final class TcpFlow {
  /**
   * Reads and writes may wait as long as the peer makes them (an idle connection, a reader that
   * never reads): the ask timeout is only a safety net.
   */
  private static final Duration LONG_WAIT = Duration.ofDays(30);

  private static final CompletionStage<Done> DONE =
      CompletableFuture.completedStage(Done.getInstance());

  private final ActorSystem<?> system;
  private final FlowHandle handle;

  TcpFlow(ActorSystem<?> system, FlowHandle handle) {
    this.system = system;
    this.handle = handle;
  }

  /**
   * The next bytes from the peer: what is buffered, or the next arrival. After the peer's FIN and
   * all data before it: {@link ReadResult.Eof}. Fails with {@link ConnectionResetException} when
   * the peer reset the connection, {@link ConnectionTimeoutException} when it timed out. Reading is
   * what opens the TCP window: an unread flow stops the sender.
   */
  public CompletionStage<ReadResult> read() {
    if (handle.isStopped()) {
      return readAfterEnd();
    }
    CompletableFuture<FlowCommand.ReadReply> reply =
        Asks.ask(handle.ref(), FlowCommand.Read::new, LONG_WAIT, system.scheduler());
    return answeredOrEnded(
        reply.thenCompose(
            r -> {
              if (r instanceof FlowCommand.ReadReply.Data d) {
                return CompletableFuture.completedFuture(new ReadResult.Data(d.data()));
              } else if (r instanceof FlowCommand.ReadReply.Eof) {
                return CompletableFuture.completedFuture(ReadResult.EOF);
              }
              FlowCommand.ReadReply.Failed f = (FlowCommand.ReadReply.Failed) r;
              return CompletableFuture.failedFuture(TcpErrors.of(f.reason(), f.message()));
            }),
        this::readAfterEnd);
  }

  /** What a read of an ended flow gives: Eof after a normal or keepalive end, else the error. */
  private CompletionStage<ReadResult> readAfterEnd() {
    dev.vnetif.tcp.CloseReason reason = handle.closeReason();
    return reason == null
            || reason == dev.vnetif.tcp.CloseReason.NORMAL
            || reason == dev.vnetif.tcp.CloseReason.KEEPALIVE_TIMEOUT
        ? CompletableFuture.completedFuture(ReadResult.EOF)
        : CompletableFuture.failedFuture(
            TcpErrors.of(reason, handle + ": connection ended (" + reason + ")"));
  }

  /**
   * The actor's answer or, should the actor stop before it answers (a request that arrives as it
   * stops goes to dead letters), the answer an ended flow gives — never a wait for the ask's
   * safety-net timeout.
   */
  private <T> CompletionStage<T> answeredOrEnded(
      CompletableFuture<T> answer, Supplier<CompletionStage<T>> ended) {
    Runnable forget =
        handle.whenStopped(
            () ->
                ended
                    .get()
                    .whenComplete(
                        (value, error) -> {
                          if (error == null) {
                            answer.complete(value);
                          } else {
                            answer.completeExceptionally(error);
                          }
                        }));
    answer.whenComplete((value, error) -> forget.run());
    return answer;
  }

  /**
   * Queues {@code data}; completes when all of it is in the send buffer (not when it is delivered:
   * there is no such indication, and the buffer must not be reused). Fails with {@link
   * ConnectionClosedException} once the flow is closed for writing.
   */
  public CompletionStage<Done> write(ByteString data) {
    return send(List.of(data), false);
  }

  public CompletionStage<Done> writev(List<ByteString> data) {
    return send(List.copyOf(data), false);
  }

  /** Like {@link #write} but bypasses Nagle and completes when all of it is acknowledged. */
  public CompletionStage<Done> writeNodelay(ByteString data) {
    return send(List.of(data), true);
  }

  public CompletionStage<Done> writevNodelay(List<ByteString> data) {
    return send(List.copyOf(data), true);
  }

  private CompletionStage<Done> send(List<ByteString> data, boolean nodelay) {
    if (handle.isStopped()) {
      return writeAfterEnd();
    }
    CompletableFuture<FlowCommand.WriteReply> reply =
        Asks.ask(
            handle.ref(),
            replyTo -> new FlowCommand.WriteData(data, nodelay, replyTo),
            LONG_WAIT,
            system.scheduler());
    return answeredOrEnded(
        reply.thenCompose(
            r -> {
              if (r instanceof FlowCommand.WriteReply.Failed f) {
                return CompletableFuture.failedFuture(TcpErrors.of(f.reason(), f.message()));
              }
              return CompletableFuture.completedFuture(Done.getInstance());
            }),
        this::writeAfterEnd);
  }

  private CompletionStage<Done> writeAfterEnd() {
    return CompletableFuture.failedFuture(
        new ConnectionClosedException(handle + ": write after the connection ended"));
  }

  /** Closes one or both directions; completes at once (a FIN follows the written data). */
  public CompletionStage<Done> shutdown(ShutdownMode mode) {
    if (handle.isStopped()) {
      return DONE;
    }
    boolean read = mode != ShutdownMode.WRITE;
    boolean write = mode != ShutdownMode.READ;
    return answeredOrEnded(
        Asks.ask(
            handle.ref(),
            replyTo -> new FlowCommand.Shutdown(read, write, replyTo),
            LONG_WAIT,
            system.scheduler()),
        () -> DONE);
  }

  /**
   * Flushes pending writes, sends FIN, and completes once the peer has closed too (its FIN arrived)
   * or the connection ended otherwise. Reading remains possible until then.
   */
  public CompletionStage<Done> close() {
    if (handle.isStopped()) {
      return DONE;
    }
    return answeredOrEnded(
        Asks.ask(handle.ref(), FlowCommand.CloseAndWait::new, LONG_WAIT, system.scheduler()),
        () -> DONE);
  }

  /** Sends RST now and drops everything queued. */
  public void abort() {
    handle.ref().tell(new FlowCommand.Abort());
  }

  /** The remote end. */
  public InetSocketAddress dst() {
    return new InetSocketAddress(handle.remoteAddress().toInet(), handle.remotePort());
  }

  /** The local end. */
  public InetSocketAddress src() {
    return new InetSocketAddress(handle.localAddress().toInet(), handle.localPort());
  }

  /** State and counters as of the last message the connection handled. */
  public TcpFlowStats stats() {
    TcbStats stats = handle.stats();
    return stats == null ? null : TcpFlowStats.of(stats);
  }

  /** The connection's actor, for the typed protocol of {@link FlowCommand}. */
  public ActorRef<FlowCommand> ref() {
    return handle.ref();
  }

  @Override
  public String toString() {
    return "TcpFlow[" + handle + "]";
  }
}
