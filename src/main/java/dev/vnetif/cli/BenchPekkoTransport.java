package dev.vnetif.cli;

import static dev.vnetif.cli.BenchPayloads.ONE_BYTE;
import static dev.vnetif.cli.BenchPayloads.REQUEST_SIZE;
import static dev.vnetif.cli.BenchPayloads.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.japi.function.Procedure;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import scala.util.Try;

/**
 * The workloads over Pekko Streams {@link Tcp} on 127.0.0.1: real sockets through the kernel's
 * loopback, with Pekko's default socket options and buffers. Each run binds a server on a free port
 * and unbinds it afterwards.
 */
final class BenchPekkoTransport implements BenchTransport {
  private static final String HOST = "127.0.0.1";
  private static final Duration SETUP = Duration.ofSeconds(30);

  private final ActorSystem<?> system;
  private final Tcp tcp;

  BenchPekkoTransport(ActorSystem<?> system) {
    this.system = system;
    this.tcp = Tcp.get(system);
  }

  @Override
  public String name() {
    return "pekko-tcp";
  }

  @Override
  public String describe() {
    return "pekko-tcp: Pekko Streams Tcp, "
        + HOST
        + " (kernel loopback), default options "
        + "(server halfClose off, client halfClose on), clients driven from inside the "
        + "streams";
  }

  @Override
  public BulkResult bulk(long bytes, Duration deadline) throws Exception {
    CompletableFuture<Long> received = new CompletableFuture<>();
    Sink<ByteString, CompletionStage<Long>> counter =
        Sink.fold(
            0L,
            (offset, piece) -> {
              BenchPayloads.checkBulkPiece(piece, offset);
              return offset + piece.size();
            });
    // Coupled: the client's end of stream completes the counter and closes our side.
    Tcp.ServerBinding binding =
        bind(
            connection ->
                connection
                    .handleWith(
                        Flow.fromSinkAndSourceCoupledMat(
                            counter, Source.<ByteString>maybe(), Keep.left()),
                        system)
                    .whenComplete((n, e) -> BenchPayloads.complete(received, n, e)));
    try {
      long writes = BenchPayloads.bulkWrites(bytes);
      long start = WallClock.nanos();
      CompletionStage<Done> clientDone =
          Source.fromIterator(
                  () ->
                      LongStream.range(0, writes)
                          .mapToObj(i -> BenchPayloads.bulkWrite(i, bytes))
                          .iterator())
              .via(tcp.outgoingConnection(HOST, binding.localAddress().getPort()))
              .runWith(Sink.ignore(), system);
      failOnError(clientDone, received, "bulk: the client");
      long got = await(received, deadline, "bulk over pekko-tcp", () -> "");
      await(clientDone, SETUP, "bulk over pekko-tcp: client close", () -> "");
      long nanos = WallClock.nanos() - start;
      if (got != bytes) {
        throw new BenchFailure("bulk over pekko-tcp: sent " + bytes + " bytes, server read " + got);
      }
      return new BulkResult(bytes, nanos);
    } finally {
      binding.unbind();
    }
  }

  @Override
  public PingPongResult pingPong(int roundTrips, Duration deadline) throws Exception {
    CompletableFuture<Done> done = new CompletableFuture<>();
    Tcp.ServerBinding binding =
        bind(
            connection ->
                connection.handleWith(
                    echoFlow(
                        end -> {
                          if (end.isFailure()) {
                            done.completeExceptionally(
                                BenchPayloads.failure(
                                    "pingpong: the echo server", end.failed().get()));
                          }
                        }),
                    system));
    try {
      PingPongClient client = new PingPongClient(roundTrips, done);
      Pair<
              Pair<BoundedSourceQueue<ByteString>, CompletionStage<Tcp.OutgoingConnection>>,
              CompletionStage<Done>>
          stream =
              Source.<ByteString>queue(4)
                  .viaMat(
                      tcp.outgoingConnection(HOST, binding.localAddress().getPort()), Keep.both())
                  .toMat(Sink.foreach(client::onReply), Keep.both())
                  .run(system);
      await(stream.first().second(), SETUP, "pingpong over pekko-tcp: connect", () -> "");
      CompletionStage<Done> closed = stream.second();
      closed.whenComplete(
          (d, e) ->
              done.completeExceptionally(
                  e != null
                      ? BenchPayloads.failure("pingpong over pekko-tcp", e)
                      : new BenchFailure(
                          "pingpong over pekko-tcp: the server closed after "
                              + client.completed
                              + " round trips")));
      long start = WallClock.nanos();
      client.start(stream.first().first());
      await(
          done, deadline, "pingpong over pekko-tcp", () -> client.completed + " round trips done");
      long nanos = WallClock.nanos() - start;
      stream.first().first().complete();
      await(closed, SETUP, "pingpong over pekko-tcp: close", () -> "");
      return new PingPongResult(roundTrips, nanos, client.latency);
    } finally {
      binding.unbind();
    }
  }

