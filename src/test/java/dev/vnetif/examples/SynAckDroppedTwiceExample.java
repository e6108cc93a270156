package dev.vnetif.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.ConditionStats;
import dev.vnetif.Frame;
import dev.vnetif.LinkConditions;
import dev.vnetif.Stack;
import dev.vnetif.TcpFlowStats;
import dev.vnetif.VirtualNetwork;
import dev.vnetif.stream.VirtualTcp;
import dev.vnetif.testkit.FrameMatcher;
import dev.vnetif.testkit.SwitchProbe;
import dev.vnetif.testkit.VnetifTest;
import dev.vnetif.time.VirtualTime;
import dev.vnetif.wire.TcpSegment;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
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
 * A fault no proxy can script: the server's answer to the client's SYN is lost twice. The client
 * retransmits its SYN on the RFC 6298 schedule — 1 s after the first (the initial RTO, §2.1), then
 * 2 s later (the timer backed off, §5.5) — and the third attempt connects. In virtual time each of
 * these instants is exact to the nanosecond, and the three seconds cost no wall time.
 *
 * <p>"Lost twice" as the client sees it: no SYN-ACK reaches it before its third SYN. A listening
 * TCP retransmits its SYN-ACK on its own timer too, so at +1 s two SYN-ACKs leave the server (its
 * retransmission and the answer to the retransmitted SYN): a step that dropped only the first two
 * SYN-ACK frames would let the client connect at +1 s. The scripted drop step below therefore
 * counts the client's SYNs as they pass and drops every SYN-ACK until the third has gone by.
 */
@VnetifTest(virtualTime = true, seed = 7)
@Timeout(60)
class SynAckDroppedTwiceExample {
  static final int PORT = 80;
  static final Duration LIMIT = Duration.ofSeconds(30);

  @Test
  void theSynIsRetransmittedAfterOneThenTwoSecondsAndTheThirdConnects(
      VirtualNetwork net, VirtualTime time, SwitchProbe probe, ActorSystem<?> system) {
    Stack server = time.await(net.createStack("10.0.0.3/24"), LIMIT);
    Stack client = time.await(net.createStack("10.0.0.2/24"), LIMIT);
    Tcp.ServerBinding binding =
        time.await(
            VirtualTcp.get(server)
                .bind("10.0.0.3", PORT)
                .to(Sink.foreach(connection -> connection.handleWith(Flow.create(), system)))
                .run(system),
            LIMIT);

    // The switch calls the predicate for every frame it forwards, in order, on its own actor:
    // it may keep state. SYNs pass and are counted; SYN-ACKs are dropped before the third SYN.
    AtomicInteger synsSeen = new AtomicInteger();
    Predicate<Frame> synAcksBeforeTheThirdSyn =
        frame -> {
          TcpSegment segment = frame.tcp().orElse(null);
          if (segment == null || !segment.isSyn()) {
            return false;
          }
          if (!segment.isAck()) {
            synsSeen.incrementAndGet();
            return false;
          }
          return synsSeen.get() < 3;
        };
    time.await(
        net.setConditions(
            LinkConditions.none().drop(synAcksBeforeTheThirdSyn, "SYN-ACKs before the 3rd SYN")),
        LIMIT);

    // An ordinary Pekko Streams client: one request, the echo comes back.
    Duration start = time.now();
    Pair<CompletionStage<Tcp.OutgoingConnection>, CompletionStage<ByteString>> running =
        Source.single(ByteString.fromString("ping"))
            .viaMat(VirtualTcp.get(client).outgoingConnection("10.0.0.3", PORT), Keep.right())
            .toMat(Sink.fold(ByteString.emptyByteString(), ByteString::concat), Keep.both())
            .run(system);

    // The connection succeeds, exactly 3 s later: two RTOs of 1 s and 2 s.
    Tcp.OutgoingConnection connection = time.await(running.first(), LIMIT);
    assertEquals(Duration.ofSeconds(3), time.now().minus(start), "connected at +3 s");
    assertEquals("ping", time.await(running.second(), LIMIT).utf8String(), "and it works");

    // The wire, from the probe (injected by the extension, so created with the network: ARP and
    // the dropped SYN-ACKs, which it saw entering the switch, are skipped by this view).
    SwitchProbe synsAndAcks =
        probe
            .ignoringArp()
            .ignoring(
                FrameMatcher.tcp(FrameMatcher.anyPort(server), FrameMatcher.anyPort(client), "SA"));
    TcpSegment first = synsAndAcks.expectTcp(client, server, "S");
    long firstAt = synsAndAcks.lastFrame().epochNanos();
    TcpSegment second = synsAndAcks.expectTcp(client, server, "S");
    long secondAt = synsAndAcks.lastFrame().epochNanos();
    TcpSegment third = synsAndAcks.expectTcp(client, server, "S");
    long thirdAt = synsAndAcks.lastFrame().epochNanos();
    TcpSegment ack = synsAndAcks.expectTcp(client, server, "A");
    long ackAt = synsAndAcks.lastFrame().epochNanos();

    // SYNs at +0, +1 s and +3 s, to the nanosecond.
    assertEquals(
        Duration.ofSeconds(1).toNanos(),
        secondAt - firstAt,
        "RFC 6298 §2.1: the first retransmission after the initial RTO of 1 s");
    assertEquals(
        Duration.ofSeconds(3).toNanos(),
        thirdAt - firstAt,
        "RFC 6298 §5.5: the second after the RTO doubled to 2 s");
    assertEquals(thirdAt, ackAt, "the answer to the third SYN gets through, acknowledged at once");
    assertEquals(first.seq(), second.seq(), "a retransmission: the same SYN");
    assertEquals(first.seq(), third.seq(), "a retransmission: the same SYN");
    assertEquals(first.seq() + 1, ack.seq());

    // The connection's own counters agree: two SYNs retransmitted, after two timeouts.
    TcpFlowStats stats = VirtualTcp.stats(connection).orElseThrow();
    assertEquals(2, stats.retransmits(), stats.toString());
    assertEquals(2, stats.timeouts(), stats.toString());
    // The step dropped the SYN-ACK of +0 s and the SYN-ACKs of +1 s: at least two frames (how many
    // answer a retransmitted SYN is the server's choice), as the network's statistics show.
    ConditionStats conditions = time.await(net.conditionStats(), LIMIT);
    assertTrue(conditions.dropped() >= 2, conditions.toString());

    time.await(binding.unbind(), LIMIT);
  }
}
