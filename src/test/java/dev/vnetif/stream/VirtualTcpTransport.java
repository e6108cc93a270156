package dev.vnetif.stream;

import com.typesafe.config.Config;
import dev.vnetif.Frame;
import dev.vnetif.Stack;
import dev.vnetif.TcpFlow;
import dev.vnetif.TcpFlowStats;
import dev.vnetif.VirtualNetwork;
import dev.vnetif.time.VirtualTime;
import dev.vnetif.time.VirtualTimeLimitException;
import dev.vnetif.wire.TcpSegment;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * {@link VirtualTcp} between two hosts of a fresh virtual network: clients on 10.0.0.2, servers and
 * peers on 10.0.0.3. In virtual time every wait is {@link VirtualTime#await(CompletionStage,
 * Duration)} with a virtual bound (time moves only then); on a real-time system, a bounded get.
 */
final class VirtualTcpTransport implements ContractTransport {
  /** How far one wait may move virtual time: past every TCP timer a case involves. */
  static final Duration VIRTUAL_AWAIT = Duration.ofMinutes(5);

  private final ActorSystem<?> system;
  private final Optional<VirtualTime> time;
  private final VirtualNetwork net;
  private final Stack client;
  private final Stack server;

  /**
   * Every RST the switch forwarded, by "src:port>dst:port". The switch hands frames to its
   * listeners on an actor of their own, so in real time one arrives a little after the RST did.
   */
  private final Map<String, CompletableFuture<Done>> resets = new ConcurrentHashMap<>();

  private final List<PeerServer> peerServers = new ArrayList<>();

  VirtualTcpTransport(ActorSystem<?> system) {
    this.system = system;
    this.time = VirtualTime.find(system);
    this.net = VirtualNetwork.create(system);
    net.addListener(this::recordReset);
    this.client = await(net.createStack("10.0.0.2/24"));
    this.server = await(net.createStack("10.0.0.3/24"));
  }

  private void recordReset(Frame frame) {
    frame
        .tcp()
        .filter(TcpSegment::isRst)
        .ifPresent(
            segment ->
                frame
                    .ipv4()
                    .ifPresent(
                        ip ->
                            reset(
                                    endpoint(ip.source().toString(), segment.sourcePort()),
                                    endpoint(
                                        ip.destination().toString(), segment.destinationPort()))
                                .complete(Done.getInstance())));
  }

  private static String endpoint(String host, int port) {
    return host + ":" + port;
  }

  private CompletableFuture<Done> reset(String from, String to) {
    return resets.computeIfAbsent(from + ">" + to, k -> new CompletableFuture<>());
  }

  private CompletableFuture<Done> reset(InetSocketAddress from, InetSocketAddress to) {
    return reset(
        endpoint(from.getAddress().getHostAddress(), from.getPort()),
        endpoint(to.getAddress().getHostAddress(), to.getPort()));
  }

  /** Whether a RST from {@code from} to {@code to} was seen yet. */
  boolean resetSeen(InetSocketAddress from, InetSocketAddress to) {
    return reset(from, to).isDone();
  }

  /** Waits for a RST from {@code from} to {@code to}; an {@link AssertionError} if none comes. */
  void awaitReset(InetSocketAddress from, InetSocketAddress to) {
    await(reset(from, to));
  }

  @Override
  public ActorSystem<?> system() {
    return system;
  }

  @Override
  public String host() {
    return "10.0.0.3";
  }

  @Override
  public Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> bind(int port) {
    return VirtualTcp.get(server).bind(host(), port);
  }

  @Override
  public Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> bind(
      int port, int backlog, boolean halfClose, Optional<Duration> idleTimeout) {
    return VirtualTcp.get(server).bind(host(), port, backlog, List.of(), halfClose, idleTimeout);
  }

  @Override
  public Flow<ByteString, ByteString, CompletionStage<Tcp.OutgoingConnection>> outgoingConnection(
      int port) {
    return VirtualTcp.get(client).outgoingConnection(host(), port);
  }

  @Override
  public Flow<ByteString, ByteString, CompletionStage<Tcp.OutgoingConnection>> outgoingConnection(
      InetSocketAddress remote,
      boolean halfClose,
      Optional<Duration> connectTimeout,
      Optional<Duration> idleTimeout) {
    return VirtualTcp.get(client)
        .outgoingConnection(
            remote, Optional.empty(), List.of(), halfClose, connectTimeout, idleTimeout);
  }

