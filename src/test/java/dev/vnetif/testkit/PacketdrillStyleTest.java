package dev.vnetif.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vnetif.ReadResult;
import dev.vnetif.Stack;
import dev.vnetif.TcpFlow;
import dev.vnetif.VirtualNetwork;
import dev.vnetif.time.VirtualTime;
import dev.vnetif.wire.TcpSegment;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * A packetdrill script played by a {@link ScriptedPeer} against a host that echoes in upper case,
 * in virtual time, so that times are exact as well as sequence numbers. The host's numbers are
 * relative to its ISN, as packetdrill writes them ({@code >} the peer sends, {@code <} the host
 * answers):
 *
 * <pre>
 * 0.000 &gt; S  0:0(0) win 65535 &lt;mss 1460,wscale 7&gt;
 * 0.000 &lt; S. 0:0(0) ack 1 win 65535 &lt;mss 1460,wscale 3&gt;
 * 0.000 &gt; .  1:1(0) ack 1 win 65535
 * 0.000 &gt; P. 1:6(5) ack 1 win 65535 "hello"
 * 0.000 &lt; .  1:1(0) ack 6 win 32768          window update: 32768 &lt;&lt; 3 = the 256 KiB buffer
 * 0.000 &lt; P. 1:6(5) ack 6 win 32768 "HELLO"
 * 0.200 &lt; P. 1:6(5) ack 6 win 32768 "HELLO"  not acknowledged: retransmitted after RTO = 200 ms
 * 0.200 &gt; .  6:6(0) ack 6 win 65535
 * 0.200 &gt; F. 6:6(0) ack 6 win 65535
 * 0.200 &lt; .  6:6(0) ack 7                    the FIN is acknowledged at once
 * 0.200 &lt; F. 6:6(0) ack 7                    the application saw Eof and closed
 * 0.200 &gt; .  7:7(0) ack 7
 * </pre>
 */
@VnetifTest(virtualTime = true, seed = 7)
class PacketdrillStyleTest {
  static final int PORT = 8080;
  static final int PEER_PORT = 40000;

  /** Echoes each read in upper case; closes once the peer has. */
  static CompletionStage<Object> upperCaseEcho(TcpFlow flow) {
    return flow.read()
        .thenCompose(
            read -> {
              if (read instanceof ReadResult.Data data) {
                String upper = data.data().utf8String().toUpperCase(Locale.ROOT);
                return flow.write(ByteString.fromString(upper))
                    .thenCompose(written -> upperCaseEcho(flow));
              }
              return flow.close().thenApply(closed -> (Object) closed);
            });
  }

  @Test
  void handshakeDataRetransmissionAndFinWithExactNumbersAndTimes(
      VirtualNetwork net, VirtualTime time, ActorSystem<?> system) {
    Stack host = time.await(net.createStack("10.0.0.2/24"));
    host.tcp().listen(PORT, PacketdrillStyleTest::upperCaseEcho);
    ScriptedPeer peer = ScriptedPeer.attach(net, system, "10.0.0.9");
    Duration start = time.now();

    // 0.000 > S 0:0(0) win 65535 <mss 1460,wscale 7>
    peer.syn(PEER_PORT).seq(0).window(65535).mss(1460).windowScale(7).to(host, PORT);
    // 0.000 < S. 0:0(0) ack 1 win 65535 <mss 1460,wscale 3>
    TcpSegment synAck = peer.expectTcp("SA");
    int isn = synAck.seq();
    assertSegment(synAck, PORT, PEER_PORT, isn, 1, 65535, 0);
    assertEquals(1460, synAck.options().mss());
    assertEquals(3, synAck.options().windowScale(), "256 KiB needs a shift of 3 (RFC 7323 §2.3)");
    at(time, start, "0.000");

    // 0.000 > . 1:1(0) ack 1
    peer.ack(PEER_PORT).seq(1).ack(isn + 1).to(host, PORT);
    // 0.000 > P. 1:6(5) ack 1 "hello"
    peer.data(PEER_PORT, "hello").seq(1).ack(isn + 1).to(host, PORT);
    // 0.000 < . 1:1(0) ack 6 win 32768: the SYN-ACK's window was unscaled (RFC 7323 §2.2), so the
    // first window of the connection opens it to the whole buffer: a window update (RFC 1122
    // §4.2.3.3).
    assertSegment(peer.expectTcp("A"), PORT, PEER_PORT, isn + 1, 6, 32768, 0);
    // 0.000 < P. 1:6(5) ack 6 "HELLO"
    TcpSegment reply = peer.expectTcp("PA");
    assertSegment(reply, PORT, PEER_PORT, isn + 1, 6, 32768, 5);
    assertEquals("HELLO", reply.payload().utf8String());
    at(time, start, "0.000");

    // 0.200 < P. 1:6(5) ack 6 "HELLO": the peer did not acknowledge; the RTT sample of the
    // handshake was 0, so the RTO is the minimum, 200 ms (RFC 6298 §2.4, vnetif.tcp.min-rto).
    TcpSegment again = peer.expectTcp("PA", Duration.ofMillis(300));
    assertEquals(reply, again, "the same segment, byte for byte");
    at(time, start, "0.200");

    // 0.200 > . 6:6(0) ack 6, then > F. 6:6(0) ack 6
    peer.ack(PEER_PORT).seq(6).ack(isn + 6).to(host, PORT);
    peer.fin(PEER_PORT).seq(6).ack(isn + 6).to(host, PORT);
    // 0.200 < . 6:6(0) ack 7: a FIN is acknowledged at once (RFC 9293 §3.10.7.4)
    TcpSegment finAck = peer.expectTcp("A");
    assertEquals(isn + 6, finAck.seq());
    assertEquals(7, finAck.ack());
    // 0.200 < F. 6:6(0) ack 7: the echo read Eof and closed
    TcpSegment fin = peer.expectTcp("FA");
    assertEquals(isn + 6, fin.seq());
    assertEquals(7, fin.ack());
    at(time, start, "0.200");

    // 0.200 > . 7:7(0) ack 7, and the host has nothing more to say
    peer.ack(PEER_PORT).seq(7).ack(isn + 7).to(host, PORT);
    peer.expectNothing(Duration.ofSeconds(5));
    assertEquals(0, host.stats().openFlows(), "LAST_ACK ended in CLOSED");
  }

  static void assertSegment(
      TcpSegment segment, int from, int to, int seq, int ack, int window, int length) {
    String s = segment.toString();
    assertEquals(from, segment.sourcePort(), s);
    assertEquals(to, segment.destinationPort(), s);
    assertEquals(seq, segment.seq(), "seq of " + s);
    assertEquals(ack, segment.ack(), "ack of " + s);
    assertEquals(window, segment.window(), "window of " + s);
    assertEquals(length, segment.payload().length(), "length of " + s);
  }

  /** packetdrill's time column: the virtual time since the script started, in seconds. */
  static void at(VirtualTime time, Duration start, String seconds) {
    Duration elapsed = time.now().minus(start);
    assertEquals(
        seconds,
        String.format(Locale.ROOT, "%d.%03d", elapsed.toSeconds(), elapsed.toMillisPart()),
        "virtual time since the script started");
  }
}
