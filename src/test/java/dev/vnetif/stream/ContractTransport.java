package dev.vnetif.stream;

import dev.vnetif.TcpFlowStats;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * What {@link TcpContractTest} runs against: Pekko's own {@code Tcp} over 127.0.0.1, or {@link
 * VirtualTcp} between two virtual hosts. The test body sees only this, so one body gives one result
 * on both; each transport also brings the waiting that fits its clock (a bounded {@code get} in
 * real time, {@code VirtualTime.await} in virtual time) and a plain peer to talk to.
 */
interface ContractTransport extends AutoCloseable {

  ActorSystem<?> system();

  /** The address servers bind and clients connect to. */
  String host();

  default InetSocketAddress address(int port) {
    return new InetSocketAddress(host(), port);
  }

  /** {@code bind(host(), port)}: Pekko's defaults. */
  Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> bind(int port);

  Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> bind(
      int port, int backlog, boolean halfClose, Optional<Duration> idleTimeout);

  /** {@code outgoingConnection(host(), port)}: Pekko's defaults. */
  Flow<ByteString, ByteString, CompletionStage<Tcp.OutgoingConnection>> outgoingConnection(
      int port);

  Flow<ByteString, ByteString, CompletionStage<Tcp.OutgoingConnection>> outgoingConnection(
      InetSocketAddress remote,
      boolean halfClose,
      Optional<Duration> connectTimeout,
      Optional<Duration> idleTimeout);

  /** A listening peer that is not a stream: a socket, or a {@code TcpFlow}. */
  PeerServer peerServer();

  /** A port on {@link #host()} that nothing listens on. */
  int unusedPort();

  /**
   * An address whose SYNs are dropped, so that only a connect timeout ends a connect; aborts the
   * test (JUnit assumption) where this machine cannot provide one.
   */
  InetSocketAddress silentAddress();

  /**
   * The stage's value, waiting a bounded time; a failed stage throws a {@link CompletionException}
   * with its cause, a stage still pending at the bound an {@link AssertionError}.
   */
  <T> T await(CompletionStage<T> stage);

  /** Waits for the stage to fail and returns why; an {@link AssertionError} if it does not. */
  default Throwable failure(CompletionStage<?> stage) {
    Object value;
    try {
      value = await(stage);
    } catch (CompletionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure, but the stage completed with " + value);
  }

  /**
   * Waits for what this transport logs besides failing the stream when {@code count} binds failed
   * (Pekko IO's listener logs each at ERROR, asynchronously), so that it is part of this test.
   */
  void awaitBindFailuresLogged(int count);

  /** Lets {@code duration} pass on this transport's clock; {@code stage} must still be pending. */
  void assertPendingFor(CompletionStage<?> stage, Duration duration);

  /** This transport's clock: wall time, or virtual time. */
  Duration now();

  /** How late a timer may fire here: scheduling on a busy machine, or nothing in virtual time. */
  Duration timerSlack();

  /** The buffers a connection has between a writer and a reader here, in bytes, at most. */
  long bufferedBytesBound();

  /**
   * The TCP state of the connection behind {@code connection}; empty where the transport cannot
   * look inside (the machine's TCP).
   */
  Optional<TcpFlowStats> stats(Tcp.IncomingConnection connection);

  Optional<TcpFlowStats> stats(Tcp.OutgoingConnection connection);

  @Override
  void close();
}
