package dev.vnetif.cli;

import dev.vnetif.Stack;
import dev.vnetif.TcpFlow;
import dev.vnetif.TcpFlowStats;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.pekko.actor.Cancellable;

/**
 * One iperf run between two hosts, after mirage-tcpip's test_iperf: the server listens, the client
 * connects, each end writes its share of pseudo-random bytes (the client's, the server's or both)
 * while reading the other's to EOF, and both close.
 */
final class IperfTransfer {

  /** The transfer failed or did not finish in time; the message says how and where it stood. */
  static final class FailedException extends Exception {
    private final transient TcpFlowStats clientStats;
    private final transient TcpFlowStats serverStats;

    FailedException(String message) {
      this(message, null, null);
    }

    FailedException(String message, TcpFlowStats clientStats, TcpFlowStats serverStats) {
      super(message);
      this.clientStats = clientStats;
      this.serverStats = serverStats;
    }

    /** The client flow's counters when it failed, or null when it never connected. */
    TcpFlowStats clientStats() {
      return clientStats;
    }

    /** The server flow's counters when it failed, or null when it was never accepted. */
    TcpFlowStats serverStats() {
      return serverStats;
    }
  }

  /** A sender's byte count that means "until the test time is up". */
  static final long UNTIL_STOPPED = Long.MAX_VALUE;

  /**
   * A finished run.
   *
   * @param clientLocal the client's end of the connection; {@code serverLocal} the server's
   * @param clientMss the client's MSS, iperf3's {@code tcp_mss_default}
   * @param reports per direction: exact bytes, TCP counters, the content check
   */
  record Result(
      InetSocketAddress clientLocal,
      InetSocketAddress serverLocal,
      int clientMss,
      IperfTimeline.Result timeline,
      List<IperfSummary> summaries,
      List<IperfReport> reports) {}

  private final Stack client;
  private final Stack server;
  private final int port;
  private final long clientSends;
  private final long serverSends;
  private final int writeSize;
  private final long seed;
  private final TrafficClock clock;

  /** Client to server (iperf3's TX-C), or null when the client only receives. */
  private final IperfStream toServer;

  /** Server to client (RX-C), or null when the server only receives. */
  private final IperfStream toClient;

  private final List<IperfStream> streams = new ArrayList<>();

  /**
   * @param clientSends bytes the client writes to the server, {@link #UNTIL_STOPPED} for a timed
   *     run
   * @param serverSends bytes the server writes to the client, likewise
   * @param seed the network's seed; each direction's payload is derived from it
   */
  IperfTransfer(
      Stack client,
      Stack server,
      int port,
      long clientSends,
      long serverSends,
      int writeSize,
      long seed,
      TrafficClock clock) {
    this.client = client;
    this.server = server;
    this.port = port;
    this.clientSends = clientSends;
    this.serverSends = serverSends;
    this.writeSize = writeSize;
    this.seed = seed;
    this.clock = clock;
    boolean bidir = clientSends > 0 && serverSends > 0;
    // With nothing to send either way (--size 0) the run still reports the client's direction.
    this.toServer =
        clientSends > 0 || serverSends == 0 ? new IperfStream(bidir ? "TX-C" : "", true) : null;
    this.toClient = serverSends > 0 ? new IperfStream(bidir ? "RX-C" : "", false) : null;
    if (toServer != null) {
      streams.add(toServer);
    }
    if (toClient != null) {
      streams.add(toClient);
    }
  }

  /** The run's directions: client to server first, when the client sends. */
  List<IperfStream> streams() {
    return List.copyOf(streams);
  }

  /** Bytes both ends will have read at the end of a --size run. */
  long totalBytes() {
    return clientSends + serverSends;
  }

  /** Bytes read so far, by both ends together; safe to call from any thread. */
  long bytesReceived() {
    return streams.stream().mapToLong(s -> s.read.get()).sum();
  }

