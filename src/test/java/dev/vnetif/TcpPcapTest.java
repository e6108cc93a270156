package dev.vnetif;

import static dev.vnetif.testsupport.TcpTestSupport.await;
import static dev.vnetif.testsupport.TcpTestSupport.endpoint;
import static dev.vnetif.testsupport.TcpTestSupport.randomBytes;
import static dev.vnetif.testsupport.TcpTestSupport.readAll;
import static dev.vnetif.testsupport.TcpTestSupport.sha256Hex;
import static dev.vnetif.testsupport.TcpTestSupport.writePipelined;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.testsupport.TcpTestSupport.ReadSummary;
import dev.vnetif.testsupport.Tshark;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** What TCP puts on the wire, checked by an independent decoder (Wireshark's tshark). */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TcpPcapTest {
  static final Duration WAIT = Duration.ofSeconds(20);

  /** The 10 MB transfer with every frame written to the capture: a few seconds, more when busy. */
  static final Duration CAPTURE_WAIT = Duration.ofSeconds(60);

  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  VirtualNetwork net;

  @AfterEach
  void shutdown() {
    if (net != null) {
      await(net.shutdown(), WAIT, "network shutdown");
      net = null;
    }
  }

  @Test
  @DisplayName(
      "a pcap of the iperf run (10 MB in 3780-byte writes) decodes in tshark: no malformed frame, no bad checksum; SYN and SYN-ACK carry MSS 1460 and window scale 3")
  void iperfCaptureDecodesClean(@TempDir Path dir) {
    Assumptions.assumeTrue(Tshark.find().isPresent(), Tshark.NOT_INSTALLED);
    long seed = 0x9CA9L;
    byte[] data = randomBytes(seed, 10_000_000);
    net = VirtualNetwork.create(testKit.system());
    Stack server = await(net.createStack("10.0.0.3/24"), WAIT, "server");
    Stack client = await(net.createStack("10.0.0.2/24"), WAIT, "client");
    CompletableFuture<ReadSummary> received = new CompletableFuture<>();
    server
        .tcp()
        .listen(
            5001,
            flow ->
                readAll(flow).thenCompose(r -> flow.close().thenApply(d -> received.complete(r))));

    Path file = dir.resolve("iperf.pcap");
    ReadSummary got =
        await(
            net.recordPcap(
                file,
                () ->
                    client
                        .tcp()
                        .createConnection(endpoint(server, 5001))
                        .thenCompose(
                            flow ->
                                writePipelined(flow, data, 3780, 32).thenCompose(w -> flow.close()))
                        .thenCompose(d -> received)),
            CAPTURE_WAIT,
            "10 MB iperf under capture (seed " + seed + ")");
    assertEquals(sha256Hex(data), got.hex(), "SHA-256 of what was read (seed " + seed + ")");

    long decodeStart = System.nanoTime();
    // Port 5001's payload read as plain data: random bytes at the start of some segment can
    // pass a heuristic dissector (a 50 MB iperf capture once showed a "malformed" Thrift
    // reply), which would say nothing about our frames.
    Tshark.Report report = Tshark.read(file, List.of("-d", "tcp.port==5001,data"));
    System.out.printf(
        "tshark: %d frames decoded in %d ms%n",
        report.frames(), (System.nanoTime() - decodeStart) / 1_000_000);
    // 10 MB is at least 6850 full segments; plus handshake, ACKs, FINs and ARP.
    assertTrue(report.frames() > 6_850, "frames in the capture: " + report.frames());
    assertEquals(0, report.malformed(), () -> String.join("\n", report.problemLines()));
    assertEquals(0, report.badChecksums(), () -> String.join("\n", report.problemLines()));
    assertTrue(report.clean());

    List<String> syns =
        Tshark.fields(
            file,
            "tcp.flags.syn == 1",
            "ip.src",
            "tcp.flags.ack",
            "tcp.options.mss_val",
            "tcp.options.wscale.shift");
    // 256 KiB receive buffer: the smallest shift that fits it in 16 bits is 3 (RFC 7323 §2.3).
    assertEquals(
        List.of("10.0.0.2\tFalse\t1460\t3", "10.0.0.3\tTrue\t1460\t3"),
        syns.stream().map(TcpPcapTest::normalizeFlag).toList(),
        "SYN and SYN-ACK with their options:\n" + String.join("\n", syns));
  }

  /** tshark prints booleans as 1/0 or True/False depending on its version. */
  private static String normalizeFlag(String line) {
    String[] f = line.split("\t", -1);
    if (f.length > 1) {
      f[1] =
          switch (f[1]) {
            case "1", "True", "true" -> "True";
            case "0", "False", "false" -> "False";
            default -> f[1];
          };
    }
    return String.join("\t", f);
  }
}
