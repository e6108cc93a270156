package dev.vnetif;

import static dev.vnetif.HostsIntegrationTest.await;
import static dev.vnetif.HostsIntegrationTest.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.stack.DropReason;
import dev.vnetif.testsupport.RawPeer;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A 4-tuple whose flow ended with a RST is never a black hole, against a scripted peer: a SYN right
 * behind the RST opens a new connection at once, with a new ISS.
 *
 * <p>In real time, unlike its neighbours in {@link TimeWaitIntegrationTest}: in virtual time the
 * SYN arrives at the very instant the RST ended the old connection, so RFC 6528's clock M has not
 * ticked and {@code IsnGenerator} gives the new connection the old one's ISS; see the virtual-time
 * notes in the README. Real time always moves a few microseconds between the two.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SynBehindResetTest {
  static final Duration WAIT = Duration.ofSeconds(5);

  /**
   * Well under the 1 s after which the peer would retransmit its SYN: an answer later than this
   * means the SYN fell into a black hole.
   */
  static final Duration PROMPTLY = Duration.ofMillis(900);

  static final int PEER_PORT = 40_000;
  static final int PORT = 80;

  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  VirtualNetwork net;
  Stack host;
  Ipv4Address hostIp;
  RawPeer peer;
  final LinkedBlockingQueue<TcpFlow> accepted = new LinkedBlockingQueue<>();

  void start(NetworkConfig config, boolean serverClosesFirst) {
    net = VirtualNetwork.create(testKit.system(), config);
    host = await(net.createStack("10.0.0.2/24"));
    hostIp = Ipv4Address.fromInet(host.address());
    peer = new RawPeer(await(net.attachRawPort("peer")), Ipv4Address.of("10.0.0.9"));
    host.tcp()
        .listen(
            PORT,
            flow -> {
              accepted.add(flow);
              return serverClosesFirst ? flow.close() : new CompletableFuture<>();
            });
  }

  @AfterEach
  void tearDown() {
    await(net.shutdown());
  }

  NetworkConfig defaults() {
    return NetworkConfig.fromConfig(testKit.system().settings().config());
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
      "never a black hole: a SYN right behind the RST that ended the old connection opens a new one at once, while the old flow actor still lingers")
  void synBehindResetIsServed() throws Exception {
    start(defaults(), false);
    int hostIss = handshake(1_000);
    assertNotNull(accepted.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    awaitCondition(() -> host.stats().openFlows() == 1, "the flow is in the table");
    // RST at RCV.NXT, and the same 4-tuple's next SYN right behind it.
    send(1_001, 0, TcpSegment.RST);
    sendSyn(900_000);
    TcpSegment synAck = expect(TcpSegment.SYN | TcpSegment.ACK, PROMPTLY);
    assertEquals(900_001, synAck.ack());
    assertTrue(synAck.seq() != hostIss, "a new connection's ISS");
    send(900_001, synAck.seq() + 1, TcpSegment.ACK);
    assertNotNull(accepted.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS), "a new flow");
    assertEquals(0, host.stats().drops(DropReason.TCP_SYN_FOR_OPEN_FLOW));
    assertEquals(0, host.stats().drops(DropReason.TCP_SEGMENT_FOR_ENDED_FLOW));
  }
}
