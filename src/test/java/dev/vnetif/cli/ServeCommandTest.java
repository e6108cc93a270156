package dev.vnetif.cli;

import static dev.vnetif.testsupport.TcpTestSupport.await;
import static dev.vnetif.testsupport.TcpTestSupport.readExactly;
import static dev.vnetif.testsupport.TcpTestSupport.readToEof;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.ExternalPort;
import dev.vnetif.ExternalPortConfig;
import dev.vnetif.NetworkConfig;
import dev.vnetif.ReadResult;
import dev.vnetif.Stack;
import dev.vnetif.TcpFlow;
import dev.vnetif.VirtualNetwork;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/**
 * {@code vnetif serve} end to end without root: the "outside" is a second virtual network whose own
 * external port is pointed at serve's, so every frame crosses real UDP sockets on loopback exactly
 * as it would from socat's TAP bridge, and its host talks to the services.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServeCommandTest {
  static final long SERVE_SEED = 1; // the built-in scenario's seed: what GET /N streams
  static final long OUTSIDE_SEED = 4242; // another seed, so the outside MACs differ from serve's
  static final Duration WAIT = Duration.ofSeconds(30);

  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  ServeCommand serve;
  CompletableFuture<Integer> exit;
  StringWriter out = new StringWriter();
  StringWriter err = new StringWriter();
  VirtualNetwork outside;
  Stack visitor;
  ExternalPort bridge;
  InetSocketAddress server = new InetSocketAddress("10.0.0.3", 0);

  @BeforeAll
  void startServeAndBridge() throws Exception {
    int servePort = freeUdpPort();
    int outsidePort = freeUdpPort();
    CommandLine cli = VnetifCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    serve = cli.getSubcommands().get("serve").getCommand();
    String[] args = {
      "serve",
      "--external-local",
      "127.0.0.1:" + servePort,
      "--external-remote",
      "127.0.0.1:" + outsidePort,
      "--http-bytes",
      "64K",
      "--tap-name",
      "tap-it"
    };
    exit = CompletableFuture.supplyAsync(() -> cli.execute(args));
    awaitOutput("Or a QEMU VM");

    outside =
        VirtualNetwork.create(
            testKit.system(),
            NetworkConfig.fromConfig(testKit.system().settings().config()).withSeed(OUTSIDE_SEED));
    visitor = outside.createStack("10.0.0.200/24").toCompletableFuture().get(10, TimeUnit.SECONDS);
    bridge =
        outside
            .attachExternalPort(
                ExternalPortConfig.of(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), outsidePort),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), servePort)))
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  void stopBoth() throws Exception {
    if (serve != null) {
      serve.stop();
      assertEquals(0, exit.get(30, TimeUnit.SECONDS), err.toString());
      // serve prints its port's counters when it ends: what we sent it arrived there
      assertTrue(
          out.toString()
              .matches(
                  "(?s).*external port: Stats\\[datagramsIn=[1-9]\\d*, "
                      + "datagramsOut=[1-9]\\d*, droppedIn=0, droppedOut=\\d+].*"),
          out.toString());
    }
    if (outside != null) {
      outside.shutdown().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("it prints the hosts, the services and the socat and QEMU commands for its port")
  void printsAttachInstructions() throws Exception {
    String text = out.toString();
    assertTrue(text.contains("server   10.0.0.3/24"), text);
    assertTrue(
        text.contains(
            "services on server 10.0.0.3: echo tcp/7, discard tcp/9, chargen "
                + "tcp/19, http tcp/80 (GET /N sends N bytes; GET / sends 65536)"),
        text);
    int servePort = bridge.remoteAddress().getPort();
    int outsidePort = bridge.localAddress().getPort();
    assertTrue(
        text.contains(
            "socat TUN,tun-type=tap,iff-no-pi,iff-up,tun-name=tap-it "
                + "UDP-DATAGRAM:127.0.0.1:"
                + servePort
                + ",bind=127.0.0.1:"
                + outsidePort
                + ",rcvbuf=4194304 &"),
        text);
    assertTrue(text.contains("ip addr add 10.0.0.200/24 dev tap-it"), text);
    assertTrue(
        text.contains("local.port=" + outsidePort) && text.contains("remote.port=" + servePort),
        text);
  }

  @Test
  @DisplayName("ping across the bridge: ARP and ICMP echo cross both external ports")
  @Timeout(30)
  void pingAcrossTheBridge() throws Exception {
    visitor
        .ping((java.net.Inet4Address) InetAddress.getByName("10.0.0.3"), Duration.ofSeconds(3))
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName(
      "HTTP: GET /N answers N bytes of the seed's stream (SHA-256 checked), GET / the default")
  @Timeout(60)
  void httpServesTheSeedsStream() throws Exception {
    for (int n : new int[] {0, 1, 1_000_000}) {
      ByteString response = request("GET /" + n + " HTTP/1.0\r\n\r\n", 80);
      int headerEnd = response.indexOfSlice(ByteString.fromString("\r\n\r\n")) + 4;
      String header = response.take(headerEnd).utf8String();
      assertTrue(header.startsWith("HTTP/1.0 200 OK\r\n"), header);
      assertTrue(header.contains("Content-Length: " + n + "\r\n"), header);
      assertEquals(sha256(expected(n)), sha256(response.drop(headerEnd).toArray()), "GET /" + n);
    }
    ByteString byDefault = request("GET / HTTP/1.0\r\n\r\n", 80);
    assertTrue(
        byDefault.utf8String().contains("Content-Length: 65536"), byDefault.take(120).utf8String());
  }

  @Test
  @DisplayName("HTTP: anything but GET /N is a 400 and the connection closes")
  @Timeout(30)
  void httpRejectsOtherRequests() throws Exception {
    for (String request :
        new String[] {
          "POST /1 HTTP/1.0\r\n\r\n",
          "GET /-5 HTTP/1.0\r\n\r\n",
          "GET /abc HTTP/1.0\r\n\r\n",
          "GET\r\n\r\n"
        }) {
      String response = request(request, 80).utf8String();
      assertTrue(response.startsWith("HTTP/1.0 400 Bad Request\r\n"), request + " -> " + response);
    }
  }

  @Test
  @DisplayName("echo (RFC 862): 200 writes of random sizes come back byte for byte")
  @Timeout(60)
  void echoReturnsEverything() throws Exception {
    TcpFlow flow = connect(7);
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 200; i++) {
      byte[] message = new byte[1 + random.nextInt(5000)];
      random.nextBytes(message);
      flow.write(ByteString.fromArray(message)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals(
          ByteString.fromArray(message),
          await(readExactly(flow, message.length), WAIT, "echo " + i),
          "message " + i);
    }
    flow.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("discard (RFC 863): takes 1 MiB, answers nothing, and closes after we do")
  @Timeout(30)
  void discardSwallows() throws Exception {
    TcpFlow flow = connect(9);
    flow.write(ByteString.fromArray(new byte[1 << 20]))
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    flow.shutdown(dev.vnetif.ShutdownMode.WRITE).toCompletableFuture().get(10, TimeUnit.SECONDS);
    ReadResult r = flow.read().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(ReadResult.Eof.class, r.getClass(), "discard sends nothing before its FIN");
    flow.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("chargen (RFC 864): 74-byte lines, each rotating the printable set by one")
  @Timeout(30)
  void chargenRotates() throws Exception {
    TcpFlow flow = connect(19);
    String lines =
        await(readExactly(flow, 74 * 300), WAIT, "300 lines")
            .decodeString(StandardCharsets.US_ASCII);
    for (int line = 0; line < 300; line++) {
      String text = lines.substring(line * 74, line * 74 + 74);
      assertTrue(text.endsWith("\r\n"), "line " + line);
      for (int c = 0; c < 72; c++) {
        assertEquals((char) (' ' + (line + c) % 95), text.charAt(c), "line " + line + " col " + c);
      }
    }
    // Our FIN ends the generator: it flushes what it had written, then closes too.
    flow.shutdown(dev.vnetif.ShutdownMode.WRITE).toCompletableFuture().get(10, TimeUnit.SECONDS);
    await(readToEof(flow), WAIT, "chargen's last lines and FIN");
    flow.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  // ------------------------------------------------------------------ helpers

  private TcpFlow connect(int port) throws Exception {
    return visitor
        .tcp()
        .createConnection(new InetSocketAddress(server.getAddress(), port))
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  private ByteString request(String text, int port) throws Exception {
    TcpFlow flow = connect(port);
    flow.write(ByteString.fromString(text)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    ByteString all = readToEof(flow).toCompletableFuture().get(30, TimeUnit.SECONDS);
    flow.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return all;
  }

  private static byte[] expected(int n) {
    byte[] bytes = new byte[n];
    new PseudoRandomPayload(SERVE_SEED).fill(bytes);
    return bytes;
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private void awaitOutput(String text) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!out.toString().contains(text)) {
      if (exit.isDone() || System.nanoTime() > deadline) {
        throw new AssertionError(
            "serve did not start: exit "
                + (exit.isDone() ? exit.get() : "-")
                + "\n"
                + out
                + "\n"
                + err);
      }
      CompletableFuture.runAsync(
              () -> {}, CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS))
          .get();
    }
  }

  private static int freeUdpPort() throws Exception {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
