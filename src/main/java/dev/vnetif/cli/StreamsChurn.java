package dev.vnetif.cli;

import static dev.vnetif.cli.BenchPayloads.await;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * The churn workload in Pekko Streams, over Pekko's {@link Tcp} on 127.0.0.1 or {@code VirtualTcp}
 * from one virtual client host ({@link StreamsTcp}), shaped as over the virtual network's API: the
 * server echoes the request and completes its side, which closes the socket first (so the kernel
 * holds the server's TIME_WAIT), and the client closes, or fails its upstream for the aborted
 * share, which makes Pekko abort the connection (RST). SYN retransmissions are not visible through
 * Streams; connects over 1 s stand for them.
 */
final class StreamsChurn {
  private static final Duration SETUP = Duration.ofSeconds(30);

  /** What the client's upstream fails with to abort; its arrival is the expected end. */
  private static final class AbortRequested extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AbortRequested() {
      super("churn: abort requested", null, false, false);
    }
  }

  private final String transport;
  private final ActorSystem<?> system;
  private final StreamsTcp tcp;
  private final ChurnPlan plan;
  private final boolean[] aborts;
  private final long[] connectNanos;
  private final AtomicInteger aborted = new AtomicInteger();
  private final AtomicLong reused = new AtomicLong();
  private final Set<Integer> portsUsed = ConcurrentHashMap.newKeySet();
  private int port;

  private StreamsChurn(String transport, ActorSystem<?> system, StreamsTcp tcp, ChurnPlan plan) {
    this.transport = transport;
    this.system = system;
    this.tcp = tcp;
    this.plan = plan;
    this.aborts = plan.aborts();
    this.connectNanos = new long[plan.connections()];
  }

  static ChurnResult run(
      String transport, ActorSystem<?> system, StreamsTcp tcp, ChurnPlan plan, Duration deadline)
      throws InterruptedException {
    return new StreamsChurn(transport, system, tcp, plan).run(deadline);
  }

  private ChurnResult run(Duration deadline) throws InterruptedException {
    // The server's side: gather the request, echo it, complete: the socket closes (FIN) first.
    Flow<ByteString, ByteString, ?> echoThenClose =
        Flow.of(ByteString.class)
            .scan(ByteString.emptyByteString(), ByteString::concat)
            .filter(sofar -> sofar.size() >= ChurnPlan.ECHO_BYTES)
            .take(1);
    Tcp.ServerBinding binding =
        await(
            tcp.bind(0).to(Sink.foreach(c -> c.handleWith(echoThenClose, system))).run(system),
            SETUP,
            "binding the churn server on " + tcp.serverHost(),
            () -> "");
    port = binding.localAddress().getPort();
    try {
      CompletableFuture<Done> done = new CompletableFuture<>();
      AtomicInteger next = new AtomicInteger();
      AtomicInteger workersLeft = new AtomicInteger(plan.concurrency());
      long start = WallClock.nanos();
      for (int w = 0; w < plan.concurrency(); w++) {
        ConnectionWorkers.next(this::connection, plan.connections(), next, workersLeft, done);
      }
      await(done, deadline, "churn over " + transport, () -> next.get() + " connections started");
      long nanos = WallClock.nanos() - start;
      return new ChurnResult(
          plan.connections(), nanos, connectNanos, -1, aborted.get(), reused.get(), -1);
    } finally {
      binding.unbind();
    }
  }

  private CompletionStage<Done> connection(int i) {
    ByteString request = BenchPayloads.churnRequest(i);
    CompletableFuture<Done> echoed = new CompletableFuture<>();
    CompletableFuture<Done> result = new CompletableFuture<>();
    boolean abort = aborts[i];
    ByteString[] received = {ByteString.emptyByteString()};
    long asked = WallClock.nanos();
    Source<ByteString, ?> afterEcho =
        Source.completionStage(echoed)
            .flatMapConcat(
                d -> abort ? Source.<ByteString>failed(new AbortRequested()) : Source.empty());
    Pair<CompletionStage<Tcp.OutgoingConnection>, CompletionStage<Done>> ran =
        Source.single(request)
            .concat(afterEcho)
            .viaMat(tcp.outgoingConnection(port), Keep.right())
            .map(
                piece -> {
                  received[0] = received[0].concat(piece);
                  if (received[0].size() >= ChurnPlan.ECHO_BYTES) {
                    echoed.complete(Done.getInstance());
                  }
                  return piece;
                })
            .toMat(Sink.ignore(), Keep.both())
            .run(system);
    ran.first()
        .thenAccept(
            c -> {
              connectNanos[i] = WallClock.nanos() - asked;
              if (!portsUsed.add(c.localAddress().getPort())) {
                reused.incrementAndGet();
              }
            });
    ran.second()
        .whenComplete(
            (d, e) -> {
              Throwable cause = e != null && e.getCause() != null ? e.getCause() : e;
              if (e != null && !(abort && echoed.isDone())) {
                result.completeExceptionally(e);
              } else if (!received[0].equals(request)) {
                result.completeExceptionally(
                    new BenchFailure(
                        "churn over "
                            + transport
                            + ": connection "
                            + i
                            + " echoed "
                            + received[0].size()
                            + " other bytes"
                            + (cause == null ? "" : " (" + cause + ")")));
              } else {
                if (abort) {
                  aborted.incrementAndGet();
                }
                result.complete(Done.getInstance());
              }
            });
    return result;
  }
}
