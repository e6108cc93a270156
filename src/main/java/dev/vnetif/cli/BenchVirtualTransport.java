package dev.vnetif.cli;

import static dev.vnetif.cli.BenchPayloads.ONE_BYTE;
import static dev.vnetif.cli.BenchPayloads.REQUEST_SIZE;
import static dev.vnetif.cli.BenchPayloads.await;

import dev.vnetif.NetworkConfig;
import dev.vnetif.ReadResult;
import dev.vnetif.Stack;
import dev.vnetif.TcpFlow;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.util.ByteString;

/**
 * The workloads over the virtual network: two hosts on one switch, driven through the public {@link
 * TcpFlow} API the way an application would (every read and write a {@code CompletionStage}, the
 * next step chained on completion, no thread blocked).
 */
final class BenchVirtualTransport implements BenchTransport {
  static final String NAME = "virtual";
  private static final Duration SETUP = Duration.ofSeconds(30);

  /**
   * Connections the memory workload makes to one server port at most: a client host has 16,384
   * ephemeral ports per destination (RFC 6056's dynamic range), and random selection needs free
   * ones to find, so 100,000 connections go to several ports.
   */
  static final int HELD_PER_PORT = 12_000;

  private final ActorSystem<?> system;
  private final NetworkConfig config;
  private final BenchHosts hosts;
  private final Stack client;
  private final Stack server;
  private int nextPort = 5001;

  private BenchVirtualTransport(ActorSystem<?> system, NetworkConfig config, BenchHosts hosts) {
    this.system = system;
    this.config = config;
    this.hosts = hosts;
    this.client = hosts.client();
    this.server = hosts.server();
  }