  /**
   * Starts the transfer; nothing waits: each step follows from the one before, and the steps of the
   * run itself (starting the writers, the timeline) run on the clock's executor. {@code connected}
   * is told the client's flow once both ends are connected, {@code intervals} gets each interval as
   * it ends.
   *
   * @return completes with the run; fails with a {@link FailedException} when connecting or
   *     transferring fails or {@code timeout} (of the clock's time) passes, after aborting both
   *     flows; a host that crashed before the run fails it with what its TCP threw
   */
  CompletableFuture<Result> start(
      Duration timeout,
      IperfTimeline.Plan plan,
      Consumer<TcpFlow> connected,
      Consumer<IperfInterval> intervals) {
    CompletableFuture<TcpFlow> serverFlow = new CompletableFuture<>();
    CompletableFuture<Void> go = new CompletableFuture<>();
    CompletableFuture<IperfEndpoint.Running> atServer = new CompletableFuture<>();
    server
        .tcp()
        .listen(
            port,
            flow -> {
              if (!serverFlow.complete(flow)) {
                flow.abort(); // not the client's connection: this run has exactly one
                return CompletableFuture.completedFuture(null);
              }
              // The server starts with the client, once the timeline has its time zero.
              return go.thenCompose(
                      ignored -> {
                        IperfEndpoint.Running running =
                            IperfEndpoint.run(
                                flow,
                                serverSends,
                                writeSize,
                                serverPayload(),
                                serverSends > 0,
                                written(toClient),
                                read(toServer),
                                clock);
                        atServer.complete(running);
                        return running.outcome();
                      })
                  // The endpoint already aborted the flow on failure: keep the listener from
                  // logging it as a failed callback too.
                  .handle((outcome, error) -> null);
            });
    InetSocketAddress target = new InetSocketAddress(server.address(), port);
    String connecting = "connect to " + server.name() + " " + hostPort(target);
    CompletableFuture<TcpFlow> connect;
    try {
      connect = client.tcp().createConnection(target).toCompletableFuture();
    } catch (RuntimeException crashed) {
      // A client that crashed before the run has no TCP to connect with.
      go.complete(null);
      server.tcp().unlisten(port);
      throw crashed;
    }
    CompletableFuture<Void> expired = new CompletableFuture<>();
    Cancellable deadline = clock.schedule(timeout.toNanos(), () -> expired.complete(null));
    CompletableFuture<TcpFlow> clientFlow = within(connect, expired, connecting);
    CompletableFuture<Result> run =
        clientFlow
            .thenCompose(flow -> within(serverFlow, expired, connecting))
            .thenComposeAsync(
                accepted ->
                    transfer(
                        clientFlow.join(),
                        accepted,
                        plan,
                        go,
                        atServer,
                        expired,
                        connected,
                        intervals,
                        connecting),
                clock.executor());
    CompletableFuture<Result> ended = new CompletableFuture<>();
    run.whenComplete(
        (result, error) -> {
          try {
            deadline.cancel();
            go.complete(null); // a server accepted after a failed connect ends at once, aborted
            server.tcp().unlisten(port);
          } finally {
            if (error == null) {
              ended.complete(result);
            } else {
              ended.completeExceptionally(
                  failedWithState(
                      IperfEndpoint.unwrap(error), valueOf(clientFlow), valueOf(serverFlow)));
            }
          }
        });
    return ended;
  }

  /** Both ends connected, on the clock's executor: time zero, the writers, the timeline. */
  private CompletableFuture<Result> transfer(
      TcpFlow clientFlow,
      TcpFlow accepted,
      IperfTimeline.Plan plan,
      CompletableFuture<Void> go,
      CompletableFuture<IperfEndpoint.Running> atServer,
      CompletableFuture<Void> expired,
      Consumer<TcpFlow> connected,
      Consumer<IperfInterval> intervals,
      String connecting) {
    if (toServer != null) {
      toServer.sender(clientFlow);
    }
    if (toClient != null) {
      toClient.sender(accepted);
    }
    connected.accept(clientFlow);
    List<IperfStream.Snapshot> start = IperfTimeline.snapshots(streams, clock.nanos());
    go.complete(null);
    // The client closes first unless it only receives: with nothing to send either way
    // (--size 0) someone has to, and a server that only receives waits for EOF.
    boolean clientOnlyReceives = clientSends == 0 && serverSends > 0;
    IperfEndpoint.Running atClient =
        IperfEndpoint.run(
            clientFlow,
            clientSends,
            writeSize,
            clientPayload(),
            !clientOnlyReceives,
            written(toServer),
            read(toClient),
            clock);
    return within(atServer, expired, connecting)
        .thenCompose(
            serverEnd -> {
              CompletableFuture<IperfEndpoint.Outcome> clientOutcome = atClient.outcome();
              CompletableFuture<IperfEndpoint.Outcome> serverOutcome = serverEnd.outcome();
              CompletableFuture<Void> written =
                  firstFailureOf(
                      CompletableFuture.allOf(atClient.written(), serverEnd.written()),
                      clientOutcome,
                      serverOutcome);
              Runnable stop =
                  () -> {
                    atClient.stop().run();
                    serverEnd.stop().run();
                  };
              CompletableFuture<IperfTimeline.Result> timeline =
                  IperfTimeline.start(streams, start, plan, written, stop, clock, intervals);
              CompletableFuture<Void> bothEnded =
                  firstFailureOf(
                      CompletableFuture.allOf(clientOutcome, serverOutcome),
                      clientOutcome,
                      serverOutcome);
              return within(timeline, expired, "transfer")
                  .thenCompose(t -> within(bothEnded, expired, "transfer").thenApply(v -> t))
                  .whenComplete(
                      (t, error) -> {
                        if (error != null) {
                          // The run gave up: no boundary of the timeline may run after it.
                          timeline.cancel(false);
                        }
                      })
                  .thenApply(
                      t ->
                          result(
                              clientFlow, accepted, t, clientOutcome.join(), serverOutcome.join()));
            });
  }

