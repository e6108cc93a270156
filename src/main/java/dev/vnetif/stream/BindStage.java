package dev.vnetif.stream;

import dev.vnetif.Keepalive;
import dev.vnetif.Stack;
import dev.vnetif.TcpFlow;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.StreamTcpException;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.GraphStageWithMaterializedValue;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;
import scala.jdk.javaapi.FutureConverters;
import scala.runtime.AbstractFunction0;
import scala.runtime.BoxedUnit;

/**
 * The source of {@code VirtualTcp.bind}: binds a port of the host when materialized, emits one
 * {@code IncomingConnection} per accepted connection as downstream asks, and materializes Pekko's
 * own {@code ServerBinding}.
 *
 * <p>Connections accepted while downstream is not asking wait, up to {@code backlog} of them (the
 * accept queue of a socket's {@code listen}); past that a new connection is reset, as Linux does
 * with {@code tcp_abort_on_overflow}. Unbinding (or cancelling the source) stops new connections;
 * those already handed out go on.
 */
final class BindStage
    extends GraphStageWithMaterializedValue<
        SourceShape<Tcp.IncomingConnection>, CompletionStage<Tcp.ServerBinding>> {
  private static final Logger LOG = LoggerFactory.getLogger(BindStage.class);

  private final Outlet<Tcp.IncomingConnection> out = Outlet.create("VirtualTcp.incoming");
  private final SourceShape<Tcp.IncomingConnection> shape = SourceShape.of(out);

  private final Stack stack;
  private final int port;
  private final int backlog;
  private final boolean halfClose;
  private final Optional<Duration> idleTimeout;
  private final Keepalive keepalive;
  private final Optional<Duration> registerTimeout;

  /**
   * @param registerTimeout how long a connection handed out may wait for its flow to be run; then
   *     it is closed as an unread socket is (Pekko IO's register-timeout)
   */
  BindStage(
      Stack stack,
      int port,
      int backlog,
      boolean halfClose,
      Optional<Duration> idleTimeout,
      Keepalive keepalive,
      Optional<Duration> registerTimeout) {
    this.registerTimeout = registerTimeout;
    this.stack = stack;
    this.port = port;
    this.backlog = backlog;
    this.halfClose = halfClose;
    this.idleTimeout = idleTimeout;
    this.keepalive = keepalive;
  }

  @Override
  public SourceShape<Tcp.IncomingConnection> shape() {
    return shape;
  }

  @Override
  public Attributes initialAttributes() {
    return Attributes.name("VirtualTcpBind");
  }

  @Override
  public Tuple2<GraphStageLogic, CompletionStage<Tcp.ServerBinding>>
      createLogicAndMaterializedValue(Attributes attributes) {
    CompletableFuture<Tcp.ServerBinding> binding = new CompletableFuture<>();
    return new Tuple2<>(new Logic(binding), binding);
  }

  private final class Logic extends GraphStageLogic {
    private final CompletableFuture<Tcp.ServerBinding> binding;
    private final CompletableFuture<Done> unbound = new CompletableFuture<>();
    private final ArrayDeque<TcpFlow> waiting = new ArrayDeque<>();
    private final AtomicBoolean accepting = new AtomicBoolean(true);
    private int boundPort = -1;

    private final AsyncCallback<Object> onBound = createAsyncCallback(this::bound);
    private final AsyncCallback<TcpFlow> onAccepted = createAsyncCallback(this::accepted);
    private final AsyncCallback<Done> onUnbind = createAsyncCallback(d -> unbind());

    Logic(CompletableFuture<Tcp.ServerBinding> binding) {
      super(shape);
      this.binding = binding;
      setHandler(
          out,
          new AbstractOutHandler() {
            @Override
            public void onPull() {
              emitWaiting();
            }

            @Override
            public void onDownstreamFinish(Throwable cause) {
              unbind();
            }
          });
    }

    @Override
    public void preStart() {
      setKeepGoing(true);
      CompletionStage<Integer> bind;
      try {
        bind = stack.tcp().bind(port, keepalive, this::handOver);
      } catch (RuntimeException e) {
        bound(e);
        return;
      }
      bind.whenComplete((p, error) -> onBound.invoke(error != null ? unwrap(error) : p));
    }

    /** Runs on the host's side for each accepted connection: into the stage, or reset. */
    private CompletionStage<?> handOver(TcpFlow flow) {
      if (!accepting.get()) {
        flow.abort();
        return CompletableFuture.completedFuture(null);
      }
      ConnectionStage.plain(onAccepted.invokeWithFeedback(flow))
          .whenComplete(
              (d, notDelivered) -> {
                if (notDelivered != null) {
                  flow.abort(); // the source stopped meanwhile
                }
              });
      return CompletableFuture.completedFuture(null);
    }

    private void bound(Object result) {
      if (result instanceof Throwable error) {
        unbound.completeExceptionally(error);
        binding.completeExceptionally(error);
        failStage(error);
        return;
      }
      boundPort = (Integer) result;
      InetSocketAddress local = new InetSocketAddress(stack.address(), boundPort);
      binding.complete(
          new Tcp.ServerBinding(
              new org.apache.pekko.stream.scaladsl.Tcp.ServerBinding(
                  local,
                  new AbstractFunction0<scala.concurrent.Future<BoxedUnit>>() {
                    @Override
                    public scala.concurrent.Future<BoxedUnit> apply() {
                      onUnbind.invoke(Done.getInstance());
                      return FutureConverters.asScala(unbound.thenApply(d -> BoxedUnit.UNIT));
                    }
                  },
                  FutureConverters.asScala(unbound))));
    }

    private void accepted(TcpFlow flow) {
      if (!accepting.get()) {
        flow.abort();
        return;
      }
      if (waiting.size() >= backlog) {
        LOG.debug("{}: accept queue full ({}), resetting {}", stack, backlog, flow);
        flow.abort();
        return;
      }
      waiting.addLast(flow);
      emitWaiting();
    }

    private void emitWaiting() {
      while (isAvailable(out) && !waiting.isEmpty()) {
        push(out, incoming(waiting.pollFirst()));
      }
    }

    private Tcp.IncomingConnection incoming(TcpFlow flow) {
      // The flow's first run and the register timeout race for the connection; one wins.
      AtomicBoolean claimed = new AtomicBoolean();
      registerTimeout.ifPresent(
          timeout ->
              stack
                  .system()
                  .scheduler()
                  .scheduleOnce(
                      timeout,
                      () -> {
                        if (claimed.compareAndSet(false, true)) {
                          LOG.debug("{}: {} was not run within {}, closing", stack, flow, timeout);
                          SocketClose.close(flow, 0, false, null);
                        }
                      },
                      stack.system().executionContext()));
      Flow<ByteString, ByteString, NotUsed> handler =
          Flow.fromGraph(
                  new ConnectionStage(
                      () ->
                          claimed.compareAndSet(false, true)
                              ? CompletableFuture.completedFuture(flow)
                              : CompletableFuture.failedFuture(
                                  new StreamTcpException(
                                      "The connection actor has terminated. Stopping now.")),
                      flow.dst(),
                      halfClose,
                      Optional.empty(),
                      idleTimeout,
                      stack.clock(),
                      true))
              .mapMaterializedValue(m -> NotUsed.getInstance());
      Tcp.IncomingConnection connection =
          new Tcp.IncomingConnection(
              new org.apache.pekko.stream.scaladsl.Tcp.IncomingConnection(
                  flow.src(), flow.dst(), handler.asScala()));
      VirtualTcp.remember(connection, flow);
      return connection;
    }

    private void unbind() {
      if (!accepting.compareAndSet(true, false)) {
        return;
      }
      if (boundPort >= 0) {
        stack.tcp().unlisten(boundPort);
      }
      while (!waiting.isEmpty()) {
        waiting.pollFirst().abort();
      }
      unbound.complete(Done.getInstance());
      completeStage();
    }

    @Override
    public void postStop() {
      if (accepting.compareAndSet(true, false) && boundPort >= 0) {
        stack.tcp().unlisten(boundPort);
      }
      while (!waiting.isEmpty()) {
        waiting.pollFirst().abort();
      }
      unbound.complete(Done.getInstance());
      binding.completeExceptionally(
          new java.util.NoSuchElementException(
              "Binding was unbound before it was completely finished"));
    }
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }
}
