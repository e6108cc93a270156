package dev.vnetif.stream;

import dev.vnetif.TcpFlowStats;
import dev.vnetif.testsupport.ErrorLogRecorder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Assumptions;

/** Pekko's own {@code Tcp.get(system)} on 127.0.0.1, in real time: the reference. */
final class PekkoTcpTransport implements ContractTransport {
  /** How long one wait of a test may take. */
  static final Duration AWAIT = Duration.ofSeconds(10);

  private static final String LOOPBACK = "127.0.0.1";

  private final ActorSystem<?> system;
  private final Tcp tcp;
  private final List<AutoCloseable> opened = new ArrayList<>();

  PekkoTcpTransport(ActorSystem<?> system) {
    this.system = system;
    this.tcp = Tcp.get(system);
  }

  @Override
  public ActorSystem<?> system() {
    return system;
  }

  @Override
  public String host() {
    return LOOPBACK;
  }

  @Override
  public Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> bind(int port) {
    return tcp.bind(LOOPBACK, port);
  }

  @Override
  public Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> bind(
      int port, int backlog, boolean halfClose, Optional<Duration> idleTimeout) {
    return tcp.bind(LOOPBACK, port, backlog, List.of(), halfClose, idleTimeout);
  }

  @Override
  public Flow<ByteString, ByteString, CompletionStage<Tcp.OutgoingConnection>> outgoingConnection(
      int port) {
    return tcp.outgoingConnection(LOOPBACK, port);
  }

  @Override
  public Flow<ByteString, ByteString, CompletionStage<Tcp.OutgoingConnection>> outgoingConnection(
      InetSocketAddress remote,
      boolean halfClose,
      Optional<Duration> connectTimeout,
      Optional<Duration> idleTimeout) {
    return tcp.outgoingConnection(
        remote, Optional.empty(), List.of(), halfClose, connectTimeout, idleTimeout);
  }

  @Override
  public PeerServer peerServer() {
    SocketPeer.Server server = new SocketPeer.Server();
    opened.add(server);
    return server;
  }

  @Override
  public int unusedPort() {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
      return probe.getLocalPort(); // free now, and nothing of ours binds it after
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A listener with a full accept queue: Linux drops a SYN to it (tcp_abort_on_overflow = 0, the
   * default) instead of answering, which is what a connect timeout needs on loopback. The queue of
   * a backlog of 1 holds two connections; the first connect that times out proves the drop.
   */
  @Override
  public InetSocketAddress silentAddress() {
    try {
      ServerSocket listener = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK));
      opened.add(listener);
      InetSocketAddress address = (InetSocketAddress) listener.getLocalSocketAddress();
      for (int i = 0; i < 8; i++) {
        Socket filler = new Socket();
        opened.add(filler);
        try {
          filler.connect(address, 300);
        } catch (SocketTimeoutException e) {
          return address;
        }
      }
    } catch (IOException e) {
      Assumptions.abort("this machine cannot make a SYN-dropping listener on loopback: " + e);
    }
    Assumptions.abort(
        "this machine answers every SYN on loopback (a full accept queue does not drop them,"
            + " e.g. tcp_abort_on_overflow = 1): no address for a real connect timeout");
    return null;
  }

  @Override
  public <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new CompletionException(e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("not complete within " + AWAIT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  @Override
  public void awaitBindFailuresLogged(int count) {
    ErrorLogRecorder.awaitRecorded("Bind failed for TCP channel", count, AWAIT);
  }

  @Override
  public void assertPendingFor(CompletionStage<?> stage, Duration duration) {
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
    return Duration.ofNanos(System.nanoTime());
  }

  /** Pekko's idle check runs every timeout/8 (at least 100 ms); two busy cores add their share. */
  @Override
  public Duration timerSlack() {
    return Duration.ofSeconds(2);
  }

  /**
   * The kernel's socket buffers at their largest (autotuning grows them up to tcp_wmem / tcp_rmem's
   * maximum), Pekko's write buffer (16 KiB), and on the reader's side the element downstream holds,
   * the one Pekko's stream reads ahead (a detacher) and the one being read: Pekko IO reads at most
   * its direct buffer (128 KiB) at a time.
   */
  @Override
  public long bufferedBytesBound() {
    return maxOf("/proc/sys/net/ipv4/tcp_wmem")
        + maxOf("/proc/sys/net/ipv4/tcp_rmem")
        + 16 * 1024
        + 3 * 128 * 1024;
  }

  /** The third (largest) figure of a Linux socket-buffer sysctl; 64 MiB where there is none. */
  private static long maxOf(String sysctl) {
    try {
      // One line; Files.readString trusts the size /proc reports (0) and reads one byte.
      String[] fields = Files.readAllLines(Path.of(sysctl)).get(0).trim().split("\\s+");
      return Long.parseLong(fields[2]);
    } catch (IOException | RuntimeException e) {
      return 64L * 1024 * 1024;
    }
  }

  @Override
  public Optional<TcpFlowStats> stats(Tcp.IncomingConnection connection) {
    return Optional.empty();
  }

  @Override
  public Optional<TcpFlowStats> stats(Tcp.OutgoingConnection connection) {
    return Optional.empty();
  }

  @Override
  public void close() {
    for (AutoCloseable c : opened) {
      try {
        c.close();
      } catch (Exception e) {
        // best effort
      }
    }
  }

  @Override
  public String toString() {
    return "Pekko Tcp on 127.0.0.1 (real time)";
  }
}