  /**
   * The ping-pong client: it runs inside the stream (each reply piece arrives on the stream's
   * thread, which sends the next request), so no future callback sits between two round trips.
   */
  private static final class PingPongClient {
    final long[] latency;
    final CompletableFuture<Done> done;
    volatile int completed;
    private BoundedSourceQueue<ByteString> requests;
    private ByteString sofar = ByteString.emptyByteString();
    private long sent;

    PingPongClient(int roundTrips, CompletableFuture<Done> done) {
      this.latency = new long[roundTrips];
      this.done = done;
    }

    void start(BoundedSourceQueue<ByteString> queue) {
      this.requests = queue;
      send(0);
    }

    private void send(int i) {
      sent = WallClock.nanos();
      QueueOfferResult offered = requests.offer(BenchPayloads.request(i));
      if (!offered.equals(QueueOfferResult.enqueued())) {
        done.completeExceptionally(
            new BenchFailure(
                "pingpong over pekko-tcp: request " + i + " not accepted: " + offered));
      }
    }

    void onReply(ByteString piece) {
      int i = completed;
      sofar = sofar.concat(piece);
      if (sofar.size() < REQUEST_SIZE) {
        return;
      }
      latency[i] = WallClock.nanos() - sent;
      if (sofar.size() > REQUEST_SIZE) {
        throw new BenchFailure(
            "pingpong over pekko-tcp: read "
                + sofar.size()
                + " bytes where "
                + REQUEST_SIZE
                + " were expected");
      }
      BenchPayloads.checkEcho(sofar, i);
      sofar = ByteString.emptyByteString();
      completed = i + 1;
      if (i + 1 == latency.length) {
        done.complete(Done.getInstance());
      } else {
        send(i + 1);
      }
    }
  }

  @Override
  public ConnectionRateResult connectionRate(int connections, int concurrency, Duration deadline)
      throws Exception {
    AtomicInteger served = new AtomicInteger();
    CompletableFuture<Done> allServed = new CompletableFuture<>();
    Tcp.ServerBinding binding =
        bind(
            connection ->
                connection.handleWith(
                    echoFlow(
                        end -> {
                          if (end.isFailure()) {
                            allServed.completeExceptionally(
                                BenchPayloads.failure(
                                    "connrate: the server side", end.failed().get()));
                          } else if (served.incrementAndGet() == connections) {
                            allServed.complete(Done.getInstance());
                          }
                        }),
                    system));
    try {
      int port = binding.localAddress().getPort();
      CompletableFuture<Done> done = new CompletableFuture<>();
      failOnError(allServed, done, "connrate: the server side");
      AtomicInteger next = new AtomicInteger();
      AtomicInteger workersLeft = new AtomicInteger(concurrency);
      long start = WallClock.nanos();
      for (int w = 0; w < concurrency; w++) {
        ConnectionWorkers.next(i -> oneConnection(port), connections, next, workersLeft, done);
      }
      await(
          done,
          deadline,
          "connrate over pekko-tcp",
          () -> next.get() + " connections started, " + served.get() + " served");
      long nanos = WallClock.nanos() - start;
      await(
          allServed,
          SETUP,
          "connrate over pekko-tcp, server side",
          () -> served.get() + " of " + connections + " served");
      return new ConnectionRateResult(connections, concurrency, nanos);
    } finally {
      binding.unbind();
    }
  }

