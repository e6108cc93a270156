package dev.vnetif;

import static dev.vnetif.testsupport.TcpTestSupport.endpoint;
import static dev.vnetif.testsupport.TcpTestSupport.randomBytes;
import static dev.vnetif.testsupport.TcpTestSupport.readAll;
import static dev.vnetif.testsupport.TcpTestSupport.sha256Hex;
import static dev.vnetif.testsupport.TcpTestSupport.writeAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.tcp.LossDetection;
import dev.vnetif.tcp.TcpState;
import dev.vnetif.testsupport.TcpTestSupport;
import dev.vnetif.testsupport.VirtualTimeKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Real TCP across partitions and crashes, in virtual time: a transfer survives a cut with RTO
 * backoff and resumes after the heal; a cut longer than the retry limit times out; keepalive
 * notices a silent cut; a crashed and restarted host resets the connections it forgot. Each timer
 * fires at its exact RFC 6298 / RFC 1122 instant, which the tests assert.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60) // wall-clock bound on each test; every wait inside is bounded in virtual time
class TcpPartitionTest {
  /** Bound on each wait, in virtual time. */
  static final Duration SHORT = Duration.ofSeconds(5);

  static final Duration RTO = Duration.ofMillis(200);
  static final Duration MAX_RTO = Duration.ofSeconds(2);

  final VirtualTimeKit sim = VirtualTimeKit.create("tcp-partition");

  VirtualNetwork net;

  @AfterEach
  void shutdown() {
    if (net != null) {
      await(net.shutdown(), SHORT, "shutdown");
      net = null;
    }
  }

  @AfterAll
  void stopTestKit() {
    sim.close();
  }

  <T> T await(CompletionStage<T> stage, Duration limit, String what) {
    return sim.await(stage, limit, what);
  }

  Throwable failureOf(CompletionStage<?> stage, Duration limit, String what) {
    return sim.failureOf(stage, limit, what);
  }

  /** A network whose RTOs start at 200 ms and whose data retransmissions stop after {@code n}. */
  /**
   * With three-duplicate-ACK loss detection: these tests assert RFC 6298's timer schedule to the
   * instant, and RACK-TLP's tail loss probe (RFC 8985 §7) would go first, 2·SRTT after the last
   * send, and restart the RTO from there (TailLossTest shows the probe).
   */
  VirtualNetwork network(int maxRetransmissions) {
    return network(maxRetransmissions, LossDetection.DUP_ACK);
  }

  VirtualNetwork network(int maxRetransmissions, LossDetection detection) {
    NetworkConfig base = NetworkConfig.fromConfig(sim.system().settings().config());
    net =
        VirtualNetwork.create(
            sim.system(),
            base.withTcp(
                base.tcp()
                    .withRto(RTO.toNanos(), RTO.toNanos(), MAX_RTO.toNanos())
                    .withRetransmissions(maxRetransmissions, 5)
                    .withLossDetection(detection)));
    return net;
  }

  @Test
  void transferSurvivesAFiveSecondCutAndResumesAfterTheHeal() {
    network(12);
    Stack a = await(net.createStack("10.0.0.2/24"), SHORT, "host a");
    Stack b = await(net.createStack("10.0.0.3/24"), SHORT, "host b");
    byte[] data = randomBytes(9, 4 << 20);
    int beforeCut = 1 << 20;
    CompletableFuture<TcpTestSupport.ReadSummary> received = new CompletableFuture<>();
    b.tcp().listen(80, flow -> readAll(flow).whenComplete((s, e) -> complete(received, s, e)));
    TcpFlow client = await(a.tcp().createConnection(endpoint(b, 80)), SHORT, "connect");
    // The first MiB goes through; the cut comes while the connection is busy, the other 3 MiB
    // written into it. (On the virtual network a transfer without link delays takes no virtual
    // time, so the cut is placed between two writes rather than raced against the transfer.)
    await(
        writeAll(client, java.util.Arrays.copyOf(data, beforeCut), 64 * 1024),
        SHORT,
        "the first MiB");
    sim.awaitCondition(
        () -> client.stats().bytesAcked() == beforeCut,
        SHORT,
        () -> "the first MiB acknowledged: " + client.stats());
    await(net.partition(a, b), SHORT, "partition");
    Duration cut = sim.now();
    long timeoutsBefore = client.stats().timeouts();
    CompletionStage<?> sent =
        writeAll(client, java.util.Arrays.copyOfRange(data, beforeCut, data.length), 64 * 1024)
            .thenCompose(w -> client.shutdown(ShutdownMode.WRITE));
    sim.runUntilIdle();
    assertTrue(client.stats().bytesSent() > beforeCut, "data in flight into the cut");
    // RFC 6298 §5.5: the timer backs off, doubling from 200 ms up to the 2 s maximum (§2.5), so
    // the retransmission timeouts come at +0.2, +0.6, +1.4, +3.0 and +5.0 s, each exactly then.
    List<Duration> expectedRtos =
        List.of(
            Duration.ofMillis(400),
            Duration.ofMillis(800),
            Duration.ofMillis(1_600),
            MAX_RTO,
            MAX_RTO);
    Duration at = Duration.ZERO;
    Duration rto = RTO;
    List<Duration> timeouts = new ArrayList<>();
    for (int k = 0; k < expectedRtos.size(); k++) {
      at = at.plus(rto);
      sim.advance(cut.plus(at).minus(sim.now()).minusNanos(1));
      assertEquals(
          timeoutsBefore + k,
          client.stats().timeouts(),
          "1 ns before the timeout at +" + at + ": " + client.stats());
      sim.advance(Duration.ofNanos(1));
      assertEquals(
          timeoutsBefore + k + 1,
          client.stats().timeouts(),
          "the timeout at +" + at + ": " + client.stats());
      rto = expectedRtos.get(k);
      assertEquals(rto, client.stats().rto(), "RTO after timeout " + (k + 1));
      timeouts.add(at);
    }
    assertEquals(Duration.ofSeconds(5), at, "timeouts at " + timeouts);
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
    Duration start = sim.now();
    CompletionStage<Done> pending = client.writeNodelay(ByteString.fromString("during the cut"));
    Throwable failure = failureOf(pending, Duration.ofSeconds(15), "the write across the cut");
    assertInstanceOf(ConnectionTimeoutException.class, failure, String.valueOf(failure));
    assertEquals(
        Duration.ofMillis(200 + 400 + 800 + 1600),
        sim.now().minus(start),
        "the connection gave up after 3 retransmissions and the last RTO");
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
    // The last the client heard from b: the SYN-ACK, at the instant the connect completed.
    Duration heard = sim.now();
    await(net.partition(a, b), SHORT, "partition");
    // Idle 0.5 s, then three probes 0.2 s apart go unanswered: the peer is declared gone. As in
    // the seed (mirage-tcpip), a read then ends with end-of-file and a write fails as closed.
    ReadResult read = await(client.read(), Duration.ofSeconds(10), "the read");
    assertInstanceOf(ReadResult.Eof.class, read, String.valueOf(read));
    assertEquals(
        keepalive.after().plus(keepalive.interval().multipliedBy(keepalive.probes())),
        sim.now().minus(heard),
        "keepalive gives up one interval after the last probe");
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