  /** A network with a client 10.0.0.2 and a server 10.0.0.3, both with {@code mtu}. */
  static BenchVirtualTransport start(ActorSystem<?> system, NetworkConfig config, int mtu)
      throws InterruptedException {
    return new BenchVirtualTransport(system, config, BenchHosts.start(system, config, mtu));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String describe() {
    return "virtual: " + hosts.describe() + ", driven through TcpFlow's CompletionStage API";
  }

  @Override
  public BulkResult bulk(long bytes, Duration deadline) throws Exception {
    int port = nextPort++;
    CompletableFuture<Long> received = new CompletableFuture<>();
    server
        .tcp()
        .listen(
            port,
            flow -> {
              CompletableFuture<Long> counted = new CompletableFuture<>();
              VirtualFlowIo.countToEnd(flow, 0, counted);
              return counted
                  .whenComplete((n, e) -> BenchPayloads.complete(received, n, e))
                  .thenCompose(n -> flow.close());
            });
    try {
      long start = WallClock.nanos();
      TcpFlow flow =
          await(
              client.tcp().createConnection(serverAddress(port)),
              SETUP,
              "bulk: connect",
              this::hostStats);
      // close() sends FIN after the written data and completes once the server closed too.
      CompletableFuture<Done> closed =
          VirtualFlowIo.writeAll(flow, bytes).thenCompose(w -> flow.close()).toCompletableFuture();
      closed.whenComplete(
          (d, e) -> {
            if (e != null) {
              received.completeExceptionally(e);
            }
          });
      long got =
          await(
              received,
              deadline,
              "bulk over virtual",
              () -> "client flow " + flow.stats() + "; " + hostStats());
      await(closed, SETUP, "bulk: close", () -> "client flow " + flow.stats());
      long nanos = WallClock.nanos() - start;
      if (got != bytes) {
        throw new BenchFailure("bulk over virtual: sent " + bytes + " bytes, server read " + got);
      }
      return new BulkResult(bytes, nanos);
    } finally {
      server.tcp().unlisten(port);
    }
  }

  @Override
  public PingPongResult pingPong(int roundTrips, Duration deadline) throws Exception {
    int port = nextPort++;
    CompletableFuture<Done> done = new CompletableFuture<>();
    server
        .tcp()
        .listen(
            port,
            flow -> {
              CompletableFuture<Done> echoed = new CompletableFuture<>();
              VirtualFlowIo.echo(flow, echoed);
              return echoed.whenComplete(
                  (d, e) -> {
                    if (e != null) {
                      done.completeExceptionally(
                          BenchPayloads.failure("pingpong: the echo server", e));
                    }
                  });
            });
    try {
      TcpFlow flow =
          await(
              client.tcp().createConnection(serverAddress(port)),
              SETUP,
              "pingpong: connect",
              this::hostStats);
      long[] latency = new long[roundTrips];
      long start = WallClock.nanos();
      roundTrip(flow, 0, latency, done);
      await(
          done,
          deadline,
          "pingpong over virtual",
          () -> "client flow " + flow.stats() + "; " + hostStats());
      long nanos = WallClock.nanos() - start;
      await(flow.close(), SETUP, "pingpong: close", () -> "client flow " + flow.stats());
      return new PingPongResult(roundTrips, nanos, latency);
    } finally {
      server.tcp().unlisten(port);
    }
  }

  private static void roundTrip(TcpFlow flow, int i, long[] latency, CompletableFuture<Done> done) {
    if (i == latency.length) {
      done.complete(Done.getInstance());
      return;
    }
    ByteString request = BenchPayloads.request(i);
    long sent = WallClock.nanos();
    flow.write(request)
        .whenComplete(
            (d, e) -> {
              if (e != null) {
                done.completeExceptionally(e);
              }
            });
    CompletableFuture<ByteString> echoed = new CompletableFuture<>();
    VirtualFlowIo.readExactly(flow, REQUEST_SIZE, ByteString.emptyByteString(), echoed);
    echoed.whenComplete(
        (echo, e) -> {
          if (e != null) {
            done.completeExceptionally(e);
            return;
          }
          latency[i] = WallClock.nanos() - sent;
          try {
            BenchPayloads.checkEcho(echo, i);
          } catch (BenchFailure wrong) {
            done.completeExceptionally(wrong);
            return;
          }
          roundTrip(flow, i + 1, latency, done);
        });
  }

  @Override
  public ConnectionRateResult connectionRate(int connections, int concurrency, Duration deadline)
      throws Exception {
    int port = nextPort++;
    AtomicInteger served = new AtomicInteger();
    CompletableFuture<Done> allServed = new CompletableFuture<>();
    server
        .tcp()
        .listen(
            port,
            flow ->
                serveOneByte(flow)
                    .whenComplete(
                        (d, e) -> {
                          if (e != null) {
                            allServed.completeExceptionally(
                                BenchPayloads.failure("connrate: the server side", e));
                          } else if (served.incrementAndGet() == connections) {
                            allServed.complete(Done.getInstance());
                          }
                        }));
    try {
      CompletableFuture<Done> done = new CompletableFuture<>();
      allServed.whenComplete(
          (d, e) -> {
            if (e != null) {
              done.completeExceptionally(e);
            }
          });
      AtomicInteger next = new AtomicInteger();
      AtomicInteger workersLeft = new AtomicInteger(concurrency);
      long start = WallClock.nanos();
      for (int w = 0; w < concurrency; w++) {
        ConnectionWorkers.next(i -> oneConnection(port), connections, next, workersLeft, done);
      }
      await(
          done,
          deadline,
          "connrate over virtual",
          () -> next.get() + " connections started, " + served.get() + " served; " + hostStats());
      long nanos = WallClock.nanos() - start;
      // Every connection the client completed must have been served in full, too.
      await(
          allServed,
          SETUP,
          "connrate over virtual, server side",
          () -> served.get() + " of " + connections + " served");
      return new ConnectionRateResult(connections, concurrency, nanos);
    } finally {
      server.tcp().unlisten(port);
    }
  }

  @Override
  public MemoryResult heldConnections(int connections, Duration deadline) throws Exception {
    int ports = (connections + HELD_PER_PORT - 1) / HELD_PER_PORT;
    int first = nextPort;
    nextPort += ports;
    for (int p = first; p < first + ports; p++) {
      server.tcp().listen(p, BenchVirtualTransport::serveOneByte);
    }
    try {
      return HeldConnections.measure(
          name(),
          connections,
          // Each port's listener holds 128 half-open connections: the window grows with the ports.
          Math.min(OPENING_AT_ONCE * ports, 512),
          deadline,
          i -> openOne(first + i % ports),
          TcpFlow::close);
    } finally {
      for (int p = first; p < first + ports; p++) {
        server.tcp().unlisten(p);
      }
    }
  }

  @Override
  public ChurnResult churn(ChurnPlan plan, Duration deadline) throws Exception {
    return VirtualChurn.run(system, config, client.mtu(), plan, deadline);
  }

  /** A connection with one byte echoed, left open. */
  private CompletionStage<TcpFlow> openOne(int port) {
    return client
        .tcp()
        .createConnection(serverAddress(port))
        .thenCompose(
            flow -> {
              CompletableFuture<ByteString> echoed = new CompletableFuture<>();
              flow.write(ONE_BYTE);
              VirtualFlowIo.readExactly(flow, 1, ByteString.emptyByteString(), echoed);
              return echoed.thenApply(echo -> flow);
            });
  }

  /** Server side of one connection: echo one byte, expect end of stream, close. */
  private static CompletionStage<Done> serveOneByte(TcpFlow flow) {
    CompletableFuture<ByteString> request = new CompletableFuture<>();
    VirtualFlowIo.readExactly(flow, 1, ByteString.emptyByteString(), request);
    return request
        .thenCompose(flow::write)
        .thenCompose(w -> flow.read())
        .thenCompose(
            r -> {
              if (r instanceof ReadResult.Data d) {
                throw new BenchFailure(
                    "connrate: " + d.data().size() + " unexpected bytes after the request");
              }
              return flow.close();
            });
  }

  /** Client side of one connection: connect, send a byte, read its echo, close. */
  private CompletionStage<Done> oneConnection(int port) {
    return client
        .tcp()
        .createConnection(serverAddress(port))
        .thenCompose(
            flow -> {
              CompletionStage<Done> written = flow.write(ONE_BYTE);
              CompletableFuture<ByteString> echoed = new CompletableFuture<>();
              VirtualFlowIo.readExactly(flow, 1, ByteString.emptyByteString(), echoed);
              return written
                  .thenCompose(w -> echoed)
                  .thenCompose(
                      echo -> {
                        if (!echo.equals(ONE_BYTE)) {
                          throw new BenchFailure(
                              "connrate: echoed byte "
                                  + echo.apply(0)
                                  + ", sent "
                                  + ONE_BYTE.apply(0));
                        }
                        return flow.close();
                      });
            });
  }

  private InetSocketAddress serverAddress(int port) {
    return new InetSocketAddress(server.address(), port);
  }

  private String hostStats() {
    return hosts.stats();
  }

  @Override
  public void close() {
    hosts.shutdown();
  }
}
