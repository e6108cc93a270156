package dev.vnetif.time;

import static dev.vnetif.testsupport.TcpTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.vnetif.Frame;
import dev.vnetif.LinkConditions;
import dev.vnetif.Stack;
import dev.vnetif.VirtualNetwork;
import dev.vnetif.testsupport.TcpTestSupport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Pekko's {@code ManualTime} still works, as the simpler mode: the test moves time by hand, the
 * actors run on their usual dispatcher, and the network reads the manual clock, so the SYN
 * retransmissions appear exactly 1 s and 3 s after the first SYN (RFC 6298 §5.5, doubled).
 *
 * <p>Its limits are why {@link VirtualTime} exists: the test must know when to move time, wait in
 * real time for the actors to catch up before moving it again (an actor that reads the clock after
 * the next {@code timePasses} sees the later time), and {@code timePasses} sleeps 100 ms each.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManualTimeTest {
  static final Duration WAIT = Duration.ofSeconds(5);

  final ActorTestKit testKit =
      ActorTestKit.create(
          "manual-time", ManualTime.config().withFallback(ConfigFactory.load("application-test")));
  final ManualTime manualTime = ManualTime.get(testKit.system());

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void synRetransmissionsFollowTheManualClock() {
    VirtualNetwork net = VirtualNetwork.create(testKit.system());
    Stack a = await(net.createStack("10.0.0.2/24"), WAIT, "host a");
    Stack b = await(net.createStack("10.0.0.3/24"), WAIT, "host b");
    List<Frame> syns = new CopyOnWriteArrayList<>();
    net.addListener(
        f -> {
          if (f.tcp().isPresent() && f.tcp().get().isSyn()) {
            syns.add(f);
          }
        });
    await(
        net.setConditions(
            a, b, LinkConditions.none().drop(f -> f.tcp().isPresent(), "every SYN a->b")),
        WAIT,
        "conditions");
    a.tcp().createConnection(new InetSocketAddress(b.address(), 80));
    TcpTestSupport.awaitCondition(() -> syns.size() == 1, WAIT, () -> "the first SYN");

    manualTime.timePasses(Duration.ofMillis(999));
    // A real-time pause (ManualTime's own expectNoMessageFor would move the manual clock).
    testKit.createTestProbe().expectNoMessage(Duration.ofMillis(100));
    assertEquals(1, syns.size(), "no retransmission before the 1 s RTO");
    manualTime.timePasses(Duration.ofMillis(1));
    TcpTestSupport.awaitCondition(() -> syns.size() == 2, WAIT, () -> "the second SYN");
    manualTime.timePasses(Duration.ofSeconds(2));
    TcpTestSupport.awaitCondition(() -> syns.size() == 3, WAIT, () -> "the third SYN");

    long first = syns.get(0).epochNanos();
    assertEquals(
        List.of(0L, 1_000_000_000L, 3_000_000_000L),
        syns.stream().map(f -> f.epochNanos() - first).toList(),
        "SYN times after the first, in ns");
    assertTrue(syns.stream().allMatch(f -> f.ingressHost().equals(a.name())));
    await(net.shutdown(), WAIT, "shutdown");
  }
}
