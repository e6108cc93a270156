package dev.vnetif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.stack.DropReason;
import dev.vnetif.testkit.ScriptedPeer;
import dev.vnetif.testsupport.VirtualTimeKit;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import dev.vnetif.wire.Timestamps;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * SYN cookies on a listener whose backlog is full (RFC 4987 §3.6, {@code vnetif.tcp.syn-cookies},
 * on by default), against a {@link ScriptedPeer}: with a backlog of 2, two SYNs hold the slots, and
 * the third is answered with a SYN-ACK whose ISS is a cookie and which leaves no state; its final
 * ACK makes a connection that the listener accepts and that carries data both ways. A forged cookie
 * is reset. In virtual time, so that the TSval clock is exact and "no state" is checked without the
 * wall clock.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60) // wall-clock bound on each test; every wait inside is bounded in virtual time
class SynCookieHandshakeTest {
  static final Duration WAIT = Duration.ofSeconds(5);
  static final int BACKLOG = 2;
  static final int PORT = 80;
  static final int FIRST_PORT = 40000;

  /** The peer's TSvals: on its SYNs, then on its final ACK and data. */
  static final int PEER_TS = 5_000;

  static final int PEER_TS_LATER = 5_010;

  /** The host's window scale for its 256 KiB receive buffer (RFC 7323 §2.3). */
  static final int HOST_SCALE = 3;

  final VirtualTimeKit sim = VirtualTimeKit.create("syn-cookies");

  VirtualNetwork net;
  Stack host;
  ScriptedPeer peer;
  final LinkedBlockingQueue<TcpFlow> accepted = new LinkedBlockingQueue<>();

  @BeforeEach
  void setUp() {
    accepted.clear();
    NetworkConfig config =
        NetworkConfig.fromConfig(sim.system().settings().config()).withSynBacklog(BACKLOG);
    assertTrue(config.tcp().synCookies(), "SYN cookies are on by default");
    net = VirtualNetwork.create(sim.system(), config);
    host = sim.await(net.createStack("10.0.0.2/24"), WAIT, "host");
    peer = ScriptedPeer.attach(net, sim.system(), "10.0.0.9");
    host.tcp()
        .listen(
            PORT,
            flow -> {
              accepted.add(flow);
              return new CompletableFuture<>(); // the flows stay open for the whole test
            });
    sim.awaitCondition(() -> host.stats().listeners() == 1, WAIT, () -> "listening");
  }

  @AfterEach
  void tearDown() {
    peer.close();
    sim.await(net.shutdown(), WAIT, "network shutdown");
  }

  @AfterAll
  void stopTestKit() {
    sim.close();
  }

  static int iss(int i) {
    return 1_000_000 * (i + 1);
  }

  /** What a Linux client offers: MSS 1460, SACK-permitted, timestamps, window scale 7. */
  static TcpOptions linuxSyn() {
    return TcpOptions.NONE
        .withMss(1460)
        .withSackPermitted()
        .withTimestamps(new Timestamps(PEER_TS, 0))
        .withWindowScale(7);
  }

  /** The SYN-ACKs of SYNs 0 and 1, which took the two backlog slots. */
  TcpSegment[] fillBacklog(TcpOptions options) {
    TcpSegment[] synAcks = new TcpSegment[BACKLOG];
    for (int i = 0; i < BACKLOG; i++) {
      peer.syn(FIRST_PORT + i).seq(iss(i)).options(options).to(host, PORT);
      synAcks[i] = peer.expectTcp("SA");
      assertEquals(FIRST_PORT + i, synAcks[i].destinationPort());
    }
    assertEquals(BACKLOG, host.stats().openFlows());
    assertEquals(0, host.stats().synCookiesSent());
    return synAcks;
  }

  /** The network clock in 1 ms ticks: the host's TSval clock before its per-4-tuple offset. */
  int clockMillis() {
    return (int) Math.floorDiv(sim.time().clock().nanoTime(), 1_000_000L);
  }

