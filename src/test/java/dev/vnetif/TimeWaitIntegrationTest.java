package dev.vnetif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.vnetif.tcp.TcpState;
import dev.vnetif.testsupport.RawPeer;
import dev.vnetif.testsupport.VirtualTimeKit;
import dev.vnetif.wire.Ipv4Address;
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
 * TIME_WAIT kept by the host (issue 8 item 9), against a scripted peer: what the entry answers and
 * how a new SYN reopens the 4-tuple. In virtual time, with the default MSL: the entry lasts exactly
 * 2·MSL (60 s), at no cost. (That a 4-tuple whose flow ended with a RST is never a black hole is
 * {@link SynBehindResetTest}; churn that reuses 4-tuples at the instant they ended, {@link
 * TimeWaitChurnTest}.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60) // wall-clock bound on each test; every wait inside is bounded in virtual time
class TimeWaitIntegrationTest {
  /** Bound on each wait, in virtual time. */
  static final Duration WAIT = Duration.ofSeconds(5);

  /**
   * At once: the link has no delay, so an answer takes no virtual time at all. Any later, and the
   * SYN waited for something — the 1 s after which the peer would retransmit it, a black hole.
   */
  static final Duration PROMPTLY = Duration.ZERO;

  static final int PEER_PORT = 40_000;
  static final int PORT = 80;

  final VirtualTimeKit sim = VirtualTimeKit.create("time-wait");

  VirtualNetwork net;
  Stack host;
  Ipv4Address hostIp;
  RawPeer peer;
  final LinkedBlockingQueue<TcpFlow> accepted = new LinkedBlockingQueue<>();

  void start(NetworkConfig config, boolean serverClosesFirst) {
    net = VirtualNetwork.create(sim.system(), config);
    host = await(net.createStack("10.0.0.2/24"));
    hostIp = Ipv4Address.fromInet(host.address());
    peer = new RawPeer(await(net.attachRawPort("peer")), Ipv4Address.of("10.0.0.9"), sim.time());
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

  @AfterAll
  void stopTestKit() {
    sim.close();
  }

  <T> T await(CompletionStage<T> stage) {
    return sim.await(stage, WAIT, "stage");
  }

  void awaitCondition(java.util.function.BooleanSupplier condition, String what) {
    sim.awaitCondition(condition, WAIT, () -> what);
  }

  /** The next flow the listener accepted, within {@link #WAIT} of virtual time; null if none. */
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
      "TIME_WAIT is a host entry, not a flow: the flow's close completes and its stats show TIME_WAIT, then CLOSED exactly 2·MSL (default MSL, 60 s) later as the entry expires")
  void timeWaitIsAHostEntry() throws Exception {
    NetworkConfig config = defaults();
    Duration twoMsl = Duration.ofNanos(2 * config.tcp().mslNanos());
    assertEquals(
        Duration.ofSeconds(60), twoMsl, "the default MSL, 30 s: TIME_WAIT lasts 60 s, as on Linux");
    start(config, true);
    intoTimeWait(1_000);
    // The host entered TIME_WAIT when the peer's FIN came, at this very instant: no time passed
    // since (the link has no delay, and every wait above found what it waited for at once).
    Duration entered = sim.now();
    TcpFlow flow = nextAccepted();
    assertNotNull(flow);
    assertEquals(TcpState.TIME_WAIT, flow.stats().state());
    sim.advance(twoMsl.minusNanos(1));
    assertEquals(1, host.stats().timeWaitEntries(), "1 ns before 2·MSL the entry is still there");
    assertEquals(TcpState.TIME_WAIT, flow.stats().state());
    sim.advance(Duration.ofNanos(1));
    assertEquals(0, host.stats().timeWaitEntries(), "2·MSL later the entry is gone");
    assertEquals(twoMsl, sim.now().minus(entered));
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
    assertNotNull(nextAccepted(), "a new flow");
    expect(TcpSegment.FIN | TcpSegment.ACK, WAIT); // the new flow's application closes too
  }

  // The SYN right behind a RST (never a black hole): SynBehindResetTest.
}
