package dev.vnetif.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.Stack;
import dev.vnetif.UdpDatagram;
import dev.vnetif.VirtualNetwork;
import dev.vnetif.time.VirtualTime;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * VnetifExtension next to Pekko's own {@code TestKitJUnit5Extension}: the network runs on the
 * class's {@code @JUnit5TestKit}, so Pekko's TestProbes and the network's frames meet in one test,
 * and Pekko's extension keeps shutting its test kit down.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@VnetifTest(seed = 11)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WithPekkoTestKitTest {
  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  @Test
  void theNetworkRunsOnPekkosTestKit(
      VirtualNetwork net, ActorSystem<?> system, ActorTestKit injected, SwitchProbe probe)
      throws Exception {
    assertSame(testKit, injected, "the @JUnit5TestKit, not one of the extension's own");
    assertSame(testKit.system(), system);
    assertEquals(11, net.config().seed());
    Stack a = net.createStack("10.0.0.2/24").toCompletableFuture().get(5, TimeUnit.SECONDS);
    Stack b = net.createStack("10.0.0.3/24").toCompletableFuture().get(5, TimeUnit.SECONDS);

    TestProbe<UdpDatagram> datagrams = testKit.createTestProbe(UdpDatagram.class);
    b.udp().listen(9, datagrams.ref()::tell);
    a.udp().send(5000, new InetSocketAddress(b.address(), 9), ByteString.fromString("to a probe"));
    assertEquals("to a probe", datagrams.receiveMessage().payload().utf8String());
    assertEquals(
        "to a probe",
        probe.ignoringArp().expectUdp(a, b).payload().utf8String(),
        "the same datagram on the wire");
  }

  @Test
  void pekkosTestKitInVirtualTime() {
    VnetifExtensionTest.Launched run =
        VnetifExtensionTest.launch(VirtualTimeScenario.class, java.util.Map.of());
    assertEquals(java.util.Map.of(), run.failures());
    assertEquals(1, run.finished());
    assertEquals(Duration.ofHours(1), VirtualTimeScenario.ranFor, "two pings an hour apart");
  }

  /** A Pekko test kit in virtual time, and the network on it (run by the test above). */
  @ExtendWith(TestKitJUnit5Extension.class)
  @VnetifTest(virtualTime = true)
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  static class VirtualTimeScenario {
    static volatile Duration ranFor;

    @JUnit5TestKit
    public ActorTestKit testKit =
        new JUnit5TestKitBuilder()
            .withCustomConfig(
                VirtualTime.config().withFallback(ActorTestKit.applicationTestConfig()))
            .build();

    @Test
    void pingsAnHourApart(VirtualNetwork net, VirtualTime time, ActorSystem<?> system) {
      assertSame(testKit.system(), system);
      Stack a = time.await(net.createStack("10.0.0.2/24"));
      Stack b = time.await(net.createStack("10.0.0.3/24"));
      Duration start = time.now();
      time.await(a.ping(b.address(), Duration.ofSeconds(1)));
      time.advance(Duration.ofHours(1));
      time.await(a.ping(b.address(), Duration.ofSeconds(1)));
      ranFor = time.now().minus(start);
    }
  }

  @Test
  void virtualTimeOnARealTimeTestKitIsAConfigurationError() {
    VnetifExtensionTest.Launched run =
        VnetifExtensionTest.launch(RealTestKitButVirtualTime.class, java.util.Map.of());
    Throwable failure = run.failures().get("wantsAVirtualNetwork(VirtualNetwork)");
    assertInstanceOf(ExtensionConfigurationException.class, failure);
    assertTrue(
        failure
            .getMessage()
            .contains("runs in real time: build it with new JUnit5TestKitBuilder()"),
        failure.getMessage());
  }

  /** Asks for virtual time while its @JUnit5TestKit runs in real time (run by the test above). */
  @ExtendWith(TestKitJUnit5Extension.class)
  @VnetifTest(virtualTime = true)
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  static class RealTestKitButVirtualTime {
    @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

    @Test
    void wantsAVirtualNetwork(VirtualNetwork net) {}
  }
}
