package dev.vnetif.cli;

import static dev.vnetif.cli.BenchPayloads.await;

import dev.vnetif.NetworkConfig;
import dev.vnetif.ReadResult;
import dev.vnetif.Stack;
import dev.vnetif.StackConfig;
import dev.vnetif.TcpFlow;
import dev.vnetif.TcpFlowStats;
import dev.vnetif.VirtualNetwork;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.util.ByteString;

/**
 * The churn workload over the virtual network: a network of its own (so that its TIME_WAIT entries
 * and narrowed ephemeral ports touch no other workload) with one server and a few client hosts,
 * driven through the public API. It tells, per connect, whether the client's flow had to retransmit
 * its SYN, and whether the 4-tuple came back within 2 MSL of its previous use.
 */
final class VirtualChurn {
  static final int PORT = 7000;
  private static final Duration SETUP = Duration.ofSeconds(30);

  private final Stack server;
  private final List<Stack> clients;
  private final ChurnPlan plan;
  private final long mslNanos;
  private final int portLow;
  private final boolean[] aborts;
  private final long[] connectNanos;
  private final AtomicLong synRetransmitted = new AtomicLong();
  private final AtomicLong reused = new AtomicLong();
  private final AtomicLong reusedInTimeWait = new AtomicLong();
  private final AtomicInteger aborted = new AtomicInteger();

  /** Per client host and ephemeral port: when a connection on it last ended (0: never used). */
  private final List<AtomicLongArray> lastEnd = new ArrayList<>();

  private VirtualChurn(
      Stack server, List<Stack> clients, ChurnPlan plan, long mslNanos, int portLow, int ports) {
    this.server = server;
    this.clients = clients;
    this.plan = plan;
    this.mslNanos = mslNanos;
    this.portLow = portLow;
    this.aborts = plan.aborts();
    this.connectNanos = new long[plan.connections()];
    for (int i = 0; i < clients.size(); i++) {
      lastEnd.add(new AtomicLongArray(ports));
    }
  }

  static ChurnResult run(
      ActorSystem<?> system, NetworkConfig base, int mtu, ChurnPlan plan, Duration deadline)
      throws InterruptedException {
    NetworkConfig config = base.withMaxFrameSize(Math.max(base.maxFrameSize(), mtu + 14));
    if (plan.portsPerClient() > 0) {
      int low = base.ephemeralLow();
      config =
          config.withEphemeralPorts(
              low, Math.min(base.ephemeralHigh(), low + plan.portsPerClient() - 1));
    }
    long msl = system.settings().config().getDuration("vnetif.tcp.msl").toNanos();
    VirtualNetwork network = VirtualNetwork.create(system, config);
    try {
      Stack server = host(network, "10.1.0.1/16", "churn-server", mtu);
      List<Stack> clients = new ArrayList<>();
      for (int i = 0; i < plan.clientHosts(); i++) {
        String cidr = "10.1." + (1 + i / 250) + "." + (1 + i % 250) + "/16";
        clients.add(host(network, cidr, "churn-client-" + (i + 1), mtu));
      }
      int ports = config.ephemeralHigh() - config.ephemeralLow() + 1;
      return new VirtualChurn(server, clients, plan, msl, config.ephemeralLow(), ports)
          .run(deadline);
    } finally {
      await(network.shutdown(), SETUP, "shutting the churn network down", () -> "");
    }
  }

  private static Stack host(VirtualNetwork network, String cidr, String name, int mtu)
      throws InterruptedException {
    return await(
        network.createStack(StackConfig.of(cidr).withMtu(mtu).withName(name)),
        SETUP,
        "creating churn host " + name,
        () -> "");
  }

