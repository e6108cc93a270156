package dev.vnetif.stream;

import dev.vnetif.ReadResult;
import dev.vnetif.ShutdownMode;
import dev.vnetif.TcpFlow;
import dev.vnetif.link.NetworkClock;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.pekko.Done;
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
 *   <li>Writing: upstream is pulled ahead into a batch of up to {@link #WRITE_BATCH} bytes while
 *       one write is in flight; when it is acknowledged the whole batch goes as one {@code writev}.
 *       One message per batch, not per element, and never more than one batch held here.
 *   <li>Closing, as Pekko: upstream completion sends FIN and keeps reading when half-close is on
 *       and downstream still reads, else closes both ways; downstream cancellation keeps writing
 *       with half-close on, else closes; a failure either way aborts (RST).
 *   <li>Timeouts run on the actor system's scheduler and the network's clock, so they work in
 *       virtual time too (Pekko's idle timeout reads {@code System.nanoTime}).
 * </ul>
 */
final class ConnectionStage
    extends GraphStageWithMaterializedValue<
        FlowShape<ByteString, ByteString>, CompletionStage<Tcp.OutgoingConnection>> {

  /** Bytes taken from upstream ahead of the connection while a write is in flight. */
  static final int WRITE_BATCH = 64 * 1024;

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
    private boolean reading;
    private boolean writing;
    private List<ByteString> batch = new ArrayList<>();
    private long batchBytes;
    private boolean upstreamDone;
    private boolean writeSideClosed;
    private boolean peerClosed;
    private long lastActivity;

    private final AsyncCallback<Object> onConnect = createAsyncCallback(this::connectDone);
    private final AsyncCallback<Object> onRead = createAsyncCallback(this::readDone);
    private final AsyncCallback<Throwable> onWritten = createAsyncCallback(this::writeDone);
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
              maybeCloseWriteSide();
            }

            @Override
            public void onUpstreamFailure(Throwable cause) {
              abortWith(cause);
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
                abortWith(cause);
              } else if (halfClose) {
                // Keep writing; what still arrives is read and dropped so the peer is not stalled
                // (TCP has no "close the read side" on the wire).
                startRead();
              } else {
                upstreamDone = true;
                cancel(in);
                maybeCloseWriteSide();
              }
            }
          });
    }

    @Override
    public void preStart() {
      setKeepGoing(true);
      lastActivity = clock.nanoTime();
      connectTimeout.ifPresent(t -> scheduleOnce(CONNECT_TIMER, t));
      idleTimeout.ifPresent(t -> scheduleOnce(IDLE_TIMER, t));
      CompletionStage<TcpFlow> opening;
      try {
        opening = connection.get();
      } catch (RuntimeException e) {
        fail(e);
        return;
      }
      opening.whenComplete(
          (f, error) -> {
            Object result = error != null ? unwrap(error) : f;
            // A stage that already stopped (a connect timeout, a cancelled stream) cannot take
            // the connection any more: abort it rather than leave it open with no owner.
            FutureConverters.asJava(onConnect.invokeWithFeedback(result))
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
        fail(
            error instanceof StreamTcpException
                ? error
                : new StreamTcpException("Tcp connect to " + remote + " failed: " + error));
        return;
      }
      flow = (TcpFlow) result;
      cancelTimer(CONNECT_TIMER);
      connected.complete(
          new Tcp.OutgoingConnection(
              new org.apache.pekko.stream.scaladsl.Tcp.OutgoingConnection(flow.dst(), flow.src())));
      activity();
      if (isAvailable(out) || isClosed(out)) {
        startRead();
      }
      flushWrites();
      maybeCloseWriteSide();
    }

    private void startRead() {
      if (flow == null || reading || peerClosed) {
        return;
      }
      reading = true;
      flow.read().whenComplete((r, error) -> onRead.invoke(error != null ? unwrap(error) : r));
    }

    private void readDone(Object result) {
      reading = false;
      if (result instanceof Throwable error) {
        fail(error);
        return;
      }
      if (result instanceof ReadResult.Data data) {
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
      if (writeSideClosed) {
        completeStage();
      }
    }

    private void pullAhead() {
      if (!isClosed(in) && !hasBeenPulled(in) && batchBytes < WRITE_BATCH) {
        pull(in);
      }
    }

    private void flushWrites() {
      if (flow == null || writing || batch.isEmpty()) {
        return;
      }
      List<ByteString> sending = batch;
      batch = new ArrayList<>();
      batchBytes = 0;
      writing = true;
      flow.writev(sending).whenComplete((d, error) -> onWritten.invoke(unwrapOrNull(error)));
    }

    private void writeDone(Throwable error) {
      writing = false;
      if (error != null) {
        fail(error);
        return;
      }
      flushWrites();
      pullAhead();
      maybeCloseWriteSide();
    }

    private void maybeCloseWriteSide() {
      if (!upstreamDone || flow == null || writing || !batch.isEmpty() || writeSideClosed) {
        return;
      }
      writeSideClosed = true;
      if (halfClose && !isClosed(out) && !peerClosed) {
        // FIN, and read on until the peer's FIN (Pekko's ConfirmedClose).
        flow.shutdown(ShutdownMode.WRITE)
            .whenComplete((d, e) -> onShutdown.invoke(unwrapOrNull(e)));
      } else {
        flow.shutdown(ShutdownMode.READ_WRITE)
            .whenComplete((d, e) -> onShutdown.invoke(unwrapOrNull(e)));
      }
    }

    private void shutdownDone(Throwable error) {
      if (error != null) {
        fail(error);
      } else if (peerClosed || isClosed(out) || !halfClose) {
        completeStage();
      }
      // else: half-closed, reading on until the peer's FIN completes the stage (readDone)
    }

    private void activity() {
      lastActivity = clock.nanoTime();
    }

    @Override
    public void onTimer(Object key) {
      if (CONNECT_TIMER.equals(key) && flow == null) {
        StreamTcpException e =
            new StreamTcpException(
                "Tcp command [Connect("
                    + remote
                    + ")] failed because of java.net.ConnectException: Connect timeout of "
                    + connectTimeout.get()
                    + " expired");
        e.initCause(
            new ConnectException("Connect timeout of " + connectTimeout.get() + " expired"));
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
                      + timeout,
                  scala.concurrent.duration.Duration.fromNanos(timeout.toNanos())));
        } else {
          scheduleOnce(IDLE_TIMER, Duration.ofNanos(timeout.toNanos() - idle));
        }
      }
    }

    private void abortWith(Throwable cause) {
      fail(cause);
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
      if (flow != null && !writeSideClosed) {
        flow.abort();
      }
    }
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }

  private static Throwable unwrapOrNull(Throwable error) {
    return error == null ? null : unwrap(error);
  }

  /** Done, typed for callbacks that carry nothing. */
  static final Done DONE = Done.getInstance();
}
