package dev.vnetif.stream;

import dev.vnetif.ConnectionRefusedException;
import dev.vnetif.ConnectionTimeoutException;
import dev.vnetif.NoRouteException;
import dev.vnetif.ReadResult;
import dev.vnetif.ShutdownMode;
import dev.vnetif.TcpFlow;
import dev.vnetif.link.NetworkClock;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.StreamTcpException;
import org.apache.pekko.stream.SubscriptionWithCancelException;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.stream.scaladsl.TcpIdleTimeoutException;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.GraphStageWithMaterializedValue;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;
import scala.Tuple2;
import scala.jdk.javaapi.FutureConverters;

/**
 * One TCP connection as a {@code Flow<ByteString, ByteString>}: what Pekko's {@code TcpStreamLogic}
 * does over Pekko IO, done over a {@link TcpFlow}.
 *
 * <ul>
 *   <li>Reading: a read is issued only when downstream pulls, so a slow downstream leaves data in
 *       the connection's receive buffer and the TCP window closes — backpressure end to end.
 *   <li>Writing: up to {@link #WRITES_IN_FLIGHT} writes are in flight at once, so that the
 *       connection has the next one queued when its send buffer makes room (with one, it waited a
 *       round trip to this stage each time); while they are, upstream is pulled ahead into a batch
 *       that goes as one {@code writev} when one completes. One message per batch, not per element,
 *       and never more than {@code 2 x} {@link #WRITE_BATCH} bytes (and one element) held here and
 *       in writes not yet in the send buffer.
 *   <li>Closing, as Pekko: upstream completion sends FIN and keeps reading when half-close is on
 *       and downstream still reads (ConfirmedClose), else closes; downstream cancellation keeps
 *       writing with half-close on, else closes. To close is what Pekko IO's Close does, a socket's
 *       {@code close()} ({@link SocketClose}): FIN, and a RST for any data left unread or sent
 *       after. A failure either way aborts (RST); an upstream failure then fails downstream with
 *       "The connection has been aborted", as Pekko does.
 *   <li>Timeouts run on the actor system's scheduler and the network's clock, so they work in
 *       virtual time too (Pekko's idle timeout reads {@code System.nanoTime}).
 * </ul>
 */