  private ChurnResult run(Duration deadline) throws InterruptedException {
    AtomicInteger served = new AtomicInteger();
    AtomicInteger serverFailures = new AtomicInteger();
    server.tcp().listen(PORT, flow -> serve(flow, served, serverFailures));
    try {
      CompletableFuture<Done> done = new CompletableFuture<>();
      AtomicInteger next = new AtomicInteger();
      AtomicInteger workersLeft = new AtomicInteger(plan.concurrency());
      long start = WallClock.nanos();
      for (int w = 0; w < plan.concurrency(); w++) {
        ConnectionWorkers.next(this::connection, plan.connections(), next, workersLeft, done);
      }
      await(
          done,
          deadline,
          "churn over virtual",
          () ->
              next.get()
                  + " connections started, "
                  + served.get()
                  + " served; server host "
                  + server.stats());
      long nanos = WallClock.nanos() - start;
      int expectedServerFailures = aborted.get();
      if (serverFailures.get() > expectedServerFailures) {
        throw new BenchFailure(
            "churn over virtual: "
                + serverFailures.get()
                + " connections failed at the server, "
                + expectedServerFailures
                + " were aborted by the client");
      }
      return new ChurnResult(
          plan.connections(),
          nanos,
          connectNanos,
          synRetransmitted.get(),
          aborted.get(),
          reused.get(),
          reusedInTimeWait.get());
    } finally {
      server.tcp().unlisten(PORT);
    }
  }

  /**
   * The server's side: read the request, echo it, close first (so that the server holds TIME_WAIT).
   * A connection the client aborted fails here with a reset; it is counted, not logged.
   */
  private static CompletionStage<Done> serve(
      TcpFlow flow, AtomicInteger served, AtomicInteger failures) {
    CompletableFuture<ByteString> request = new CompletableFuture<>();
    VirtualFlowIo.readExactly(flow, ChurnPlan.ECHO_BYTES, ByteString.emptyByteString(), request);
    return request
        .thenCompose(flow::write)
        .thenCompose(w -> flow.close())
        .handle(
            (d, e) -> {
              if (e != null) {
                failures.incrementAndGet();
                flow.abort();
              } else {
                served.incrementAndGet();
              }
              return Done.getInstance();
            });
  }

  /** The client's side of connection {@code i}. */
  private CompletionStage<Done> connection(int i) {
    int host = i % clients.size();
    Stack client = clients.get(host);
    long asked = WallClock.nanos();
    return client
        .tcp()
        .createConnection(new InetSocketAddress(server.address(), PORT))
        .thenCompose(
            flow -> {
              long connected = WallClock.nanos();
              connectNanos[i] = connected - asked;
              TcpFlowStats stats = flow.stats();
              if (stats != null && stats.timeouts() > 0) {
                synRetransmitted.incrementAndGet();
              }
              int port = flow.src().getPort();
              noteReuse(host, port, connected);
              ByteString request = BenchPayloads.churnRequest(i);
              CompletableFuture<ByteString> echo = new CompletableFuture<>();
              flow.write(request);
              VirtualFlowIo.readExactly(
                  flow, ChurnPlan.ECHO_BYTES, ByteString.emptyByteString(), echo);
              return echo.thenCompose(
                  got -> {
                    if (!got.equals(request)) {
                      throw new BenchFailure("churn: connection " + i + " echoed other bytes");
                    }
                    return finish(i, flow)
                        .thenApply(
                            d -> {
                              lastEnd.get(host).set(port - portLow, WallClock.nanos());
                              return d;
                            });
                  });
            });
  }

  /** After the echo: abort, or read the server's end of stream and close. */
  private CompletionStage<Done> finish(int i, TcpFlow flow) {
    if (aborts[i]) {
      aborted.incrementAndGet();
      flow.abort();
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    return flow.read()
        .thenCompose(
            r -> {
              if (r instanceof ReadResult.Data d) {
                throw new BenchFailure(
                    "churn: " + d.data().size() + " bytes after the echo on connection " + i);
              }
              return flow.close();
            });
  }

  private void noteReuse(int host, int port, long now) {
    int slot = port - portLow;
    if (slot < 0 || slot >= lastEnd.get(host).length()) {
      return;
    }
    long previousEnd = lastEnd.get(host).get(slot);
    if (previousEnd != 0) {
      reused.incrementAndGet();
      if (now - previousEnd < 2 * mslNanos) {
        reusedInTimeWait.incrementAndGet();
      }
    }
  }
}
