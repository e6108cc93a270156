package dev.vnetif.cli;

import dev.vnetif.Stack;
import dev.vnetif.TcpFlow;
import dev.vnetif.TcpFlowStats;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

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
  private final IperfClock clock;

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
      IperfClock clock) {
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

  /** Bytes both ends will have read at the end of a --size run. */
  long totalBytes() {
    return clientSends + serverSends;
  }

  /** Bytes read so far, by both ends together; safe to call from any thread. */
  long bytesReceived() {
    return streams.stream().mapToLong(s -> s.read.get()).sum();
  }

  /**
   * Runs the transfer on the calling thread, which waits (never an actor's thread) and keeps the
   * timeline: {@code connected} is told the client's flow once both ends are connected, {@code
   * intervals} gets each interval as it ends.
   *
   * @throws FailedException when connecting or transferring fails, or {@code timeout} passes
   */
  Result run(
      Duration timeout,
      IperfTimeline.Plan plan,
      Consumer<TcpFlow> connected,
      Consumer<IperfInterval> intervals)
      throws FailedException, InterruptedException {
    long deadline = clock.nanos() + timeout.toNanos();
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
    TcpFlow clientFlow = null;
    try {
      InetSocketAddress target = new InetSocketAddress(server.address(), port);
      String connecting = "connect to " + server.name() + " " + hostPort(target);
      clientFlow =
          await(client.tcp().createConnection(target).toCompletableFuture(), deadline, connecting);
      TcpFlow accepted = await(serverFlow, deadline, connecting);
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
      IperfEndpoint.Running serverEnd = await(atServer, deadline, connecting);
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
      IperfTimeline.Result timeline = timeline(start, plan, written, stop, deadline, intervals);
      await(
          firstFailureOf(
              CompletableFuture.allOf(clientOutcome, serverOutcome), clientOutcome, serverOutcome),
          deadline,
          "transfer");
      return result(clientFlow, accepted, timeline, clientOutcome.join(), serverOutcome.join());
    } catch (FailedException e) {
      TcpFlowStats clientStats = clientFlow == null ? null : clientFlow.stats();
      TcpFlow accepted = serverFlow.getNow(null);
      TcpFlowStats serverStats = accepted == null ? null : accepted.stats();
      String state =
          clientFlow == null
              ? ""
              : String.format(
                  "%n  client flow: %s%n  server flow: %s",
                  clientStats, accepted != null ? serverStats : "not accepted");
      abort(clientFlow, accepted);
      throw new FailedException(e.getMessage() + state, clientStats, serverStats);
    } finally {
      go.complete(null); // a server accepted after a failed connect ends at once, aborted
      server.tcp().unlisten(port);
    }
  }

  private IperfTimeline.Result timeline(
      List<IperfStream.Snapshot> start,
      IperfTimeline.Plan plan,
      CompletableFuture<Void> written,
      Runnable stop,
      long deadline,
      Consumer<IperfInterval> intervals)
      throws FailedException, InterruptedException {
    try {
      return IperfTimeline.run(streams, start, plan, written, stop, deadline, clock, intervals);
    } catch (ExecutionException e) {
      throw failed("transfer", e);
    } catch (TimeoutException e) {
      throw notInTime("transfer");
    }
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

  private <T> T await(CompletableFuture<T> stage, long deadline, String what)
      throws FailedException, InterruptedException {
    try {
      return stage.get(Math.max(0, deadline - clock.nanos()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw failed(what, e);
    } catch (TimeoutException e) {
      throw notInTime(what);
    }
  }

  private static FailedException failed(String what, ExecutionException e) {
    Throwable cause = IperfEndpoint.unwrap(e);
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
