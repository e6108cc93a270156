package dev.vnetif.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.LinkConditions;
import dev.vnetif.Stack;
import dev.vnetif.VirtualNetwork;
import dev.vnetif.stream.VirtualTcp;
import dev.vnetif.testkit.SwitchProbe;
import dev.vnetif.testkit.VnetifTest;
import dev.vnetif.time.VirtualTime;
import dev.vnetif.wire.TcpSegment;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a Pekko Streams connection puts on the wire, frame by frame: a {@link SwitchProbe} (a
 * TestKit {@code TestProbe} fed by a tap on the virtual switch) checks the exact three-way
 * handshake — ARP first, then SYN, SYN-ACK, ACK with the right ports, flags, sequence and
 * acknowledgement numbers and options — and, in virtual time, the exact instant of each frame.
 *
 * <p>Every link delays frames by 10 ms, so the timestamps tell the story: each frame leaves 10 ms
 * after the one it answers, and the client is connected after two round trips (ARP, then SYN /
 * SYN-ACK) of 20 ms. {@code probe.expectTcp(from, to, flags)} wants the very next frame to match
 * (flags: {@code "S"}, {@code "SA"}, {@code "A"}, {@code "FA"}...); a failure lists the frames it
 * saw, one tcpdump-like line each.
 */
@VnetifTest(virtualTime = true, seed = 7)
@Timeout(60)
class SwitchProbeHandshakeExample {
  static final int PORT = 80;
  static final Duration ONE_WAY = Duration.ofMillis(10);
  static final Duration LIMIT = Duration.ofSeconds(10);

  @Test
  void aStreamsConnectionOpensWithTheExactThreeWayHandshake(
      VirtualNetwork net, VirtualTime time, ActorTestKit testKit, ActorSystem<?> system) {
    Stack server = time.await(net.createStack("10.0.0.3/24"), LIMIT);
    Stack client = time.await(net.createStack("10.0.0.2/24"), LIMIT);
    time.await(net.setConditions(LinkConditions.none().delay(ONE_WAY)), LIMIT);
    Tcp.ServerBinding binding =
        time.await(
            VirtualTcp.get(server)
                .bind("10.0.0.3", PORT)
                .to(Sink.foreach(connection -> connection.handleWith(Flow.create(), system)))
                .run(system),
            LIMIT);

    // Made after the hosts started, so the probe does not see their gratuitous ARPs; it sees
    // every frame the switch forwards from here on, stamped when it entered the switch.
    try (SwitchProbe probe = SwitchProbe.create(net, testKit)) {
      // A client that sends nothing until the test completes its source.
      Pair<
              Pair<
                  CompletableFuture<Optional<ByteString>>, CompletionStage<Tcp.OutgoingConnection>>,
              CompletionStage<Done>>
          running =
              Source.<ByteString>maybe()
                  .viaMat(VirtualTcp.get(client).outgoingConnection("10.0.0.3", PORT), Keep.both())
                  .toMat(Sink.ignore(), Keep.both())
                  .run(system);
      Duration start = time.now();
      Tcp.OutgoingConnection connection = time.await(running.first().second(), LIMIT);
      assertEquals(
          Duration.ofMillis(40), time.now().minus(start), "connected after two round trips");

      // The client does not know the server's MAC yet: ARP comes first.
      probe.expectArpRequest(client, server);
      long arpRequestAt = probe.lastFrame().epochNanos();
      probe.expectArpReply(server, client);
      assertEquals(ONE_WAY.toNanos(), probe.lastFrame().epochNanos() - arpRequestAt);

      // SYN: from the ephemeral port the stream got, to port 80.
      int clientPort = connection.localAddress().getPort();
      TcpSegment syn =
          probe.expectTcp(
              new InetSocketAddress(client.address(), clientPort),
              new InetSocketAddress(server.address(), PORT),
              "S");
      assertEquals(2 * ONE_WAY.toNanos(), probe.lastFrame().epochNanos() - arpRequestAt);
      assertEquals(1460, syn.options().mss(), "MSS for an MTU of 1500: 1500 - 20 (IP) - 20 (TCP)");
      assertTrue(syn.options().windowScale() >= 0, "window scaling offered: " + syn.options());

      // SYN-ACK: from port 80 back to the client's port, acknowledging the SYN's one sequence
      // number (RFC 9293 §3.5).
      TcpSegment synAck =
          probe.expectTcp(
              new InetSocketAddress(server.address(), PORT),
              new InetSocketAddress(client.address(), clientPort),
              "SA");
      assertEquals(3 * ONE_WAY.toNanos(), probe.lastFrame().epochNanos() - arpRequestAt);
      assertEquals(syn.seq() + 1, synAck.ack(), "the SYN-ACK acknowledges the SYN");
      assertEquals(1460, synAck.options().mss());

      // ACK: the client's next sequence number, acknowledging the SYN-ACK; no data yet.
      TcpSegment ack =
          probe.expectTcp(
              new InetSocketAddress(client.address(), clientPort),
              new InetSocketAddress(server.address(), PORT),
              "A");
      assertEquals(4 * ONE_WAY.toNanos(), probe.lastFrame().epochNanos() - arpRequestAt);
      assertEquals(syn.seq() + 1, ack.seq());
      assertEquals(synAck.seq() + 1, ack.ack(), "the ACK acknowledges the SYN-ACK");
      assertEquals(0, ack.payload().length());

      // Then nothing: an idle connection sends no frame (no keepalive by default). In virtual
      // time this wait lets a whole minute pass, at no cost.
      probe.expectNoFrame(Duration.ofMinutes(1));

      // Completing the client's source sends its FIN (a client half-closes); the echo server
      // then closes too, and the stream completes. A minute on, the client's ARP entry has
      // expired (vnetif.arp.entry-timeout, 60 s), so it asks for the server's MAC again first:
      // the ignoringArp() view skips that.
      running.first().first().complete(Optional.empty());
      time.await(running.second(), LIMIT);
      TcpSegment fin = probe.ignoringArp().expectTcp(client, server, "FA");
      assertEquals(ack.seq(), fin.seq(), "no data was sent: the FIN comes right after the SYN");
    }
    time.await(binding.unbind(), LIMIT);
  }
}
