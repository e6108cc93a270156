package dev.vnetif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.vnetif.stack.ArpSettings;
import dev.vnetif.stack.DropReason;
import dev.vnetif.testsupport.VirtualTimeKit;
import dev.vnetif.wire.Ipv4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * ARP for an address nobody answers, in virtual time: the requests go out exactly retry-interval
 * apart, exactly max-requests of them, and the send fails one interval after the last. (Moved from
 * {@link HostsIntegrationTest}, where they waited for these seconds in real time.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60) // wall-clock bound on each test; every wait inside is bounded in virtual time
class ArpRetryTest {
  /** Bound on each wait, in virtual time. */
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  static final Ipv4Address NOBODY = Ipv4Address.of("10.0.0.99");

  final VirtualTimeKit sim = VirtualTimeKit.create("arp-retry");

  VirtualNetwork net;

  @BeforeEach
  void newNetwork() {
    net = VirtualNetwork.create(sim.system());
  }

  @AfterEach
  void shutdown() {
    sim.await(net.shutdown(), TIMEOUT, "shutdown");
  }

  @AfterAll
  void stopTestKit() {
    sim.close();
  }

  @Test
  @DisplayName(
      "ARP with no answer fails the send with HostUnreachableException exactly max-requests intervals after it (defaults: 3 requests, 1 s)")
  void arpFailure() {
    ArpSettings arp = net.config().arp();
    assertEquals(3, arp.maxRequests(), "the default");
    assertEquals(Duration.ofSeconds(1), arp.retryInterval(), "the default");
    Stack a = sim.await(net.createStack("10.0.0.2/24"), TIMEOUT, "host a");
    Duration start = sim.now();
    Throwable failure =
        sim.failureOf(
            a.udp().send(new InetSocketAddress("10.0.0.99", 9), ByteString.fromString("nobody")),
            TIMEOUT,
            "a send to an address nobody answers");
    assertInstanceOf(HostUnreachableException.class, failure);
    assertEquals(
        arp.retryInterval().multipliedBy(arp.maxRequests()),
        sim.now().minus(start),
        "3 requests 1 s apart, given up 1 s after the last");
    assertEquals(1, a.stats().drops(DropReason.ARP_UNRESOLVED));
  }

  @Test
  @DisplayName(
      "an unanswered address gets exactly max-requests ARP requests, exactly retry-interval apart, and none after the send failed")
  void arpRequestsStopAtMaxRequests() {
    ArpSettings defaults = net.config().arp();
    // Not the defaults (3 requests, 1 s): the count must come from the configuration.
    ArpSettings arp =
        new ArpSettings(
            defaults.entryTimeout(), Duration.ofMillis(100), 5, defaults.maxPendingPackets());
    VirtualNetwork fast = VirtualNetwork.create(sim.system(), net.config().withArp(arp));
    try {
      Stack a = sim.await(fast.createStack("10.0.0.2/24"), TIMEOUT, "host a");
      ConcurrentLinkedQueue<Frame> seen = new ConcurrentLinkedQueue<>();
      TapId tap = fast.addListener(seen::add);
      sim.runUntilIdle();
      long sentAt = sim.time().clock().epochNanos();
      CompletionStage<?> send =
          a.udp().send(new InetSocketAddress("10.0.0.99", 9), ByteString.fromString("nobody"));
      Throwable failure = sim.failureOf(send, TIMEOUT, "a send to an address nobody answers");
      assertInstanceOf(HostUnreachableException.class, failure);
      // A request sent after giving up would show within an ARP entry's lifetime: virtual time
      // makes waiting that long free.
      sim.advance(arp.entryTimeout());
      sim.await(fast.removeListener(tap), TIMEOUT, "tap removed");

      List<Frame> frames = new ArrayList<>(seen);
      String trace = HostsIntegrationTest.describe(frames);
      List<Frame> requests =
          frames.stream()
              .filter(
                  f ->
                      f.arp().filter(p -> p.isRequest() && p.targetIp().equals(NOBODY)).isPresent())
              .toList();
      assertEquals(arp.maxRequests(), requests.size(), trace);
      assertEquals(frames.size(), requests.size(), "nothing but the requests\n" + trace);
      List<Duration> offsets = new ArrayList<>();
      List<Duration> expected = new ArrayList<>();
      for (int i = 0; i < requests.size(); i++) {
        offsets.add(Duration.ofNanos(requests.get(i).epochNanos() - sentAt));
        expected.add(arp.retryInterval().multipliedBy(i));
      }
      assertEquals(expected, offsets, "each request's time after the send\n" + trace);
      assertEquals(1, a.stats().drops(DropReason.ARP_UNRESOLVED));
    } finally {
      sim.await(fast.shutdown(), TIMEOUT, "shutdown");
    }
  }
}
