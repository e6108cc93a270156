package dev.vnetif.cli;

import static dev.vnetif.cli.BenchPayloads.ONE_BYTE;
import static dev.vnetif.cli.BenchPayloads.REQUEST_SIZE;
import static dev.vnetif.cli.BenchPayloads.await;

import dev.vnetif.NetworkConfig;
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
 * The workloads in Pekko Streams, over either TCP a {@link StreamsTcp} gives: Pekko's own {@link
 * Tcp} on 127.0.0.1 (real sockets through the kernel's loopback, Pekko's default socket options and
 * buffers), or {@link dev.vnetif.stream.VirtualTcp} on a virtual network. Both run this same code,
 * so the Streams comparison measures the transport under it and nothing else. Each run binds a
 * server on a free port and unbinds it afterwards.
 */
final class BenchStreamsTransport implements BenchTransport {
  /** The column of Pekko's {@code Tcp} over the kernel's loopback. */
  static final String PEKKO = "pekko-tcp";

  /** The column of {@code VirtualTcp} over the virtual network. */
  static final String STREAMS = "virtual-streams";

  private static final Duration SETUP = Duration.ofSeconds(30);

  private final String name;
  private final String description;
  private final ActorSystem<?> system;
  private final StreamsTcp tcp;
  private final Runnable onClose;

  BenchStreamsTransport(
      String name, String description, ActorSystem<?> system, StreamsTcp tcp, Runnable onClose) {
    this.name = name;
    this.description = description;
    this.system = system;
    this.tcp = tcp;
    this.onClose = onClose;
  }

  /** Pekko Streams {@code Tcp} on 127.0.0.1. */
  static BenchStreamsTransport loopback(ActorSystem<?> system) {
    return new BenchStreamsTransport(
        PEKKO,
        "Pekko Streams Tcp, 127.0.0.1 (kernel loopback), default options",
        system,
        StreamsTcp.loopback(system),
        () -> {});
  }

  /**
   * Pekko Streams over {@code VirtualTcp} on a network of its own, set up as the virtual side's.
   */
  static BenchStreamsTransport virtual(ActorSystem<?> system, NetworkConfig config, int mtu)
      throws InterruptedException {
    BenchHosts hosts = BenchHosts.start(system, config, mtu);
    return new BenchStreamsTransport(
        STREAMS,
        "Pekko Streams VirtualTcp, " + hosts.describe() + ", default options",
        system,
        StreamsTcp.virtual(hosts.client(), hosts.server()),
        hosts::shutdown);
  }

  @Override
  public String name() {
    return name;
  }

  /** The TCP under the Streams code. */
  StreamsTcp tcp() {
    return tcp;
  }

  @Override
  public String describe() {
    return name
        + ": "
        + description
        + " (server halfClose off, client halfClose on), clients driven from inside the streams";
  }

  @Override
  public BulkResult bulk(long bytes, Duration deadline) throws Exception {
    CompletableFuture<Long> received = new CompletableFuture<>();
    Sink<ByteString, CompletionStage<Long>> counter =
        Sink.fold(
            0L,
            (offset, piece) -> {
              try {
                BenchPayloads.checkBulkPiece(piece, offset);
              } catch (BenchFailure wrong) {
                // Said here, on the stream's thread, before the abort it causes reaches the client
                // and the client's failure could be taken for the cause.
                received.completeExceptionally(wrong);
                throw wrong;
              }
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
              .via(tcp.outgoingConnection(binding.localAddress().getPort()))
              .runWith(Sink.ignore(), system);
      failOnError(clientDone, received, "bulk: the client");
      long got = await(received, deadline, "bulk over " + name, () -> "");
      await(clientDone, SETUP, "bulk over " + name + ": client close", () -> "");
      long nanos = WallClock.nanos() - start;
      if (got != bytes) {
        throw new BenchFailure(
            "bulk over " + name + ": sent " + bytes + " bytes, server read " + got);
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
      PingPongClient client = new PingPongClient(name, roundTrips, done);
      Pair<
              Pair<BoundedSourceQueue<ByteString>, CompletionStage<Tcp.OutgoingConnection>>,
              CompletionStage<Done>>
          stream =
              Source.<ByteString>queue(4)
                  .viaMat(tcp.outgoingConnection(binding.localAddress().getPort()), Keep.both())
                  .toMat(Sink.foreach(client::onReply), Keep.both())
                  .run(system);
      await(stream.first().second(), SETUP, "pingpong over " + name + ": connect", () -> "");
      CompletionStage<Done> closed = stream.second();
      closed.whenComplete(
          (d, e) ->
              done.completeExceptionally(
                  e != null
                      ? BenchPayloads.failure("pingpong over " + name, e)
                      : new BenchFailure(
                          "pingpong over "
                              + name
                              + ": the server closed after "
                              + client.completed
                              + " round trips")));
      long start = WallClock.nanos();
      client.start(stream.first().first());
      await(done, deadline, "pingpong over " + name, () -> client.completed + " round trips done");
      long nanos = WallClock.nanos() - start;
      stream.first().first().complete();
      await(closed, SETUP, "pingpong over " + name + ": close", () -> "");
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
    final String transport;
    final long[] latency;
    final CompletableFuture<Done> done;
    volatile int completed;
    private BoundedSourceQueue<ByteString> requests;
    private ByteString sofar = ByteString.emptyByteString();
    private long sent;

    PingPongClient(String transport, int roundTrips, CompletableFuture<Done> done) {
      this.transport = transport;
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
                "pingpong over " + transport + ": request " + i + " not accepted: " + offered));
      }
    }

    void onReply(ByteString piece) {
      try {
        takeReply(piece);
      } catch (BenchFailure wrong) {
        // Said here, before the abort it causes reaches the echo server, whose reset would
        // otherwise be taken for the cause.
        done.completeExceptionally(wrong);
        throw wrong;
      }
    }

    private void takeReply(ByteString piece) {
      int i = completed;
      sofar = sofar.concat(piece);
      if (sofar.size() < REQUEST_SIZE) {
        return;
      }
      latency[i] = WallClock.nanos() - sent;
      if (sofar.size() > REQUEST_SIZE) {
        throw new BenchFailure(
            "pingpong over "
                + transport
                + ": read "
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
          "connrate over " + name,
          () -> next.get() + " connections started, " + served.get() + " served");
      long nanos = WallClock.nanos() - start;
      await(
          allServed,
          SETUP,
          "connrate over " + name + ", server side",
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
        .via(tcp.outgoingConnection(port))
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
                            "connrate over "
                                + name
                                + ": received "
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
    tcp.checkRoomFor(connections);
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
        .via(tcp.outgoingConnection(port))
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
    CompletionStage<Tcp.ServerBinding> bound = tcp.bind(0).to(Sink.foreach(handler)).run(system);
    return await(bound, SETUP, "binding a " + name + " server on " + tcp.serverHost(), () -> "");
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
    return StreamsChurn.run(name, system, tcp, plan, deadline);
  }

  @Override
  public void close() {
    // Every run unbinds its own server; the actor system belongs to the command.
    onClose.run();
  }
}