  @Test
  @DisplayName(
      "RFC 4987 §3.6: backlog 2 full, the third SYN gets a SYN-ACK whose ISS is a cookie, with the options a normal one has and WS 7 + SACK in its TSval's low bits; no state is kept; the final ACK opens a connection that is accepted and carries data both ways")
  void thirdSynGetsACookieAndItsAckConnects() throws Exception {
    TcpSegment[] normal = fillBacklog(linuxSyn());
    int synMillis = clockMillis();
    peer.syn(FIRST_PORT + 2).seq(iss(2)).options(linuxSyn()).to(host, PORT);
    TcpSegment cookie = peer.expectTcp("SA");
    assertEquals(FIRST_PORT + 2, cookie.destinationPort());
    assertEquals(iss(2) + 1, cookie.ack());
    assertEquals(65535, cookie.window(), "256 KiB, unscaled on a SYN (RFC 7323 §2.2)");
    Timestamps cookieTs = cookie.options().timestamps();
    assertNotNull(cookieTs, cookie.toString());
    assertEquals(PEER_TS, cookieTs.echoReply(), "TSecr echoes the SYN's TSval");
    TcpOptions expected =
        TcpOptions.NONE
            .withMss(1460)
            .withSackPermitted()
            .withTimestamps(cookieTs)
            .withWindowScale(HOST_SCALE);
    assertEquals(expected, cookie.options(), "exactly what the cookie SYN-ACK offers");
    assertEquals(
        normal[0].options().withTimestamps(cookieTs),
        cookie.options(),
        "the same options as a SYN-ACK from the backlog, but for the TSval");
    assertEquals(1, host.stats().synCookiesSent());
    assertEquals(BACKLOG, host.stats().openFlows(), "no flow for the cookie SYN");
    assertEquals(0, host.stats().drops(DropReason.TCP_BACKLOG_FULL), "answered, not dropped");

    // The final ACK echoes the cookie TSval; the connection exists from here on.
    int cookieIss = cookie.seq();
    peer.ack(FIRST_PORT + 2)
        .seq(iss(2) + 1)
        .ack(cookieIss + 1)
        .window(1000)
        .timestamps(PEER_TS_LATER, cookieTs.value())
        .to(host, PORT);
    sim.awaitCondition(() -> !accepted.isEmpty(), WAIT, () -> "the cookie connection accepted");
    TcpFlow flow = accepted.poll();
    assertEquals(FIRST_PORT + 2, flow.dst().getPort());
    assertEquals(1, host.stats().synCookiesValidated());
    assertEquals(BACKLOG + 1, host.stats().openFlows());

    // Peer to host: data on the connection, read by the application.
    peer.data(FIRST_PORT + 2, "ping")
        .seq(iss(2) + 1)
        .ack(cookieIss + 1)
        .window(1000)
        .timestamps(PEER_TS_LATER, cookieTs.value())
        .to(host, PORT);
    ReadResult read = sim.await(flow.read(), WAIT, "read");
    assertEquals("ping", assertInstanceOf(ReadResult.Data.class, read).data().utf8String());
    // Read, the data leaves the window open beyond the SYN-ACK's unscaled 65,535: the host says
    // so at once (RFC 1122 §4.2.3.3), as after any passive open.
    TcpSegment update = peer.expectTcp("A");
    assertEquals(iss(2) + 5, update.ack());
    assertEquals((256 * 1024) >> HOST_SCALE, update.window(), "window scaled: WS survived");

    // Host to peer: the reply goes at the cookie ISS + 1, acknowledges the 4 bytes, scales its
    // window by 2^3 and carries timestamps.
    int writeMillis = clockMillis();
    flow.write(ByteString.fromString("pong"));
    TcpSegment pong = peer.expectTcp("PA");
    assertEquals("pong", pong.payload().utf8String());
    assertEquals(cookieIss + 1, pong.seq());
    assertEquals(iss(2) + 1 + 4, pong.ack());
    assertEquals((256 * 1024) >> HOST_SCALE, pong.window(), "the whole buffer, scaled");
    Timestamps pongTs = pong.options().timestamps();
    assertNotNull(pongTs, "timestamps survived: " + pong);
    assertEquals(PEER_TS_LATER, pongTs.echoReply());

    // The TSval offset of this 4-tuple, from the reply; the cookie TSval less it is the clock
    // at the SYN with its low 6 bits replaced by WS 7 | SACK (16), never ahead of the clock.
    int offset = pongTs.value() - writeMillis;
    int cookieClock = cookieTs.value() - offset;
    assertEquals(7 | 16, cookieClock & 63, "WS 7 and SACK in TSval's low bits");
    assertTrue(
        cookieClock - synMillis <= 0 && cookieClock - synMillis > -64,
        "cookie TSval " + cookieClock + " vs clock " + synMillis);

    // The peer acknowledges the reply: nothing more is owed.
    peer.ack(FIRST_PORT + 2)
        .seq(iss(2) + 5)
        .ack(cookieIss + 5)
        .window(1000)
        .timestamps(PEER_TS_LATER + 1, pongTs.value())
        .to(host, PORT);
    peer.expectNothing(Duration.ofMillis(100));
    assertEquals(0, host.stats().drops(DropReason.TCP_SYN_COOKIE_INVALID));
  }