  /**
   * A failure as the user reads it: what failed and, once connected, both flows' state; both flows
   * are aborted so that neither end waits on the other.
   */
  private Throwable failedWithState(Throwable error, TcpFlow clientFlow, TcpFlow accepted) {
    if (!(error instanceof FailedException e)) {
      abort(clientFlow, accepted);
      return error;
    }
    TcpFlowStats clientStats = clientFlow == null ? null : clientFlow.stats();
    TcpFlowStats serverStats = accepted == null ? null : accepted.stats();
    String state =
        clientFlow == null
            ? ""
            : String.format(
                "%n  client flow: %s%n  server flow: %s",
                clientStats, accepted != null ? serverStats : "not accepted");
    abort(clientFlow, accepted);
    return new FailedException(e.getMessage() + state, clientStats, serverStats);
  }

  private Result result(
      TcpFlow clientFlow,
      TcpFlow serverFlow,
      IperfTimeline.Result timeline,
      IperfEndpoint.Outcome atClient,
      IperfEndpoint.Outcome atServer) {
    List<IperfSummary> summaries = new ArrayList<>();
    for (int i = 0; i < streams.size(); i++) {
      IperfStream s = streams.get(i);
      summaries.add(
          IperfSummary.of(
              i, s, timeline, s == toServer ? atServer.received() : atClient.received()));
    }
    return new Result(
        clientFlow.src(),
        serverFlow.src(),
        clientFlow.stats().mss(),
        timeline,
        summaries,
        reports(clientFlow, serverFlow, atClient, atServer));
  }

  private static AtomicLong written(IperfStream stream) {
    return stream == null ? new AtomicLong() : stream.written;
  }

  private static AtomicLong read(IperfStream stream) {
    return stream == null ? new AtomicLong() : stream.read;
  }

  private PseudoRandomPayload clientPayload() {
    return new PseudoRandomPayload(seed);
  }

  /** Another stream than the client's, so that --bidir data crossed over would show. */
  private PseudoRandomPayload serverPayload() {
    return new PseudoRandomPayload(~seed);
  }

  private List<IperfReport> reports(
      TcpFlow clientFlow,
      TcpFlow serverFlow,
      IperfEndpoint.Outcome atClient,
      IperfEndpoint.Outcome atServer) {
    String clientEnd = client.name() + " " + hostPort(clientFlow.src());
    String serverEnd = server.name() + " " + hostPort(serverFlow.src());
    List<IperfReport> reports = new ArrayList<>();
    if (toServer != null) {
      reports.add(
          new IperfReport(
              clientEnd, serverEnd, atClient.sent(), atServer.received(), clientFlow.stats()));
    }
    if (toClient != null) {
      reports.add(
          new IperfReport(
              serverEnd, clientEnd, atServer.sent(), atClient.received(), serverFlow.stats()));
    }
    return reports;
  }

  /**
   * Completes as {@code stage} does, or fails with a {@link FailedException} naming {@code what}
   * when {@code stage} fails or {@code expired} comes first.
   */
  private <T> CompletableFuture<T> within(
      CompletableFuture<T> stage, CompletableFuture<Void> expired, String what) {
    CompletableFuture<T> outcome = new CompletableFuture<>();
    stage.whenComplete(
        (value, error) -> {
          if (error != null) {
            outcome.completeExceptionally(failed(what, error));
          } else {
            outcome.complete(value);
          }
        });
    expired.thenRun(() -> outcome.completeExceptionally(notInTime(what)));
    return outcome;
  }

  private static FailedException failed(String what, Throwable error) {
    Throwable cause = IperfEndpoint.unwrap(error);
    if (cause instanceof FailedException already) {
      return already;
    }
    return new FailedException(
        what + " failed: " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
  }

  private FailedException notInTime(String what) {
    boolean timed = clientSends == UNTIL_STOPPED || serverSends == UNTIL_STOPPED;
    return new FailedException(
        timed
            ? String.format("%s did not finish in time: %d bytes read", what, bytesReceived())
            : String.format(
                "%s did not finish in time: %d of %d bytes read",
                what, bytesReceived(), totalBytes()));
  }

  /** The flow a stage completed with, or null when it has not or it failed. */
  private static TcpFlow valueOf(CompletableFuture<TcpFlow> flow) {
    return flow.isDone() && !flow.isCompletedExceptionally() ? flow.join() : null;
  }

  /** Completes as {@code main} does, or fails as soon as any of {@code watched} fails. */
  private static CompletableFuture<Void> firstFailureOf(
      CompletableFuture<?> main, CompletableFuture<?>... watched) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    main.whenComplete(
        (ignored, error) -> {
          if (error != null) {
            result.completeExceptionally(error);
          } else {
            result.complete(null);
          }
        });
    for (CompletableFuture<?> w : watched) {
      w.exceptionally(
          error -> {
            result.completeExceptionally(error);
            return null;
          });
    }
    return result;
  }

  private static void abort(TcpFlow... flows) {
    for (TcpFlow flow : flows) {
      if (flow != null) {
        flow.abort();
      }
    }
  }

  private static String hostPort(InetSocketAddress address) {
    return address.getAddress().getHostAddress() + ":" + address.getPort();
  }
}
