package dev.vnetif;

import static dev.vnetif.testsupport.TcpTestSupport.await;
import static dev.vnetif.testsupport.TcpTestSupport.awaitCondition;
import static dev.vnetif.testsupport.TcpTestSupport.endpoint;
import static dev.vnetif.testsupport.TcpTestSupport.mbPerSecond;
import static dev.vnetif.testsupport.TcpTestSupport.randomBytes;
import static dev.vnetif.testsupport.TcpTestSupport.readAll;
import static dev.vnetif.testsupport.TcpTestSupport.readExactly;
import static dev.vnetif.testsupport.TcpTestSupport.sha256Hex;
import static dev.vnetif.testsupport.TcpTestSupport.writePipelined;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.tcp.TcpState;
import dev.vnetif.testsupport.FinCrossingBridge;
import dev.vnetif.testsupport.TcpTestSupport;
import dev.vnetif.testsupport.TcpTestSupport.ReadSummary;
import dev.vnetif.testsupport.TcpTestSupport.WriteSummary;
import dev.vnetif.wire.SeqNum;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * mirage-tcpip's TCP scenarios (test_connect, test_iperf, test_mtus, test_simultaneous_close...)
 * ported to two hosts on a virtual switch, in real time: iperf reports a wall-clock rate, and the
 * simultaneous close runs through a bridge whose threads copy frames outside any simulation. The
 * scenarios that wait for timers (keepalive, the slow reader) are {@link TcpTimerScenarioTest}.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TcpScenarioTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  VirtualNetwork net;

  /** A second network, for tests that join two through a bridge. */
  VirtualNetwork farNet;

  VirtualNetwork network(NetworkConfig config) {
    net = VirtualNetwork.create(testKit.system(), config);
    return net;
  }

  VirtualNetwork network() {
    return network(NetworkConfig.fromConfig(testKit.system().settings().config()));
  }

  Stack host(StackConfig config) {
    return await(net.createStack(config), WAIT, "create host " + config.cidr());
  }

  Stack host(String cidr) {
    return host(StackConfig.of(cidr));
  }

  @AfterEach
  void shutdown() {
    if (net != null) {
      await(net.shutdown(), WAIT, "network shutdown");
      net = null;
    }
    if (farNet != null) {
      await(farNet.shutdown(), WAIT, "second network shutdown");
      farNet = null;
    }
  }

  @Test
  @DisplayName(
      "connect: the greeting the server writes on accept arrives whole in the client's first read")
  void greetingInFirstRead() {
    network();
    Stack server = host("10.0.0.3/24");
    Stack client = host("10.0.0.2/24");
    String greeting = "220 vnetif.test ESMTP ready — " + "x".repeat(200);
    server
        .tcp()
        .listen(
            25,
            flow ->
                flow.write(ByteString.fromString(greeting))
                    .thenCompose(d -> readAll(flow))
                    .thenCompose(r -> flow.close()));

    TcpFlow flow = await(client.tcp().createConnection(endpoint(server, 25)), WAIT, "connect");
    assertEquals(endpoint(server, 25), flow.dst());
    assertEquals(client.address(), flow.src().getAddress());
    ReadResult first = await(flow.read(), WAIT, "first read");
    ReadResult.Data data = assertInstanceOf(ReadResult.Data.class, first);
    assertEquals(greeting, data.data().utf8String(), "the whole greeting in one read");
    await(flow.close(), WAIT, "close");
    assertEquals(ReadResult.EOF, await(flow.read(), WAIT, "read after both closed"));
  }

  @Test
  @DisplayName(
      "iperf: 10 MB in 3780-byte writes, then close; the server reads to Eof; SHA-256 equal")
  void iperf() {
    network();
    Stack server = host("10.0.0.3/24");
    Stack client = host("10.0.0.2/24");
    long seed = 0x1AE7F00DL;
    byte[] data = randomBytes(seed, 10_000_000);
    CompletableFuture<ReadSummary> received = new CompletableFuture<>();
    server
        .tcp()
        .listen(
            5001,
            flow ->
                readAll(flow).thenCompose(r -> flow.close().thenApply(d -> received.complete(r))));

    TcpFlow flow = await(client.tcp().createConnection(endpoint(server, 5001)), WAIT, "connect");
    long start = System.nanoTime();
    WriteSummary writes =
        await(
            writePipelined(flow, data, 3780, 32),
            Duration.ofSeconds(30),
            "10 MB of writes (seed " + seed + ") " + flow.stats());
    await(flow.close(), WAIT, "close " + flow.stats());
    ReadSummary got = await(received, WAIT, "server reading to Eof");
    long nanos = System.nanoTime() - start;
    System.out.printf(
        "iperf: %d bytes in %d writes, %.1f ms, %.1f MB/s; client %s%n",
        data.length, writes.writes(), nanos / 1e6, mbPerSecond(data.length, nanos), flow.stats());
    assertEquals(data.length, got.bytes(), "bytes read (seed " + seed + ")");
    assertEquals(sha256Hex(data), got.hex(), "SHA-256 of what was read (seed " + seed + ")");
    assertEquals(2646, writes.writes()); // ceil(10_000_000 / 3780)
  }

  @Test
  @DisplayName(
      "MTU 1500 and 9000 on one link: MSS 1460 both ways, 1448 bytes of data per segment beside timestamps (RFC 7323 §3.2, RFC 6691); a 7000-byte response arrives whole in each direction")
  void mtuMismatch() {
    network();
    Stack small = host(StackConfig.of("10.0.0.2/24").withMtu(1500));
    Stack jumbo = host(StackConfig.of("10.0.0.3/24").withMtu(9000));
    assertEquals(1500, small.mtu());
    assertEquals(9000, jumbo.mtu());
    exchange7000(small, jumbo, 0x7000L);
    exchange7000(jumbo, small, 0x9000L);
  }

  /** The client sends a request; the server answers 7000 bytes; both check content and MSS. */
  private void exchange7000(Stack client, Stack server, long seed) {
    byte[] response = randomBytes(seed, 7000);
    CompletableFuture<TcpFlow> accepted = new CompletableFuture<>();
    CompletableFuture<ByteString> request = new CompletableFuture<>();
    server
        .tcp()
        .listen(
            8080,
            flow -> {
              accepted.complete(flow);
              return readExactly(flow, 4)
                  .thenCompose(
                      req -> {
                        request.complete(req);
                        return flow.write(ByteString.fromArray(response));
                      })
                  .thenCompose(d -> readAll(flow))
                  .thenCompose(r -> flow.close());
            });
    String what = client.mtu() + " -> " + server.mtu() + " (seed " + seed + ")";
    TcpFlow flow =
        await(client.tcp().createConnection(endpoint(server, 8080)), WAIT, "connect " + what);
    await(flow.write(ByteString.fromString("GET ")), WAIT, "request " + what);
    ByteString got = await(readExactly(flow, 7000), WAIT, "7000-byte response " + what);
    assertEquals(ByteString.fromArray(response), got, "response content " + what);
    assertEquals("GET ", await(request, WAIT, "request at server").utf8String());
    TcpFlow serverFlow = await(accepted, WAIT, "accepted " + what);
    assertEquals(1448, flow.stats().mss(), "client's send MSS " + what + " " + flow.stats());
    assertEquals(
        1448, serverFlow.stats().mss(), "server's send MSS " + what + " " + serverFlow.stats());
    await(flow.close(), WAIT, "close " + what);
    server.tcp().unlisten(8080);
  }

  @Test
  @DisplayName(
      "simultaneous close: the FINs cross (neither ACKs the other's), both closes complete, and no flow stays in either table")
  void simultaneousClose() throws Exception {
    // Client and server on two networks joined by a bridge that holds the first FIN until
    // the other side's FIN has left too: the FINs cross whatever the timing of the closes.
    NetworkConfig config = TcpTestSupport.withMsl(testKit.system(), Duration.ofMillis(100));
    network(config.withSeed(1));
    farNet = VirtualNetwork.create(testKit.system(), config.withSeed(2));
    RawPort near = await(net.attachRawPort("bridge"), WAIT, "bridge port");
    RawPort far = await(farNet.attachRawPort("bridge"), WAIT, "far bridge port");
    try (FinCrossingBridge bridge = FinCrossingBridge.start(near, far)) {
      Stack server = await(farNet.createStack("10.0.0.3/24"), WAIT, "server host");
      Stack client = host("10.0.0.2/24");
      CompletableFuture<TcpFlow> accepted = new CompletableFuture<>();
      CompletableFuture<Void> release = new CompletableFuture<>();
      // The callback's stage stays pending until the test is done with the flow.
      server
          .tcp()
          .listen(
              9,
              flow -> {
                accepted.complete(flow);
                return release;
              });
      TcpFlow flow = await(client.tcp().createConnection(endpoint(server, 9)), WAIT, "connect");
      TcpFlow serverFlow = await(accepted, WAIT, "accept");
      assertEquals(1, client.stats().openFlows());
      assertEquals(1, server.stats().openFlows());

      CompletionStage<?> clientClose = flow.close();
      CompletionStage<?> serverClose = serverFlow.close();
      await(clientClose, WAIT, "client close " + flow.stats());
      await(serverClose, WAIT, "server close " + serverFlow.stats());
      release.complete(null);
      assertEquals(ReadResult.EOF, await(flow.read(), WAIT, "client read after close"));
      assertEquals(ReadResult.EOF, await(serverFlow.read(), WAIT, "server read after close"));
      awaitCondition(
          () ->
              client.stats().openFlows() == 0
                  && server.stats().openFlows() == 0
                  // TIME_WAIT is the host's table now, not a flow (issue 8 item 9)
                  && client.stats().timeWaitEntries() == 0
                  && server.stats().timeWaitEntries() == 0,
          WAIT,
          () ->
              "both tables empty: client "
                  + client.stats()
                  + " "
                  + flow.stats()
                  + "; server "
                  + server.stats()
                  + " "
                  + serverFlow.stats());
      assertEquals(TcpState.CLOSED, flow.stats().state());
      assertEquals(TcpState.CLOSED, serverFlow.stats().state());

      // What makes it simultaneous (RFC 9293 §3.6, Figure 13): each FIN was sent before the
      // other arrived, so its ACK field does not cover the other's FIN. A sequential close
      // fails here: the second FIN would acknowledge the first.
      List<FinCrossingBridge.Fin> fins = bridge.firstFins();
      assertEquals(2, fins.size(), "one FIN from each side: " + fins);
      assertNotEquals(fins.get(0).source(), fins.get(1).source(), fins.toString());
      for (int i = 0; i < 2; i++) {
        FinCrossingBridge.Fin fin = fins.get(i);
        FinCrossingBridge.Fin other = fins.get(1 - i);
        assertTrue(
            fin.segment().isAck() && SeqNum.leq(fin.segment().ack(), other.finSeq()),
            "the FIN from "
                + fin.source()
                + " ("
                + fin.segment()
                + ") must not acknowledge the"
                + " FIN from "
                + other.source()
                + " at "
                + other.finSeq());
      }
    }
  }

  // Keepalive, the slow reader and the simultaneous close with data in flight wait for timers:
  // TcpTimerScenarioTest, in virtual time.
}
