package dev.vnetif.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.Stack;
import dev.vnetif.TcpFlow;
import dev.vnetif.VirtualNetwork;
import dev.vnetif.time.VirtualTime;
import dev.vnetif.wire.Ipv4Packet;
import dev.vnetif.wire.TcpSegment;
import dev.vnetif.wire.UdpPacket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** ScriptedPeer on its own: as a server in real time, ARP on the spot, and its failure messages. */
@VnetifTest
class ScriptedPeerTest {

  @Test
  void playsTheServerOfARealConnectionInRealTime(VirtualNetwork net, ActorSystem<?> system)
      throws Exception {
    Stack host = VnetifExtensionTest.join(net.createStack("10.0.0.2/24"));
    ScriptedPeer peer = ScriptedPeer.attach(net, system, "server", "10.0.0.9");
    CompletableFuture<TcpFlow> connecting =
        host.tcp().createConnection(peer.socket(80)).toCompletableFuture();

    TcpSegment syn = peer.expectTcp("S"); // the host asked for the peer's MAC first: answered
    assertEquals(80, syn.destinationPort());
    InetSocketAddress client = new InetSocketAddress(host.address(), syn.sourcePort());
    peer.segment(80, "SA").seq(5000).ack(syn.seq() + 1).mss(1460).to(client); // MAC learned
    TcpSegment ack = peer.expectTcp("A");
    assertEquals(5001, ack.ack());
    TcpFlow flow = VnetifExtensionTest.join(connecting);
    assertEquals(peer.socket(80), flow.dst());

    flow.write(ByteString.fromString("hi"));
    TcpSegment data = peer.expectTcp("PA");
    assertEquals("hi", data.payload().utf8String());
    assertEquals(syn.seq() + 1, data.seq());
    peer.close();
  }

  @Test
  @VnetifTest(virtualTime = true)
  void answersArpInsideTheNetworkWhileTheTestWaitsForSomethingElse(
      VirtualNetwork net, VirtualTime time, ActorSystem<?> system) throws Exception {
    Stack host = time.await(net.createStack("10.0.0.2/24"));
    ScriptedPeer peer = ScriptedPeer.attach(net, system, "10.0.0.9");
    // Completes only once the datagram left, which needs the peer's MAC: the peer answered the
    // host's ARP request while this thread waited on the host.
    time.await(host.udp().send(5000, peer.socket(7), ByteString.fromString("anyone?")));
    Ipv4Packet packet = peer.expectDatagram();
    assertEquals(Ipv4Packet.PROTO_UDP, packet.protocol());
    assertEquals(
        "anyone?",
        UdpPacket.parse(packet.payload(), packet.source(), packet.destination(), true)
            .payload()
            .utf8String());
  }

  @Test
  @VnetifTest(virtualTime = true)
  void aWrongAnswerIsShownAsTheLineOfItsFrame(
      VirtualNetwork net, VirtualTime time, ActorSystem<?> system) {
    Stack host = time.await(net.createStack("10.0.0.2/24"));
    ScriptedPeer peer = ScriptedPeer.attach(net, system, "10.0.0.9");
    peer.syn(40000).seq(100).to(host, 80); // nobody listens on 80
    AssertionError notSynAck = assertThrows(AssertionError.class, () -> peer.expectTcp("SA"));
    assertTrue(
        notSynAck
            .getMessage()
            .matches(
                "expected TCP \\[S\\.\\] to 10\\.0\\.0\\.9, but the next datagram was not it:\n"
                    + " +\\d+ 0\\.000000 10\\.0\\.0\\.2:80 > 10\\.0\\.0\\.9:40000 TCP \\[R\\.\\] seq 0"
                    + " ack 101 win 0 len 0"),
        notSynAck.getMessage());
  }

  @Test
  @VnetifTest(virtualTime = true)
  void silenceIsReportedWithThePeersLastFramesAndTakesItsVirtualTime(
      VirtualNetwork net, VirtualTime time, ActorSystem<?> system) {
    Stack host = time.await(net.createStack("10.0.0.2/24"));
    host.tcp().listen(80, flow -> new CompletableFuture<>());
    ScriptedPeer peer = ScriptedPeer.attach(net, system, "10.0.0.9");
    peer.syn(40000).seq(100).to(host, 80);
    TcpSegment synAck = peer.expectTcp("SA");
    peer.ack(40000).seq(101).ack(synAck.seq() + 1).to(host, 80); // established, and quiet
    Duration before = time.now();
    AssertionError silence =
        assertThrows(AssertionError.class, () -> peer.expectTcp("FA", Duration.ofSeconds(2)));
    String text = silence.getMessage();
    assertTrue(
        text.startsWith(
            "expected TCP [F.] to 10.0.0.9 within 2s of virtual time, but none came; the peer's"
                + " last frames were:\n"),
        text);
    assertTrue(text.contains("    1 0.000000 ARP who-has 10.0.0.9 tell 10.0.0.2\n"), text);
    assertTrue(
        text.matches(
            "(?s).*\n +2 0\\.000000 10\\.0\\.0\\.2:80 > 10\\.0\\.0\\.9:40000 TCP \\[S\\.\\] seq .*"),
        text);
    assertEquals(Duration.ofSeconds(2), time.now().minus(before));
  }

  @Test
  void sendingToAnAddressNeverHeardFromNamesIt(VirtualNetwork net, ActorSystem<?> system) {
    ScriptedPeer peer = ScriptedPeer.attach(net, system, "10.0.0.9");
    IllegalStateException unknown =
        assertThrows(
            IllegalStateException.class,
            () -> peer.ack(1).to(new InetSocketAddress("10.0.0.77", 80)));
    assertEquals(
        "peer 10.0.0.9 has heard nothing from 10.0.0.77 yet, so does not know its MAC: send to"
            + " its Stack instead",
        unknown.getMessage());
    assertThrows(IllegalArgumentException.class, () -> peer.segment(1, "SX"));
  }
}