  @Override
  public PeerServer peerServer() {
    FlowPeer.Server peers = new FlowPeer.Server(this, server);
    peerServers.add(peers);
    return peers;
  }

  @Override
  public int unusedPort() {
    return 4; // nothing in these tests binds a port below the ephemeral range but by number
  }

  /**
   * A third host that left the switch after answering one ping: the client knows its MAC, so the
   * SYN goes out and nothing answers it, as with a host behind a firewall that drops.
   */
  @Override
  public InetSocketAddress silentAddress() {
    Stack silent = await(net.createStack("10.0.0.4/24"));
    await(client.ping(silent.address(), Duration.ofSeconds(1)));
    await(net.isolate(silent));
    return new InetSocketAddress(silent.address(), 80);
  }

  @Override
  public <T> T await(CompletionStage<T> stage) {
    if (time.isPresent()) {
      try {
        return time.get().await(stage, VIRTUAL_AWAIT);
      } catch (CompletionException e) {
        if (e.getCause() instanceof VirtualTimeLimitException) {
          // the wait's own bound, not the stage's failure: as a real-time wait running out
          throw new AssertionError("not complete within " + VIRTUAL_AWAIT + " of virtual time", e);
        }
        throw e;
      }
    }
    try {
      return stage
          .toCompletableFuture()
          .get(PekkoTcpTransport.AWAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new CompletionException(e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("not complete within " + PekkoTcpTransport.AWAIT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** VirtualTcp fails the stream and logs nothing at ERROR. */
  @Override
  public void awaitBindFailuresLogged(int count) {}

  @Override
  public void assertPendingFor(CompletionStage<?> stage, Duration duration) {
    if (time.isPresent()) {
      time.get().advance(duration);
      if (stage.toCompletableFuture().isDone()) {
        throw new AssertionError(
            "expected still pending after " + duration + ", got " + stage.toCompletableFuture());
      }
      return;
    }
    try {
      Object value = stage.toCompletableFuture().get(duration.toMillis(), TimeUnit.MILLISECONDS);
      throw new AssertionError("expected still pending after " + duration + ", got " + value);
    } catch (TimeoutException e) {
      // still pending, as it should be
    } catch (ExecutionException e) {
      throw new AssertionError("expected still pending after " + duration, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  @Override
  public Duration now() {
    return time.map(VirtualTime::now).orElseGet(() -> Duration.ofNanos(System.nanoTime()));
  }

  /** Virtual timers fire at their instant; in real time, as the machine's scheduler lets them. */
  @Override
  public Duration timerSlack() {
    return time.isPresent() ? Duration.ZERO : Duration.ofSeconds(2);
  }

  /**
   * The sender's stream holds its write batch and the batch being written ({@link
   * ConnectionStage#WRITE_BATCH} each), the sender's TCP its send buffer, the receiver's TCP its
   * receive buffer, and the receiver's stream the one read it pushed (at most a receive buffer).
   */
  @Override
  public long bufferedBytesBound() {
    Config tcp = system.settings().config().getConfig("vnetif.tcp");
    return 2L * ConnectionStage.WRITE_BATCH
        + tcp.getBytes("send-buffer")
        + 2 * tcp.getBytes("receive-buffer");
  }

  @Override
  public Optional<TcpFlowStats> stats(Tcp.IncomingConnection connection) {
    return VirtualTcp.stats(connection);
  }

  @Override
  public Optional<TcpFlowStats> stats(Tcp.OutgoingConnection connection) {
    return VirtualTcp.stats(connection);
  }

  @Override
  public void close() {
    peerServers.forEach(PeerServer::close);
    await(net.shutdown());
  }

  @Override
  public String toString() {
    return time.isPresent()
        ? "VirtualTcp 10.0.0.2 -> 10.0.0.3 (virtual time)"
        : "VirtualTcp 10.0.0.2 -> 10.0.0.3 (real time)";
  }

  /** Completes with the n-th connection a listener accepts, in order. */
  static final class Arrivals {
    private final List<CompletableFuture<TcpFlow>> slots = new ArrayList<>();
    private int arrived;
    private int taken;

    synchronized void arrived(TcpFlow flow) {
      slot(arrived++).complete(flow);
    }

    synchronized CompletableFuture<TcpFlow> next() {
      return slot(taken++);
    }

    private CompletableFuture<TcpFlow> slot(int index) {
      while (slots.size() <= index) {
        slots.add(new CompletableFuture<>());
      }
      return slots.get(index);
    }
  }
}
