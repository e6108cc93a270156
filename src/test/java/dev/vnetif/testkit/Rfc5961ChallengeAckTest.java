package dev.vnetif.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.vnetif.ConnectionResetException;
import dev.vnetif.ReadResult;
import dev.vnetif.Stack;
import dev.vnetif.TcpFlow;
import dev.vnetif.VirtualNetwork;
import dev.vnetif.time.VirtualTime;
import dev.vnetif.wire.TcpSegment;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * mirage-tcpip's RFC 5961 tests with a {@link ScriptedPeer}: blind reset and SYN attacks against an
 * established connection are answered with a challenge ACK, not obeyed. The peer connects to the
 * host's port 80 with ISN 1000; every test starts in ESTABLISHED.
 */
@VnetifTest(virtualTime = true, seed = 5961)
class Rfc5961ChallengeAckTest {
  static final int PEER_PORT = 40000;
  static final int ISS = 1000;

  VirtualTime time;
  Stack host;
  ScriptedPeer peer;
  TcpFlow flow;
  int hostIsn;

  @BeforeEach
  void establish(VirtualNetwork net, VirtualTime time, ActorSystem<?> system) {
    this.time = time;
    host = time.await(net.createStack("10.0.0.2/24"));
    CompletableFuture<TcpFlow> accepted = new CompletableFuture<>();
    host.tcp()
        .listen(
            80,
            flow -> {
              accepted.complete(flow);
              return new CompletableFuture<>();
            });
    peer = ScriptedPeer.attach(net, system, "10.0.0.9");
    peer.syn(PEER_PORT).seq(ISS).mss(1460).windowScale(7).to(host, 80);
    TcpSegment synAck = peer.expectTcp("SA");
    assertEquals(ISS + 1, synAck.ack());
    hostIsn = synAck.seq();
    peer.ack(PEER_PORT).seq(ISS + 1).ack(hostIsn + 1).to(host, 80);
    flow = time.await(accepted);
  }

  @Test
  @DisplayName(
      "RFC 5961 §3.2: a RST in the window but not at RCV.NXT gets a challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT>, and the connection lives")
  void inWindowResetGetsAChallengeAck() {
    peer.rst(PEER_PORT).seq(ISS + 1 + 1000).to(host, 80);
    TcpSegment challenge = peer.expectTcp("A");
    assertEquals(hostIsn + 1, challenge.seq(), "SND.NXT");
    assertEquals(ISS + 1, challenge.ack(), "RCV.NXT");
    assertEquals(0, challenge.payload().length());

    peer.data(PEER_PORT, "still here").seq(ISS + 1).ack(hostIsn + 1).to(host, 80);
    ReadResult read = time.await(flow.read());
    assertEquals("still here", ((ReadResult.Data) read).data().utf8String(), "still ESTABLISHED");
  }

  @Test
  @DisplayName("RFC 5961 §3.2: a RST exactly at RCV.NXT resets the connection, unanswered")
  void exactResetCloses() {
    peer.rst(PEER_PORT).seq(ISS + 1).to(host, 80);
    peer.expectNothing(Duration.ofSeconds(1));
    CompletionException failure =
        org.junit.jupiter.api.Assertions.assertThrows(
            CompletionException.class, () -> time.await(flow.read()));
    assertInstanceOf(ConnectionResetException.class, failure.getCause());
  }

  @Test
  @DisplayName("RFC 5961 §3.2: a RST outside the window is dropped without an answer")
  void outOfWindowResetIsDropped() {
    peer.rst(PEER_PORT).seq(ISS + 1 - 100_000).to(host, 80);
    peer.expectNothing(Duration.ofSeconds(1));
    peer.data(PEER_PORT, "alive").seq(ISS + 1).ack(hostIsn + 1).to(host, 80);
    assertEquals("alive", ((ReadResult.Data) time.await(flow.read())).data().utf8String());
  }

  @Test
  @DisplayName(
      "RFC 5961 §4.2: a SYN on an established connection, in the window or not, gets a challenge ACK")
  void synOnEstablishedGetsAChallengeAck() {
    peer.syn(PEER_PORT).seq(ISS + 500).to(host, 80);
    TcpSegment challenge = peer.expectTcp("A");
    assertEquals(hostIsn + 1, challenge.seq());
    assertEquals(ISS + 1, challenge.ack());
    peer.data(PEER_PORT, "ok").seq(ISS + 1).ack(hostIsn + 1).to(host, 80);
    assertEquals("ok", ((ReadResult.Data) time.await(flow.read())).data().utf8String());
  }
}