final class ConnectionStage
    extends GraphStageWithMaterializedValue<
        FlowShape<ByteString, ByteString>, CompletionStage<Tcp.OutgoingConnection>> {

  /**
   * Upstream is pulled while the bytes taken from it and not yet in the connection's send buffer
   * (in writes in flight or batched) are fewer than twice this.
   */
  static final int WRITE_BATCH = 64 * 1024;

  /** Writes handed to the connection and not yet in its send buffer, at most. */
  static final int WRITES_IN_FLIGHT = 2;

  private static final String CONNECT_TIMER = "connect-timeout";
  private static final String IDLE_TIMER = "idle-timeout";

  private final Inlet<ByteString> in = Inlet.create("VirtualTcp.in");
  private final Outlet<ByteString> out = Outlet.create("VirtualTcp.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);

  private final Supplier<CompletionStage<TcpFlow>> connection;
  private final InetSocketAddress remote;
  private final boolean halfClose;
  private final Optional<Duration> connectTimeout;
  private final Optional<Duration> idleTimeout;
  private final NetworkClock clock;
  private final AtomicBoolean materialized;

  /**
   * @param connection opens the connection (outgoing) or hands over an established one (incoming);
   *     called once per materialization
   * @param onlyOnce an incoming connection's flow: a second materialization throws
   */
  ConnectionStage(
      Supplier<CompletionStage<TcpFlow>> connection,
      InetSocketAddress remote,
      boolean halfClose,
      Optional<Duration> connectTimeout,
      Optional<Duration> idleTimeout,
      NetworkClock clock,
      boolean onlyOnce) {
    this.materialized = onlyOnce ? new AtomicBoolean() : null;
    this.connection = connection;
    this.remote = remote;
    this.halfClose = halfClose;
    this.connectTimeout = connectTimeout;
    this.idleTimeout = idleTimeout;
    this.clock = clock;
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public Attributes initialAttributes() {
    return Attributes.name("VirtualTcpConnection");
  }

  @Override
  public Tuple2<GraphStageLogic, CompletionStage<Tcp.OutgoingConnection>>
      createLogicAndMaterializedValue(Attributes attributes) {
    if (materialized != null && !materialized.compareAndSet(false, true)) {
      // As Pekko's IncomingConnectionStage: the connection exists once, so does its flow.
      throw new IllegalStateException("Cannot materialize an incoming connection Flow twice.");
    }
    CompletableFuture<Tcp.OutgoingConnection> connected = new CompletableFuture<>();
    return new Tuple2<>(new Logic(connected), connected);
  }

  private final class Logic extends TimerGraphStageLogic {
    private final CompletableFuture<Tcp.OutgoingConnection> connected;
    private TcpFlow flow;

    /** The read in flight, issued when downstream pulled (or to drain), or null. */
    private CompletionStage<ReadResult> pendingRead;

    /**
     * Everything read from the connection, pushed or dropped: what TCP received beyond is unread.
     */
    private long bytesRead;

    /** Writes handed to the connection and not completed yet, and their bytes. */
    private int writesInFlight;

    private long bytesInFlight;
    private List<ByteString> batch = new ArrayList<>();
    private long batchBytes;
    private boolean upstreamDone;

    /** FIN was asked for (Pekko's ConfirmedClose): the stage reads on until the peer's FIN. */
    private boolean finSent;

    private boolean peerClosed;
    private long lastActivity;

    private final AsyncCallback<Object> onConnect = createAsyncCallback(this::connectDone);
    private final AsyncCallback<Object> onRead = createAsyncCallback(this::readDone);
    private final AsyncCallback<Written> onWritten = createAsyncCallback(this::writeDone);
    private final AsyncCallback<Throwable> onShutdown = createAsyncCallback(this::shutdownDone);

    Logic(CompletableFuture<Tcp.OutgoingConnection> connected) {
      super(shape);
      this.connected = connected;
      setHandler(
          in,
          new AbstractInHandler() {
            @Override
            public void onPush() {
              ByteString bytes = grab(in);
              if (!bytes.isEmpty()) {
                batch.add(bytes);
                batchBytes += bytes.size();
                activity();
              }
              flushWrites();
              pullAhead();
            }

            @Override
            public void onUpstreamFinish() {
              upstreamDone = true;
              finishWriting();
            }

            @Override
            public void onUpstreamFailure(Throwable cause) {
              // As Pekko: a connected stage aborts the connection and fails with that, not with
              // the cause, which stays upstream's; one still connecting fails with the cause.
              fail(
                  flow == null ? cause : new StreamTcpException("The connection has been aborted"));
            }
          });
      setHandler(
          out,
          new AbstractOutHandler() {
            @Override
            public void onPull() {
              startRead();
            }

            @Override
            public void onDownstreamFinish(Throwable cause) {
              if (!(cause instanceof SubscriptionWithCancelException.NonFailureCancellation)) {
                fail(cause);
              } else if (halfClose && !upstreamDone) {
                // Keep writing; what still arrives is read and dropped so the peer is not stalled
                // (TCP has no "close the read side" on the wire).
                startRead();
              } else {
                // Nothing more will be read: close once the writes are out (full close cancels
                // upstream; half-close had nothing more to write anyway).
                upstreamDone = true;
                cancel(in);
                finishWriting();
              }
            }
          });
    }

    @Override
    public void preStart() {
      setKeepGoing(true);
      // As Pekko's idle timeout: counted from materialization, connecting is no activity.
      lastActivity = clock.nanoTime();
      connectTimeout.ifPresent(t -> scheduleOnce(CONNECT_TIMER, t));
      idleTimeout.ifPresent(t -> scheduleOnce(IDLE_TIMER, t));
      CompletionStage<TcpFlow> opening;
      try {
        opening = connection.get();
      } catch (RuntimeException e) {
        fail(connectFailure(e));
        return;
      }
      opening.whenComplete(
          (f, error) -> {
            Object result = error != null ? unwrap(error) : f;
            // A stage that already stopped (a connect timeout, a cancelled stream) cannot take
            // the connection any more: abort it rather than leave it open with no owner.
            plain(onConnect.invokeWithFeedback(result))
                .whenComplete(
                    (d, notDelivered) -> {
                      if (notDelivered != null && f != null) {
                        f.abort();
                      }
                    });
          });
      pull(in);
    }

    private void connectDone(Object result) {
      if (result instanceof Throwable error) {
        fail(connectFailure(error));
        return;
      }
      flow = (TcpFlow) result;
      cancelTimer(CONNECT_TIMER);
      // Pekko's OutgoingConnection names the remote as it was asked for, the local as bound.
      Tcp.OutgoingConnection connection =
          new Tcp.OutgoingConnection(
              new org.apache.pekko.stream.scaladsl.Tcp.OutgoingConnection(remote, flow.src()));
      VirtualTcp.remember(connection, flow);
      connected.complete(connection);
      if (isAvailable(out) || isClosed(out)) {
        startRead();
      }
      flushWrites();
      finishWriting();
    }

    /**
     * A failed connect as Pekko's: a {@code StreamTcpException} caused by the {@code java.net}
     * exception a socket's connect throws. The virtual host's own exceptions ({@code
     * ConnectionRefusedException}, ...) are {@code StreamTcpException}s already and keep their
     * type.
     */
    private Throwable connectFailure(Throwable error) {
      Throwable socketError = socketError(error);
      if (error instanceof StreamTcpException && error.getCause() == null) {
        try {
          error.initCause(socketError);
          return error;
        } catch (IllegalStateException causeFixedAtConstruction) {
          // wrapped below
        }
      }
      if (error instanceof StreamTcpException && error.getCause() != null) {
        return error;
      }
      StreamTcpException wrapped =
          new StreamTcpException(
              "Tcp command [Connect(" + remote + ")] failed because of " + socketError);
      wrapped.initCause(socketError);
      return wrapped;
    }

    private void startRead() {
      if (flow == null || pendingRead != null || peerClosed) {
        return;
      }
      CompletionStage<ReadResult> read = flow.read();
      pendingRead = read;
      read.whenComplete((r, error) -> onRead.invoke(error != null ? unwrap(error) : r));
    }

    private void readDone(Object result) {
      pendingRead = null;
      if (result instanceof Throwable error) {
        fail(error);
        return;
      }
      if (result instanceof ReadResult.Data data) {
        bytesRead += data.data().size();
        activity();
        if (isClosed(out)) {
          startRead(); // half-closed by downstream: drain and drop
        } else {
          push(out, data.data());
        }
        return;
      }
      peerClosed = true;
      if (!isClosed(out)) {
        complete(out);
      }
      if (finSent) {
        completeStage(); // both FINs: Pekko's ConfirmedClosed
      } else {
        finishWriting();
      }
    }

    private void pullAhead() {
      if (!isClosed(in) && !hasBeenPulled(in) && bytesInFlight + batchBytes < 2L * WRITE_BATCH) {
        pull(in);
      }
    }

    private void flushWrites() {
      if (flow == null || writesInFlight >= WRITES_IN_FLIGHT || batch.isEmpty()) {
        return;
      }
      List<ByteString> sending = batch;
      long bytes = batchBytes;
      batch = new ArrayList<>();
      batchBytes = 0;
      writesInFlight++;
      bytesInFlight += bytes;
      flow.writev(sending)
          .whenComplete((d, error) -> onWritten.invoke(new Written(bytes, unwrapOrNull(error))));
    }

    private void writeDone(Written written) {
      writesInFlight--;
      bytesInFlight -= written.bytes();
      if (written.error() != null) {
        fail(written.error());
        return;
      }
      flushWrites();
      pullAhead();
      finishWriting();
    }

    /**
     * Upstream is done and everything it gave is written: with half-close and downstream still
     * reading, FIN and read on until the peer's FIN (Pekko's ConfirmedClose); else close as a
     * socket closes (Pekko's Close), and the stage is done.
     */
    private void finishWriting() {
      if (!upstreamDone || flow == null || writesInFlight > 0 || !batch.isEmpty()) {
        return;
      }
      if (halfClose && !isClosed(out)) {
        if (!finSent) {
          finSent = true;
          flow.shutdown(ShutdownMode.WRITE)
              .whenComplete((d, e) -> onShutdown.invoke(unwrapOrNull(e)));
        }
        return;
      }
      SocketClose.close(flow, bytesRead, finSent, pendingRead);
      finSent = true;
      completeStage();
    }

    private void shutdownDone(Throwable error) {
      if (error != null) {
        fail(error);
      }
    }

    private void activity() {
      lastActivity = clock.nanoTime();
    }

    @Override
    public void onTimer(Object key) {
      if (CONNECT_TIMER.equals(key) && flow == null) {
        // Pekko IO's words, a Scala Option in them included, so that logs read the same.
        ConnectException cause =
            new ConnectException(
                "Connect timeout of Some(" + scalaDuration(connectTimeout.get()) + ") expired");
        StreamTcpException e =
            new StreamTcpException(
                "Tcp command [Connect(" + remote + ")] failed because of " + cause);
        e.initCause(cause);
        fail(e);
      } else if (IDLE_TIMER.equals(key)) {
        Duration timeout = idleTimeout.get();
        long idle = clock.nanoTime() - lastActivity;
        if (idle >= timeout.toNanos()) {
          fail(
              new TcpIdleTimeoutException(
                  "TCP idle-timeout encountered on connection to ["
                      + remote
                      + "], no bytes passed in the last "
                      + scalaDuration(timeout),
                  scala.concurrent.duration.Duration.fromNanos(timeout.toNanos())));
        } else {
          scheduleOnce(IDLE_TIMER, Duration.ofNanos(timeout.toNanos() - idle));
        }
      }
    }

    /** Aborts the connection (RST) and fails the stage and its materialized value. */
    private void fail(Throwable cause) {
      if (flow != null) {
        flow.abort();
      }
      connected.completeExceptionally(cause);
      failStage(cause);
    }

    @Override
    public void postStop() {
      connected.completeExceptionally(
          new StreamTcpException("the connection stage stopped before connecting to " + remote));
      if (flow != null && !finSent) {
        flow.abort();
      }
    }
  }

  /** A write of {@code bytes} completed: in the send buffer, or failed with {@code error}. */
  private record Written(long bytes, Throwable error) {}

  /**
   * A Scala future as a plain {@code CompletableFuture}. Scala's adapter ({@code
   * FutureConverters.asJava}) runs even {@code whenComplete} as a task on the common pool, which in
   * virtual time is outside the simulation: time could move while it waits to run. Relayed through
   * a plain future, continuations run on the thread that completes the future (as {@code
   * dev.vnetif.Asks} does for asks).
   */
  static <T> CompletableFuture<T> plain(scala.concurrent.Future<T> future) {
    return CompletableFuture.<Void>completedFuture(null)
        .thenCompose(v -> FutureConverters.asJava(future));
  }

  /** As Pekko prints a duration given as {@code java.time.Duration}: "1 second", "5 minutes". */
  static String scalaDuration(Duration duration) {
    return scala.concurrent.duration.Duration.fromNanos(duration.toNanos()).toString();
  }

  /** What a socket's connect throws for why the virtual connect failed. */
  private static Throwable socketError(Throwable error) {
    if (error instanceof ConnectionRefusedException) {
      return new ConnectException("Connection refused");
    } else if (error instanceof ConnectionTimeoutException) {
      return new ConnectException("Connection timed out");
    } else if (error instanceof NoRouteException) {
      return new NoRouteToHostException("No route to host");
    }
    return error; // already the socket's kind (UnknownHostException), or nothing better to say
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }

  private static Throwable unwrapOrNull(Throwable error) {
    return error == null ? null : unwrap(error);
  }
}
