package dev.vnetif.cli;

import dev.vnetif.Stack;
import dev.vnetif.TcpFlow;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One iperf run between two hosts, after mirage-tcpip's test_iperf: the server listens, the client
 * connects, each end writes its share of pseudo-random bytes (the client's, the server's or both)
 * while reading the other's to EOF, and both close.
 */
final class IperfTransfer {

  /** The transfer failed or did not finish in time; the message says how and where it stood. */
  static final class FailedException extends Exception {
    FailedException(String message) {
      super(message);
    }
  }

  private final Stack client;
  private final Stack server;
  private final int port;
  private final long clientSends;
  private final long serverSends;
  private final int writeSize;
  private final long seed;
  private final AtomicLong received = new AtomicLong();

  /**
   * @param clientSends bytes the client writes to the server
   * @param serverSends bytes the server writes to the client
   * @param seed the network's seed; each direction's payload is derived from it
   */
  IperfTransfer(
      Stack client,
      Stack server,
      int port,
      long clientSends,
      long serverSends,
      int writeSize,
      long seed) {
    this.client = client;
    this.server = server;
    this.port = port;
    this.clientSends = clientSends;
    this.serverSends = serverSends;
    this.writeSize = writeSize;
    this.seed = seed;
  }

  /** Bytes both ends will have read at the end. */
  long totalBytes() {
    return clientSends + serverSends;
  }

  /** Bytes read so far, by both ends together; safe to call from any thread. */
  long bytesReceived() {
    return received.get();
  }

  /**
   * Runs the transfer on the calling thread, which waits (never an actor's thread), and returns a
   * report per direction that carried data (client to server first).
   *
   * @throws FailedException when connecting or transferring fails, or {@code timeout} passes
   */
  List<IperfReport> run(Duration timeout) throws FailedException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    CompletableFuture<TcpFlow> serverFlow = new CompletableFuture<>();
    CompletableFuture<IperfEndpoint.Outcome> serverOutcome = new CompletableFuture<>();
    server
        .tcp()
        .listen(
            port,
            flow -> {
              if (!serverFlow.complete(flow)) {
                flow.abort(); // not the client's connection: this run has exactly one
                return CompletableFuture.completedFuture(null);
              }
              return IperfEndpoint.run(
                      flow, serverSends, writeSize, serverPayload(), serverSends > 0, received)
                  .whenComplete(
                      (outcome, error) -> {
                        if (error != null) {
                          serverOutcome.completeExceptionally(error);
                        } else {
                          serverOutcome.complete(outcome);
                        }
                      })
                  // The endpoint already aborted the flow on failure: keep the listener from
                  // logging it as a failed callback too.
                  .handle((outcome, error) -> null);
            });
    TcpFlow clientFlow = null;
    try {
      InetSocketAddress target = new InetSocketAddress(server.address(), port);
      clientFlow =
          await(
              client.tcp().createConnection(target).toCompletableFuture(),
              deadline,
              "connect to " + server.name() + " " + hostPort(target));
      // The client closes first unless it only receives: with nothing to send either way
      // (--size 0) someone has to, and a server that only receives waits for EOF.
      boolean clientOnlyReceives = clientSends == 0 && serverSends > 0;
      CompletableFuture<IperfEndpoint.Outcome> clientOutcome =
          IperfEndpoint.run(
                  clientFlow,
                  clientSends,
                  writeSize,
                  clientPayload(),
                  !clientOnlyReceives,
                  received)
              .toCompletableFuture();
      await(bothOrFirstFailure(clientOutcome, serverOutcome), deadline, "transfer");
      return reports(clientFlow, serverFlow.join(), clientOutcome.join(), serverOutcome.join());
    } catch (FailedException e) {
      String state =
          clientFlow == null
              ? ""
              : String.format(
                  "%n  client flow: %s%n  server flow: %s",
                  clientFlow.stats(),
                  serverFlow.isDone() ? serverFlow.join().stats() : "not accepted");
      abort(clientFlow, serverFlow.getNow(null));
      throw new FailedException(e.getMessage() + state);
    } finally {
      server.tcp().unlisten(port);
    }
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
    if (clientSends > 0 || serverSends == 0) {
      reports.add(
          new IperfReport(
              clientEnd, serverEnd, atClient.sent(), atServer.received(), clientFlow.stats()));
    }
    if (serverSends > 0) {
      reports.add(
          new IperfReport(
              serverEnd, clientEnd, atServer.sent(), atClient.received(), serverFlow.stats()));
    }
    return reports;
  }

  private <T> T await(CompletableFuture<T> stage, long deadline, String what)
      throws FailedException, InterruptedException {
    try {
      return stage.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable cause = IperfEndpoint.unwrap(e);
      throw new FailedException(
          what + " failed: " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
    } catch (TimeoutException e) {
      throw new FailedException(
          String.format(
              "%s did not finish in time: %d of %d bytes read",
              what, bytesReceived(), totalBytes()));
    }
  }

  /** Completes when both do, or fails as soon as either fails. */
  private static CompletableFuture<Void> bothOrFirstFailure(
      CompletableFuture<?> a, CompletableFuture<?> b) {
    CompletableFuture<Void> both = new CompletableFuture<>();
    CompletableFuture.allOf(a, b).thenRun(() -> both.complete(null));
    a.exceptionally(
        error -> {
          both.completeExceptionally(error);
          return null;
        });
    b.exceptionally(
        error -> {
          both.completeExceptionally(error);
          return null;
        });
    return both;
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
