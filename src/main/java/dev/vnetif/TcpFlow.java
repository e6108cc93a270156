package dev.vnetif;

import dev.vnetif.stack.FlowClosedException;
import dev.vnetif.stack.FlowCommand;
import dev.vnetif.stack.FlowHandle;
import dev.vnetif.tcp.TcbStats;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
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
  private final FlowHandle handle;

  TcpFlow(ActorSystem<?> system, FlowHandle handle) {
    this.handle = handle;
  }

  /**
   * The next bytes from the peer: what is buffered, or the next arrival. After the peer's FIN and
   * all data before it: {@link ReadResult.Eof}. Fails with {@link ConnectionResetException} when
   * the peer reset the connection, {@link ConnectionTimeoutException} when it timed out. Reading is
   * what opens the TCP window: an unread flow stops the sender.
   */
  public CompletionStage<ReadResult> read() {
    return mapped(handle.read().thenApply(TcpFlow::toReadResult));
  }

  private static ReadResult toReadResult(ByteString data) {
    return data.isEmpty() ? ReadResult.EOF : new ReadResult.Data(data);
  }

  /**
   * Queues {@code data}; completes when all of it is in the send buffer (not when it is delivered:
   * there is no such indication, and the buffer must not be reused). Fails with {@link
   * ConnectionClosedException} once the flow is closed for writing. Each call is one message to the
   * connection's actor; a writer that does not wait for the stage queues its data there.
   */
  public CompletionStage<Done> write(ByteString data) {
    return mapped(handle.write(List.of(data), false));
  }

  public CompletionStage<Done> writev(List<ByteString> data) {
    return mapped(handle.write(List.copyOf(data), false));
  }

  /** Like {@link #write} but bypasses Nagle and completes when all of it is acknowledged. */
  public CompletionStage<Done> writeNodelay(ByteString data) {
    return mapped(handle.write(List.of(data), true));
  }

  public CompletionStage<Done> writevNodelay(List<ByteString> data) {
    return mapped(handle.write(List.copyOf(data), true));
  }

  /** Closes one or both directions; completes at once (a FIN follows the written data). */
  public CompletionStage<Done> shutdown(ShutdownMode mode) {
    return handle.shutdown(mode != ShutdownMode.WRITE, mode != ShutdownMode.READ);
  }

  /**
   * Flushes pending writes, sends FIN, and completes once the peer has closed too (its FIN arrived)
   * or the connection ended otherwise. Reading remains possible until then.
   */
  public CompletionStage<Done> close() {
    return handle.closeAndWait();
  }

  /**
   * The stage with the flow's neutral failure ({@link FlowClosedException}, which carries why the
   * connection ended) turned into the public API's {@link TcpException}.
   */
  private static <T> CompletionStage<T> mapped(CompletionStage<T> stage) {
    CompletableFuture<T> result = new CompletableFuture<>();
    stage.whenComplete(
        (value, error) -> {
          if (error == null) {
            result.complete(value);
          } else {
            Throwable cause = error instanceof CompletionException ? error.getCause() : error;
            result.completeExceptionally(
                cause instanceof FlowClosedException f
                    ? TcpErrors.of(f.reason(), f.getMessage())
                    : cause);
          }
        });
    return result;
  }

  /** Sends RST now and drops everything queued. */
  public void abort() {
    handle.abort();
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