  @Test
  @DisplayName(
      "a SYN without timestamps gets a cookie SYN-ACK with the MSS only: its connection runs without window scaling (the reply's window unscaled) and still carries data both ways")
  void withoutTimestampsOnlyTheMssSurvives() throws Exception {
    TcpOptions noTimestamps = TcpOptions.NONE.withMss(1460).withSackPermitted().withWindowScale(7);
    fillBacklog(noTimestamps);
    peer.syn(FIRST_PORT + 2).seq(iss(2)).options(noTimestamps).to(host, PORT);
    TcpSegment cookie = peer.expectTcp("SA");
    assertEquals(TcpOptions.NONE.withMss(1460), cookie.options());
    peer.data(FIRST_PORT + 2, "ping").seq(iss(2) + 1).ack(cookie.seq() + 1).to(host, PORT);
    sim.awaitCondition(() -> !accepted.isEmpty(), WAIT, () -> "the cookie connection accepted");
    TcpFlow flow = accepted.poll();
    ReadResult read = sim.await(flow.read(), WAIT, "read");
    assertEquals("ping", assertInstanceOf(ReadResult.Data.class, read).data().utf8String());
    assertEquals(iss(2) + 5, peer.expectTcp("A").ack()); // the window update after the read
    flow.write(ByteString.fromString("pong"));
    TcpSegment pong = peer.expectTcp("PA");
    assertEquals("pong", pong.payload().utf8String());
    assertEquals(iss(2) + 5, pong.ack());
    assertEquals(65535, pong.window(), "256 KiB unscaled: capped at 65,535");
    assertEquals(TcpOptions.NONE, pong.options());
    assertEquals(1, host.stats().synCookiesValidated());
  }

  @Test
  @DisplayName(
      "a forged cookie ACK is answered with RST (RFC 9293 §3.10.7.2), counted as TCP_SYN_COOKIE_INVALID, and opens nothing; the genuine one still connects")
  void forgedCookieIsReset() throws Exception {
    fillBacklog(linuxSyn());
    peer.syn(FIRST_PORT + 2).seq(iss(2)).options(linuxSyn()).to(host, PORT);
    TcpSegment cookie = peer.expectTcp("SA");
    int tsval = cookie.options().timestamps().value();

    peer.ack(FIRST_PORT + 2)
        .seq(iss(2) + 1)
        .ack(cookie.seq() + 2)
        .timestamps(PEER_TS_LATER, tsval)
        .to(host, PORT);
    TcpSegment rst = peer.expectTcp("R");
    assertEquals(cookie.seq() + 2, rst.seq(), "<SEQ=SEG.ACK><CTL=RST>");
    // The cookie of another 4-tuple (another port) is no good either.
    peer.ack(FIRST_PORT + 3)
        .seq(iss(2) + 1)
        .ack(cookie.seq() + 1)
        .timestamps(PEER_TS_LATER, tsval)
        .to(host, PORT);
    assertEquals(FIRST_PORT + 3, peer.expectTcp("R").destinationPort());
    assertEquals(2, host.stats().drops(DropReason.TCP_SYN_COOKIE_INVALID));
    assertEquals(0, host.stats().synCookiesValidated());
    assertEquals(BACKLOG, host.stats().openFlows());
    assertTrue(accepted.isEmpty());

    peer.ack(FIRST_PORT + 2)
        .seq(iss(2) + 1)
        .ack(cookie.seq() + 1)
        .timestamps(PEER_TS_LATER, tsval)
        .to(host, PORT);
    sim.awaitCondition(() -> !accepted.isEmpty(), WAIT, () -> "the genuine cookie accepted");
    assertEquals(1, host.stats().synCookiesValidated());
  }

  @Test
  @DisplayName(
      "an ACK for a listening port while no cookie went out is reset as before (TCP_PORT_CLOSED), not checked as a cookie; so is one after the cookies expired")
  void ackWithoutRecentCookiesIsReset() throws Exception {
    peer.ack(FIRST_PORT + 9).seq(1).ack(777_777).to(host, PORT);
    assertEquals(777_777, peer.expectTcp("R").seq());
    assertEquals(1, host.stats().drops(DropReason.TCP_PORT_CLOSED));
    assertEquals(0, host.stats().drops(DropReason.TCP_SYN_COOKIE_INVALID));

    TcpSegment[] normal = fillBacklog(TcpOptions.NONE.withMss(1460));
    peer.syn(FIRST_PORT + 2).seq(iss(2)).mss(1460).to(host, PORT);
    TcpSegment cookie = peer.expectTcp("SA");
    // The two half-open connections complete, so that no SYN-ACK is retransmitted meanwhile.
    for (int i = 0; i < BACKLOG; i++) {
      peer.ack(FIRST_PORT + i).seq(iss(i) + 1).ack(normal[i].seq() + 1).to(host, PORT);
    }
    sim.awaitCondition(() -> accepted.size() == BACKLOG, WAIT, () -> "the two accepted");
    // Past the cookie's validity, and the listener's memory of sending one: 2 periods and more.
    sim.advance(Duration.ofSeconds(2 * 64 + 1));
    peer.ack(FIRST_PORT + 2).seq(iss(2) + 1).ack(cookie.seq() + 1).to(host, PORT);
    TcpSegment rst = peer.expectTcp("R");
    assertEquals(FIRST_PORT + 2, rst.destinationPort());
    assertEquals(cookie.seq() + 1, rst.seq());
    assertEquals(2, host.stats().drops(DropReason.TCP_PORT_CLOSED));
    assertEquals(0, host.stats().drops(DropReason.TCP_SYN_COOKIE_INVALID));
    assertEquals(0, host.stats().synCookiesValidated());
    assertEquals(BACKLOG, host.stats().openFlows());
  }
}
