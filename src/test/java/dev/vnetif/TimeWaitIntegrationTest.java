package dev.vnetif;

import static dev.vnetif.HostsIntegrationTest.await;
import static dev.vnetif.HostsIntegrationTest.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.stack.DropReason;
import dev.vnetif.tcp.TcpState;
import dev.vnetif.testsupport.RawPeer;
import dev.vnetif.testsupport.TcpTestSupport;
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
 * TIME_WAIT kept by the host (issue 8 item 9), against a scripted peer: what the entry answers, how
 * a new SYN reopens the 4-tuple, and that a 4-tuple whose flow ended is never a black hole.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TimeWaitIntegrationTest {
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

  /**
   * The host's application closes first; the peer acknowledges and closes too: the host is in
   * TIME_WAIT. Returns {SND.NXT, RCV.NXT} of the host's side.
   */
  int[] intoTimeWait(int iss) throws Exception {
    int hostIss = handshake(iss);
    TcpSegment fin = expect(TcpSegment.FIN | TcpSegment.ACK, WAIT);
    assertEquals(hostIss + 1, fin.seq());
    send(iss + 1, hostIss + 2, TcpSegment.FIN | TcpSegment.ACK);
    TcpSegment ack = expect(TcpSegment.ACK, WAIT);
    assertEquals(iss + 2, ack.ack());
    awaitCondition(
        () -> host.stats().timeWaitEntries() == 1 && host.stats().openFlows() == 0,
        "the 4-tuple passed from the flow table to the TIME_WAIT table: " + host.stats());
    return new int[] {hostIss + 2, iss + 2};
  }

  @Test
  @DisplayName(
      "TIME_WAIT is a host entry, not a flow: the flow's close completes and its stats show TIME_WAIT, then CLOSED after 2·MSL as the entry expires")
  void timeWaitIsAHostEntry() throws Exception {
    start(TcpTestSupport.withMsl(testKit.system(), Duration.ofMillis(200)), true);
    intoTimeWait(1_000);
    TcpFlow flow = accepted.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertNotNull(flow);
    assertEquals(TcpState.TIME_WAIT, flow.stats().state());
    awaitCondition(() -> host.stats().timeWaitEntries() == 0, "2·MSL later the entry is gone");
    assertEquals(TcpState.CLOSED, flow.stats().state());
    // The 4-tuple is now closed: a segment for it is answered with a RST.
    send(1_002, 5, TcpSegment.ACK);
    expect(TcpSegment.RST, WAIT);
  }

  @Test
  @DisplayName(
      "RFC 9293 §3.10.7.4 in TIME_WAIT: the peer's retransmitted FIN is ACKed again; an old SYN gets an ACK, not a connection")
  void retransmittedFinAndOldSyn() throws Exception {
    start(defaults(), true);
    int[] nxt = intoTimeWait(1_000);
    send(1_001, nxt[0], TcpSegment.FIN | TcpSegment.ACK);
    TcpSegment again = expect(TcpSegment.ACK, WAIT);
    assertEquals(nxt[0], again.seq());
    assertEquals(nxt[1], again.ack());
    sendSyn(1_001 - 100_000); // an old duplicate: below RCV.NXT
    TcpSegment ack = expect(TcpSegment.ACK, WAIT);
    assertEquals(nxt[1], ack.ack());
    assertEquals(1, host.stats().timeWaitEntries());
    assertEquals(0, host.stats().timeWaitReopened());
  }

  @Test
  @DisplayName(
      "RFC 6191: a SYN beyond the old RCV.NXT reopens the 4-tuple at once, with an ISS above the old SND.NXT; the new connection works")
  void newSynReopens() throws Exception {
    start(defaults(), true);
    int[] nxt = intoTimeWait(1_000);
    accepted.clear();
    int newIss = nxt[1] + 50_000;
    sendSyn(newIss);
    TcpSegment synAck = expect(TcpSegment.SYN | TcpSegment.ACK, PROMPTLY);
    assertEquals(nxt[0] + 65_535 + 2, synAck.seq(), "ISS = old SND.NXT + 65535 + 2");
    assertEquals(newIss + 1, synAck.ack());
    assertEquals(1, host.stats().timeWaitReopened());
    assertEquals(0, host.stats().timeWaitEntries());
    send(newIss + 1, synAck.seq() + 1, TcpSegment.ACK);
    assertNotNull(accepted.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS), "a new flow");
    expect(TcpSegment.FIN | TcpSegment.ACK, WAIT); // the new flow's application closes too
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