  /**
   * Client side of one connection, in the same order as over the virtual network: send a byte, read
   * its echo, then close our side and wait for the server's close. Completes on the stream's thread
   * (Sink.onComplete), not through a materialized future's callback.
   */
  private CompletionStage<Done> oneConnection(int port) {
    CompletableFuture<Done> echoed = new CompletableFuture<>();
    CompletableFuture<Done> result = new CompletableFuture<>();
    ByteString[] received = {ByteString.emptyByteString()};
    Source.single(ONE_BYTE)
        .concat(Source.completionStage(echoed).flatMapConcat(d -> Source.<ByteString>empty()))
        .via(tcp.outgoingConnection(HOST, port))
        .map(
            piece -> {
              received[0] = received[0].concat(piece);
              echoed.complete(Done.getInstance());
              return piece;
            })
        .to(
            Sink.onComplete(
                end -> {
                  if (end.isFailure()) {
                    result.completeExceptionally(end.failed().get());
                  } else if (!received[0].equals(ONE_BYTE)) {
                    result.completeExceptionally(
                        new BenchFailure(
                            "connrate over pekko-tcp: received "
                                + received[0].size()
                                + " bytes, expected the one sent back"));
                  } else {
                    result.complete(Done.getInstance());
                  }
                }))
        .run(system);
    return result;
  }

  @Override
  public MemoryResult heldConnections(int connections, Duration deadline) throws Exception {
    FileDescriptors.checkRoomFor(connections, 2); // the client's socket and the accepted one
    Tcp.ServerBinding binding =
        bind(connection -> connection.handleWith(echoFlow(end -> {}), system));
    try {
      int port = binding.localAddress().getPort();
      return HeldConnections.measure(
          name(),
          connections,
          OPENING_AT_ONCE,
          deadline,
          i -> openOne(port),
          held -> {
            held.release().complete(Done.getInstance()); // our side ends, the server's follows
            return held.ended();
          });
    } finally {
      binding.unbind();
    }
  }

  /** An open client connection: completing {@code release} ends it; {@code ended} follows. */
  private record Held(CompletableFuture<Done> release, CompletableFuture<Done> ended) {}

  /** A connection with one byte echoed, left open until its release. */
  private CompletionStage<Held> openOne(int port) {
    Held held = new Held(new CompletableFuture<>(), new CompletableFuture<>());
    CompletableFuture<Held> echoed = new CompletableFuture<>();
    Source.single(ONE_BYTE)
        .concat(
            Source.completionStage(held.release()).flatMapConcat(d -> Source.<ByteString>empty()))
        .via(tcp.outgoingConnection(HOST, port))
        .map(
            piece -> {
              echoed.complete(held);
              return piece;
            })
        .to(
            Sink.onComplete(
                end -> {
                  if (end.isFailure()) {
                    echoed.completeExceptionally(end.failed().get());
                    held.ended().completeExceptionally(end.failed().get());
                  } else {
                    held.ended().complete(Done.getInstance());
                  }
                }))
        .run(system);
    return echoed;
  }

  /**
   * Writes back what arrives; its end closes the connection (server halfClose is off). {@code
   * onEnd} runs on the stream's thread when the client's side ends.
   */
  private static Flow<ByteString, ByteString, NotUsed> echoFlow(Procedure<Try<Done>> onEnd) {
    return Flow.of(ByteString.class).alsoTo(Sink.onComplete(onEnd));
  }

  private Tcp.ServerBinding bind(Procedure<Tcp.IncomingConnection> handler)
      throws InterruptedException {
    CompletionStage<Tcp.ServerBinding> bound =
        tcp.bind(HOST, 0).to(Sink.foreach(handler)).run(system);
    return await(bound, SETUP, "binding a pekko-tcp server on " + HOST, () -> "");
  }

  private static void failOnError(
      CompletionStage<?> stage, CompletableFuture<?> outcome, String what) {
    stage.whenComplete(
        (v, e) -> {
          if (e != null) {
            outcome.completeExceptionally(BenchPayloads.failure(what, e));
          }
        });
  }

  @Override
  public ChurnResult churn(ChurnPlan plan, Duration deadline) throws Exception {
    return PekkoChurn.run(system, tcp, plan, deadline);
  }

  @Override
  public void close() {
    // Every run unbinds its own server; the actor system belongs to the command.
  }
}
