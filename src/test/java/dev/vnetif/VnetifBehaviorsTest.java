package dev.vnetif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.link.SwitchCommand;
import dev.vnetif.stack.FlowCommand;
import dev.vnetif.stack.FlowEvent;
import dev.vnetif.stack.FlowHandle;
import dev.vnetif.stack.HostCommand;
import dev.vnetif.stack.PingOutcome;
import dev.vnetif.stack.StackActor;
import dev.vnetif.tcp.CloseReason;
import dev.vnetif.wire.Ipv4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The switch and host behaviors spawned under the test kit's own guardian (no {@link
 * VirtualNetwork}), driven with raw {@link HostCommand}s and the flow protocol.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VnetifBehaviorsTest {
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final long SEED_A = 1;
  static final long SEED_B = 2;
  static final Ipv4Address ADDRESS_A = Ipv4Address.of("10.0.0.2");
  static final Ipv4Address ADDRESS_B = Ipv4Address.of("10.0.0.3");

  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  NetworkConfig config;
  ActorRef<SwitchCommand> switchRef;
  ActorRef<HostCommand> hostA;
  ActorRef<HostCommand> hostB;
  final List<ActorRef<?>> spawned = new ArrayList<>();
  Map<ActorRef<HostCommand>, StackActor.HostReady> ready;

  @BeforeEach
  void spawnSwitchAndHosts() {
    config = NetworkConfig.fromConfig(testKit.system().settings().config());
    switchRef = spawn(VnetifBehaviors.switchBehavior(config));
    TestProbe<StackActor.HostReady> readyProbe =
        testKit.createTestProbe(StackActor.HostReady.class);
    hostA =
        spawn(
            VnetifBehaviors.host(
                config, StackConfig.of("10.0.0.2/24"), SEED_A, switchRef, readyProbe.ref()));
    hostB =
        spawn(
            VnetifBehaviors.host(
                config, StackConfig.of("10.0.0.3/24"), SEED_B, switchRef, readyProbe.ref()));
    List<StackActor.HostReady> both = readyProbe.receiveSeveralMessages(2, TIMEOUT);
    ready = Map.of(both.get(0).host(), both.get(0), both.get(1).host(), both.get(1));
  }

  @AfterEach
  void stopAll() {
    for (int i = spawned.size() - 1; i >= 0; i--) {
      testKit.stop(spawned.get(i), TIMEOUT);
    }
    spawned.clear();
  }

  private <T> ActorRef<T> spawn(org.apache.pekko.actor.typed.Behavior<T> behavior) {
    ActorRef<T> ref = testKit.spawn(behavior);
    spawned.add(ref);
    return ref;
  }

  @Test
  @DisplayName("each spawned host reports HostReady with its own ref, its own MAC and switch port")
  void hostsReportReady() {
    assertEquals(2, ready.size(), "HostReady came from both hosts: " + ready);
    StackActor.HostReady a = ready.get(hostA);
    StackActor.HostReady b = ready.get(hostB);
    assertEquals(hostA, a.host());
    assertEquals(hostB, b.host());
    assertNotEquals(a.mac(), b.mac());
    assertNotEquals(a.port(), b.port());
  }

  @Test
  @DisplayName("HostCommand.Ping between spawned hosts gets a PingOutcome.Reply from the target")
  void pingBetweenSpawnedHosts() {
    TestProbe<PingOutcome> outcome = testKit.createTestProbe(PingOutcome.class);
    hostA.tell(new HostCommand.Ping(ADDRESS_B, 32, TIMEOUT, outcome.ref()));
    PingOutcome.Reply reply = outcome.expectMessageClass(PingOutcome.Reply.class, TIMEOUT);
    assertEquals(ADDRESS_B, reply.from());
    assertEquals(32, reply.payloadSize());
    assertEquals(config.ttl(), reply.ttl());
  }

  @Test
  @DisplayName(
      "TcpListen + TcpConnect: Connected(handle); handlers registered on handle.ref() exchange data and close")
  void tcpThroughRawHostCommands() {
    CompletableFuture<FlowHandle> accepted = new CompletableFuture<>();
    hostB.tell(
        new HostCommand.TcpListen(
            7,
            null,
            handle -> {
              accepted.complete(handle);
              return CompletableFuture.completedFuture(null);
            }));
    TestProbe<FlowCommand.ConnectReply> connectReply =
        testKit.createTestProbe(FlowCommand.ConnectReply.class);
    hostA.tell(new HostCommand.TcpConnect(ADDRESS_B, 7, null, connectReply.ref()));
    FlowHandle client =
        connectReply.expectMessageClass(FlowCommand.ConnectReply.Connected.class, TIMEOUT).flow();
    assertEquals(ADDRESS_B, client.remoteAddress());
    assertEquals(7, client.remotePort());
    assertEquals(ADDRESS_A, client.localAddress());
    FlowHandle server = HostsIntegrationTest.await(accepted);
    assertEquals(client.localPort(), server.remotePort());
    assertEquals(ADDRESS_A, server.remoteAddress());

    TestProbe<FlowEvent> clientEvents = testKit.createTestProbe(FlowEvent.class);
    TestProbe<FlowEvent> serverEvents = testKit.createTestProbe(FlowEvent.class);
    client.ref().tell(new FlowCommand.Register(clientEvents.ref(), false, false));
    server.ref().tell(new FlowCommand.Register(serverEvents.ref(), true, false));
    clientEvents.expectMessage(
        TIMEOUT, new FlowEvent.Connected(ADDRESS_B, 7, ADDRESS_A, client.localPort()));
    serverEvents.expectMessage(
        TIMEOUT, new FlowEvent.Connected(ADDRESS_A, client.localPort(), ADDRESS_B, 7));

    client.ref().tell(new FlowCommand.Write(ByteString.fromString("request"), "sent"));
    clientEvents.expectMessage(TIMEOUT, new FlowEvent.Ack("sent"));
    assertEquals("request", receiveBytes(serverEvents, 7).utf8String());

    server.ref().tell(new FlowCommand.Write(ByteString.fromString("response"), null));
    assertEquals("response", receiveBytes(clientEvents, 8).utf8String());

    client.ref().tell(new FlowCommand.ConfirmedClose());
    serverEvents.expectMessage(TIMEOUT, FlowEvent.PEER_CLOSED);
    server.ref().tell(new FlowCommand.Close());
    serverEvents.expectMessage(TIMEOUT, FlowEvent.CLOSED);
    // a PeerClosed before ConfirmedClosed is tolerated here; FlowProtocolTest pins that down
    clientEvents.fishForMessage(
        TIMEOUT,
        e ->
            e instanceof FlowEvent.ConfirmedClosed
                ? FishingOutcomes.complete()
                : e instanceof FlowEvent.PeerClosed
                    ? FishingOutcomes.continueAndIgnore()
                    : FishingOutcomes.fail("unexpected " + e));
  }

  @Test
  @DisplayName("TcpConnect to a port nobody listens on answers ConnectReply.Failed(REFUSED)")
  void tcpConnectRefused() {
    TestProbe<FlowCommand.ConnectReply> connectReply =
        testKit.createTestProbe(FlowCommand.ConnectReply.class);
    hostA.tell(new HostCommand.TcpConnect(ADDRESS_B, 9, null, connectReply.ref()));
    FlowCommand.ConnectReply.Failed failed =
        connectReply.expectMessageClass(FlowCommand.ConnectReply.Failed.class, TIMEOUT);
    assertEquals(CloseReason.REFUSED, failed.reason());
    assertTrue(
        failed.message().contains("-> 10.0.0.3:9") && failed.message().contains("refused"),
        failed.message());
  }

  @Test
  @DisplayName(
      "a host takes exactly the twelve public HostCommands; the flows' messages to it are not"
          + " HostCommands and cannot be built outside the stack package")
  void hostProtocolIsOnlyThePublicCommands() {
    java.util.Set<String> permitted = new java.util.TreeSet<>();
    for (Class<?> c : HostCommand.class.getPermittedSubclasses()) {
      permitted.add(c.getSimpleName());
    }
    assertEquals(
        new java.util.TreeSet<>(
            List.of(
                "ListFlows",
                "Ping",
                "TcpBind",
                "TcpInput",
                "UdpListen",
                "UdpUnlisten",
                "UdpSend",
                "TcpConnect",
                "TcpListen",
                "TcpUnlisten",
                "TcpDisconnect",
                "Disconnect")),
        permitted);
    for (Class<?> internal :
        List.of(
            HostCommand.TcpOut.class,
            HostCommand.FlowRegistered.class,
            HostCommand.FlowClosed.class,
            HostCommand.FlowStopped.class)) {
      assertTrue(
          !HostCommand.class.isAssignableFrom(internal),
          internal.getSimpleName() + " must not be sendable through an ActorRef<HostCommand>");
      for (java.lang.reflect.Constructor<?> constructor : internal.getDeclaredConstructors()) {
        int modifiers = constructor.getModifiers();
        assertTrue(
            !java.lang.reflect.Modifier.isPublic(modifiers)
                && !java.lang.reflect.Modifier.isProtected(modifiers),
            internal.getSimpleName() + " must not be constructible outside dev.vnetif.stack");
      }
    }
  }

  /** Concatenates Received events until {@code n} bytes came; fails on any other event. */
  static ByteString receiveBytes(TestProbe<FlowEvent> handler, int n) {
    ByteString all = ByteString.emptyByteString();
    while (all.length() < n) {
      all = all.concat(handler.expectMessageClass(FlowEvent.Received.class, TIMEOUT).data());
    }
    assertEquals(n, all.length(), "received more than was written: " + all.utf8String());
    return all;
  }
}
