package dev.vnetif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.stack.DropReason;
import dev.vnetif.testsupport.RawPeer;
import dev.vnetif.testsupport.VirtualTimeKit;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.SeqNum;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A 4-tuple whose flow ended with a RST is never a black hole, against a scripted peer: a SYN right
 * behind the RST opens a new connection at once, with a new ISS.
 *
 * <p>In virtual time, so "right behind" is the very instant the RST ended the old connection: RFC
 * 6528's clock has not ticked in between, and the new ISS differs from the old one only because
 * {@code IsnGenerator} moves its clock on with every ISS it gives.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60) // wall-clock bound on each test; every wait inside is bounded in virtual time
class SynBehindResetTest {
  /** Bound on each wait, in virtual time. */
  static final Duration WAIT = Duration.ofSeconds(5);

  /**
   * At once: the link has no delay, so an answer takes no virtual time at all. Any later, and the
   * SYN waited for something — the 1 s after which the peer would retransmit it, a black hole.
   */
  static final Duration PROMPTLY = Duration.ZERO;

  static final int PEER_PORT = 40_000;
  static final int PORT = 80;

  final VirtualTimeKit sim = VirtualTimeKit.create("syn-behind-reset");

  VirtualNetwork net;
  Stack host;
  Ipv4Address hostIp;
  RawPeer peer;
  final LinkedBlockingQueue<TcpFlow> accepted = new LinkedBlockingQueue<>();

  void start(NetworkConfig config) {
    net = VirtualNetwork.create(sim.system(), config);
    host = await(net.createStack("10.0.0.2/24"));
    hostIp = Ipv4Address.fromInet(host.address());
    peer = new RawPeer(await(net.attachRawPort("peer")), Ipv4Address.of("10.0.0.9"), sim.time());
    host.tcp()
        .listen(
            PORT,
            flow -> {
              accepted.add(flow);
              return new CompletableFuture<>();
            });
  }

  @AfterEach
  void tearDown() {
    await(net.shutdown());
  }

  @AfterAll
  void stopTestKit() {
    sim.close();
  }

  <T> T await(CompletionStage<T> stage) {
    return sim.await(stage, WAIT, "stage");
  }

  TcpFlow nextAccepted() {
    sim.awaitCondition(() -> !accepted.isEmpty(), WAIT, () -> "a flow accepted");
    return accepted.poll();
  }

  NetworkConfig defaults() {
    return NetworkConfig.fromConfig(sim.system().settings().config());
  }

  void send(int seq, int ack, int flags) {
    peer.sendTcp(host.mac(), hostIp, TcpSegment.of(PEER_PORT, PORT, seq, ack, flags, 65_535));
  }

  void sendSyn(int iss) {
    peer.sendTcp(
        host.mac(),
        hostIp,
        TcpSegment.of(PEER_PORT, PORT, iss, 0, TcpSegment.SYN, 65_535)
            .withOptions(TcpOptions.NONE.withMss(1460)));
  }

  TcpSegment expect(int flags, Duration within) throws InterruptedException {
    TcpSegment got = peer.nextTcp(within);
    assertNotNull(got, "expected " + TcpSegment.flagsToString(flags) + " within " + within);
    assertEquals(
        TcpSegment.flagsToString(flags), TcpSegment.flagsToString(got.flags()), got.toString());
    return got;
  }

  /** Handshake from the peer; returns the host's ISS. */
  int handshake(int iss) throws InterruptedException {
    sendSyn(iss);
    TcpSegment synAck = expect(TcpSegment.SYN | TcpSegment.ACK, WAIT);
    assertEquals(iss + 1, synAck.ack());
    send(iss + 1, synAck.seq() + 1, TcpSegment.ACK);
    return synAck.seq();
  }

  @Test
  @DisplayName(
      "never a black hole: a SYN right behind the RST that ended the old connection opens a new one at the same instant, with a higher ISS, while the old flow actor still lingers")
  void synBehindResetIsServed() throws Exception {
    start(defaults());
    int hostIss = handshake(1_000);
    assertNotNull(nextAccepted());
    sim.awaitCondition(() -> host.stats().openFlows() == 1, WAIT, () -> "the flow is in the table");
    Duration before = sim.now();
    // RST at RCV.NXT, and the same 4-tuple's next SYN right behind it.
    send(1_001, 0, TcpSegment.RST);
    sendSyn(900_000);
    TcpSegment synAck = expect(TcpSegment.SYN | TcpSegment.ACK, PROMPTLY);
    assertEquals(before, sim.now(), "answered at the instant of the RST");
    assertEquals(900_001, synAck.ack());
    assertNotEquals(hostIss, synAck.seq(), "a new connection's ISS");
    assertTrue(SeqNum.gt(synAck.seq(), hostIss), "the ISS moves on: " + synAck.seq());
    send(900_001, synAck.seq() + 1, TcpSegment.ACK);
    assertNotNull(nextAccepted(), "a new flow");
    assertEquals(0, host.stats().drops(DropReason.TCP_SYN_FOR_OPEN_FLOW));
    assertEquals(0, host.stats().drops(DropReason.TCP_SEGMENT_FOR_ENDED_FLOW));
  }
}
