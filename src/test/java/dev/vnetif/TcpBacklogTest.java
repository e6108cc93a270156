package dev.vnetif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.stack.DropReason;
import dev.vnetif.testsupport.RawPeer;
import dev.vnetif.testsupport.VirtualTimeKit;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The listener's bounded SYN backlog (RFC 4987 §3.1, {@code vnetif.tcp.syn-backlog}) with SYN
 * cookies off ({@code vnetif.tcp.syn-cookies = off}): a scripted peer opens half-open connections
 * (SYN, never the final ACK) until the backlog is full; further SYNs are dropped, counted under
 * {@link DropReason#TCP_BACKLOG_FULL} and never answered; a slot frees when a half-open connection
 * completes or is reset. In virtual time: "no answer" is watched without the wall clock. With
 * cookies on, the default, the SYNs beyond the backlog are answered: {@link
 * SynCookieHandshakeTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60) // wall-clock bound on each test; every wait inside is bounded in virtual time
class TcpBacklogTest {
  /** Bound on each wait, in virtual time. */
  static final Duration WAIT = Duration.ofSeconds(5);

  /**
   * How long "no answer" is watched: many round trips here, and inside the 1 s initial RTO, so the
   * half-open connections do not retransmit their SYN-ACKs meanwhile.
   */
  static final Duration QUIET = Duration.ofMillis(400);

  static final int BACKLOG = 2;
  static final int PORT = 80;

  /** The peer's first source port; SYN {@code i} comes from FIRST_PORT + i. */
  static final int FIRST_PORT = 40000;

  final VirtualTimeKit sim = VirtualTimeKit.create("tcp-backlog");

  VirtualNetwork net;
  Stack host;
  Ipv4Address hostIp;
  RawPeer peer;
  LinkedBlockingQueue<TcpFlow> accepted;

  @BeforeEach
  void setUp() {
    NetworkConfig defaults = NetworkConfig.fromConfig(sim.system().settings().config());
    NetworkConfig config =
        defaults.withSynBacklog(BACKLOG).withTcp(defaults.tcp().withSynCookies(false));
    net = VirtualNetwork.create(sim.system(), config);
    host = await(net.createStack("10.0.0.2/24"), WAIT, "host");
    hostIp = Ipv4Address.fromInet(host.address());
    peer =
        new RawPeer(
            await(net.attachRawPort("peer"), WAIT, "raw port"),
            Ipv4Address.of("10.0.0.9"),
            sim.time());
    accepted = new LinkedBlockingQueue<>();
    host.tcp()
        .listen(
            PORT,
            flow -> {
              accepted.add(flow);
              return new CompletableFuture<>(); // the flows stay open for the whole test
            });
    awaitCondition(() -> host.stats().listeners() == 1, WAIT, () -> "listening: " + host.stats());
  }

  @AfterEach
  void tearDown() {
    await(net.shutdown(), WAIT, "network shutdown");
  }

  @AfterAll
  void stopTestKit() {
    sim.close();
  }

  <T> T await(CompletionStage<T> stage, Duration limit, String what) {
    return sim.await(stage, limit, what);
  }

  void awaitCondition(BooleanSupplier condition, Duration limit, Supplier<String> what) {
    sim.awaitCondition(condition, limit, what);
  }

  @Test
  @DisplayName(
      "backlog 2, five SYNs without final ACKs: two SYN-ACKs; the other three SYNs are dropped, counted under TCP_BACKLOG_FULL, unanswered")
  void synsBeyondTheBacklogAreDroppedAndCounted() throws Exception {
    for (int i = 0; i < 5; i++) {
      sendSyn(i);
    }
    awaitCondition(
        () -> host.stats().drops(DropReason.TCP_BACKLOG_FULL) == 3,
        WAIT,
        () -> "three SYNs over the backlog counted: " + host.stats());

    Map<Integer, TcpSegment> answers = answersWithin(QUIET);
    assertEquals(
        List.of(FIRST_PORT, FIRST_PORT + 1),
        List.copyOf(answers.keySet()),
        "only the SYNs that found a backlog slot are answered: " + answers);
    for (int i = 0; i < BACKLOG; i++) {
      TcpSegment synAck = answers.get(FIRST_PORT + i);
      assertEquals(TcpSegment.SYN | TcpSegment.ACK, synAck.flags(), synAck.toString());
      assertEquals(iss(i) + 1, synAck.ack(), synAck.toString());
    }
    assertEquals(3, host.stats().drops(DropReason.TCP_BACKLOG_FULL), host.stats().toString());
    assertEquals(0, host.stats().drops(DropReason.TCP_PORT_CLOSED), host.stats().toString());
    assertEquals(BACKLOG, host.stats().openFlows(), "only the half-open connections exist");
    assertTrue(accepted.isEmpty(), "no connection completed");
  }

  @Test
  @DisplayName(
      "a full backlog frees a slot when a half-open connection completes: the next SYN is answered, the one after it dropped again")
  void completedHandshakeFreesASlot() throws Exception {
    Map<Integer, TcpSegment> synAcks = fillBacklog();

    // The peer completes the first handshake; once the callback has the flow, the listener
    // has moved it out of the backlog (it does so before running the callback).
    TcpSegment first = synAcks.get(FIRST_PORT);
    peer.sendTcp(
        host.mac(),
        hostIp,
        TcpSegment.of(FIRST_PORT, PORT, iss(0) + 1, first.seq() + 1, TcpSegment.ACK, 65535));
    awaitCondition(() -> !accepted.isEmpty(), WAIT, () -> "the connection completed");
    TcpFlow flow = accepted.poll();
    assertNotNull(flow, "the completed connection reached the callback");
    assertEquals(FIRST_PORT, flow.dst().getPort());

    sendSyn(3);
    TcpSegment answer = answerFor(FIRST_PORT + 3);
    assertEquals(TcpSegment.SYN | TcpSegment.ACK, answer.flags(), answer.toString());
    assertEquals(iss(3) + 1, answer.ack());
    assertEquals(1, host.stats().drops(DropReason.TCP_BACKLOG_FULL), "no new drop");

    // Ports 40001 and 40003 are half-open now: the backlog is full again.
    sendSyn(4);
    awaitCondition(
        () -> host.stats().drops(DropReason.TCP_BACKLOG_FULL) == 2,
        WAIT,
        () -> "the SYN after that dropped: " + host.stats());
    Map<Integer, TcpSegment> late = answersWithin(QUIET);
    assertTrue(!late.containsKey(FIRST_PORT + 4), "the dropped SYN got no answer: " + late);
  }

  @Test
  @DisplayName(
      "a full backlog frees a slot when a half-open connection is reset (RST at RCV.NXT): the next SYN is answered")
  void resetHalfOpenConnectionFreesASlot() throws Exception {
    fillBacklog();

    peer.sendTcp(
        host.mac(), hostIp, TcpSegment.of(FIRST_PORT, PORT, iss(0) + 1, 0, TcpSegment.RST, 0));
    awaitCondition(
        () -> host.stats().openFlows() == BACKLOG - 1,
        WAIT,
        () -> "the reset half-open connection left the table: " + host.stats());

    sendSyn(3);
    TcpSegment answer = answerFor(FIRST_PORT + 3);
    assertEquals(TcpSegment.SYN | TcpSegment.ACK, answer.flags(), answer.toString());
    assertEquals(iss(3) + 1, answer.ack());
    assertEquals(1, host.stats().drops(DropReason.TCP_BACKLOG_FULL), "no new drop");
    assertEquals(BACKLOG, host.stats().openFlows(), host.stats().toString());
    assertTrue(accepted.isEmpty(), "nothing completed");
  }

  /**
   * Two half-open connections (ports 40000 and 40001) and one SYN dropped (40002): returns the
   * SYN-ACKs by the peer's port.
   */
  private Map<Integer, TcpSegment> fillBacklog() throws InterruptedException {
    for (int i = 0; i < BACKLOG + 1; i++) {
      sendSyn(i);
    }
    awaitCondition(
        () -> host.stats().drops(DropReason.TCP_BACKLOG_FULL) == 1,
        WAIT,
        () -> "the third SYN dropped: " + host.stats());
    Map<Integer, TcpSegment> synAcks = new TreeMap<>();
    while (synAcks.size() < BACKLOG) {
      TcpSegment seg = peer.nextTcp(WAIT);
      assertNotNull(seg, "SYN-ACKs so far: " + synAcks);
      synAcks.put(seg.destinationPort(), seg);
    }
    assertEquals(List.of(FIRST_PORT, FIRST_PORT + 1), List.copyOf(synAcks.keySet()));
    return synAcks;
  }

  private static int iss(int i) {
    return 1_000_000 * (i + 1);
  }

  private void sendSyn(int i) {
    peer.sendTcp(
        host.mac(),
        hostIp,
        TcpSegment.of(FIRST_PORT + i, PORT, iss(i), 0, TcpSegment.SYN, 65535)
            .withOptions(TcpOptions.NONE.withMss(1460)));
  }

  /** The first segment to {@code peerPort}, skipping others (retransmitted SYN-ACKs). */
  private TcpSegment answerFor(int peerPort) throws InterruptedException {
    Duration deadline = sim.now().plus(WAIT);
    List<TcpSegment> others = new ArrayList<>();
    while (true) {
      TcpSegment seg = peer.nextTcp(deadline.minus(sim.now()));
      assertNotNull(seg, "no answer to port " + peerPort + "; seen meanwhile: " + others);
      if (seg.destinationPort() == peerPort) {
        return seg;
      }
      others.add(seg);
    }
  }

  /** Every segment for the peer until {@code quiet} passes with none, last one per port. */
  private Map<Integer, TcpSegment> answersWithin(Duration quiet) throws InterruptedException {
    Map<Integer, TcpSegment> byPort = new TreeMap<>();
    for (TcpSegment seg = peer.nextTcp(quiet); seg != null; seg = peer.nextTcp(quiet)) {
      byPort.put(seg.destinationPort(), seg);
    }
    return byPort;
  }
}
