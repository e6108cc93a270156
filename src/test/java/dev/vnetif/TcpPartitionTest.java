package dev.vnetif;

import static dev.vnetif.testsupport.TcpTestSupport.await;
import static dev.vnetif.testsupport.TcpTestSupport.endpoint;
import static dev.vnetif.testsupport.TcpTestSupport.failureOf;
import static dev.vnetif.testsupport.TcpTestSupport.randomBytes;
import static dev.vnetif.testsupport.TcpTestSupport.readAll;
import static dev.vnetif.testsupport.TcpTestSupport.sha256Hex;
import static dev.vnetif.testsupport.TcpTestSupport.writeAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.tcp.TcpState;
import dev.vnetif.testsupport.TcpTestSupport;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Real TCP across partitions and crashes, in real time: a transfer survives a cut with RTO backoff
 * and resumes after the heal; a cut longer than the retry limit times out; keepalive notices a
 * silent cut; a crashed and restarted host resets the connections it forgot.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TcpPartitionTest {
  static final Duration SHORT = Duration.ofSeconds(5);

  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  VirtualNetwork net;

  @AfterEach
  void shutdown() {
    if (net != null) {
      await(net.shutdown(), SHORT, "shutdown");
    }
  }

  /** A network whose RTOs start at 200 ms and whose data retransmissions stop after {@code n}. */
  VirtualNetwork network(int maxRetransmissions) {
    NetworkConfig base = NetworkConfig.fromConfig(testKit.system().settings().config());
    net =
        VirtualNetwork.create(
            testKit.system(),
            base.withTcp(
                base.tcp()
                    .withRto(
                        Duration.ofMillis(200).toNanos(),
                        Duration.ofMillis(200).toNanos(),
                        Duration.ofSeconds(2).toNanos())
                    .withRetransmissions(maxRetransmissions, 5)));
    return net;
  }

  @Test
  void transferSurvivesAFiveSecondCutAndResumesAfterTheHeal() {
    network(12);
    Stack a = await(net.createStack("10.0.0.2/24"), SHORT, "host a");
    Stack b = await(net.createStack("10.0.0.3/24"), SHORT, "host b");
    byte[] data = randomBytes(9, 4 << 20);
    CompletableFuture<TcpTestSupport.ReadSummary> received = new CompletableFuture<>();
    b.tcp().listen(80, flow -> readAll(flow).whenComplete((s, e) -> complete(received, s, e)));
    TcpFlow client = await(a.tcp().createConnection(endpoint(b, 80)), SHORT, "connect");
    CompletionStage<?> sent =
        writeAll(client, data, 64 * 1024).thenCompose(w -> client.shutdown(ShutdownMode.WRITE));
    // Cut once data flows, for 5 s.
    TcpTestSupport.awaitCondition(
        () -> client.stats().bytesAcked() > 256 * 1024, SHORT, () -> "the transfer to start");
    await(net.partition(a, b), SHORT, "partition");
    long timeoutsBefore = client.stats().timeouts();
    await(TcpTestSupport.after(Duration.ofSeconds(5)), Duration.ofSeconds(10), "the 5 s cut");
    TcpFlowStats during = client.stats();
    assertTrue(
        during.timeouts() - timeoutsBefore >= 2, "RTO backoff visible during the cut: " + during);
    assertTrue(during.rto().toMillis() >= 800, "RTO backed off to " + during.rto());
    await(net.heal(a, b), SHORT, "heal");
    await(sent, Duration.ofSeconds(20), "the writes after the heal");
    TcpTestSupport.ReadSummary summary = await(received, Duration.ofSeconds(20), "the reader");
    assertEquals(data.length, summary.bytes());
    assertEquals(sha256Hex(data), summary.hex(), "SHA-256 of what arrived");
    assertTrue(
        await(net.conditionStats(), SHORT, "stats").links().stream()
                .flatMap(l -> l.steps().stream())
                .filter(s -> s.step().equals("cut"))
                .mapToLong(ConditionStats.StepStats::dropped)
                .sum()
            > 0,
        "the cut dropped frames");
  }

  @Test
  void aCutLongerThanTheRetryLimitFailsWithConnectionTimeout() {
    network(3);
    Stack a = await(net.createStack("10.0.0.2/24"), SHORT, "host a");
    Stack b = await(net.createStack("10.0.0.3/24"), SHORT, "host b");
    b.tcp().listen(80, flow -> readAll(flow));
    TcpFlow client = await(a.tcp().createConnection(endpoint(b, 80)), SHORT, "connect");
    await(client.write(ByteString.fromString("before")), SHORT, "first write");
    await(net.partition(a, b), SHORT, "partition");
    // 200 + 400 + 800 + 1600 ms of backoff, then the connection fails.
    CompletionStage<Done> pending = client.writeNodelay(ByteString.fromString("during the cut"));
    Throwable failure = failureOf(pending, Duration.ofSeconds(15), "the write across the cut");
    assertInstanceOf(ConnectionTimeoutException.class, failure, String.valueOf(failure));
  }

  @Test
  void keepaliveNoticesASilentCut() {
    network(12);
    Stack a = await(net.createStack("10.0.0.2/24"), SHORT, "host a");
    Stack b = await(net.createStack("10.0.0.3/24"), SHORT, "host b");
    b.tcp().listen(80, flow -> readAll(flow));
    Keepalive keepalive = new Keepalive(Duration.ofMillis(500), Duration.ofMillis(200), 3);
    TcpFlow client =
        await(
            a.tcp().createConnection(endpoint(b, 80), keepalive), SHORT, "connect with keepalive");
    await(net.partition(a, b), SHORT, "partition");
    // Idle 0.5 s, then three probes 0.2 s apart go unanswered: the peer is declared gone. As in
    // the seed (mirage-tcpip), a read then ends with end-of-file and a write fails as closed.
    long start = System.nanoTime();
    ReadResult read = await(client.read(), Duration.ofSeconds(10), "the read");
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertInstanceOf(ReadResult.Eof.class, read, String.valueOf(read));
    assertTrue(
        elapsedMs >= 1000 && elapsedMs < 3000, "keepalive gave up after " + elapsedMs + " ms");
    assertEquals(TcpState.CLOSED, client.stats().state());
    Throwable failure =
        failureOf(client.write(ByteString.fromString("late")), SHORT, "a write after it");
    assertInstanceOf(ConnectionClosedException.class, failure, String.valueOf(failure));
  }

  @Test
  void aRestartedHostResetsTheConnectionsItForgot() {
    network(12);
    Stack a = await(net.createStack("10.0.0.2/24"), SHORT, "host a");
    Stack b = await(net.createStack("10.0.0.3/24"), SHORT, "host b");
    b.tcp().listen(80, flow -> readAll(flow));
    TcpFlow client = await(a.tcp().createConnection(endpoint(b, 80)), SHORT, "connect");
    await(client.writeNodelay(ByteString.fromString("hello")), SHORT, "first write");

    await(b.crash(), SHORT, "crash");
    Stack restarted = await(net.restart(b), SHORT, "restart");
    assertEquals(b.address(), restarted.address());
    assertEquals(b.mac(), restarted.mac(), "a restarted host keeps its MAC");

    // The next segment reaches a host that has no such connection: RST (RFC 9293 §3.10.7.1).
    CompletionStage<Done> write = client.writeNodelay(ByteString.fromString("anyone there?"));
    Throwable failure = failureOf(write, SHORT, "the write to the restarted host");
    assertInstanceOf(ConnectionResetException.class, failure, String.valueOf(failure));
  }

  private static <T> void complete(CompletableFuture<T> f, T value, Throwable error) {
    if (error != null) {
      f.completeExceptionally(error);
    } else {
      f.complete(value);
    }
  }
}
