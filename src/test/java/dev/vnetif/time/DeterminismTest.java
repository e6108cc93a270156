package dev.vnetif.time;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.vnetif.DeterminismCheck;
import dev.vnetif.LinkConditions;
import dev.vnetif.NetworkConfig;
import dev.vnetif.NondeterminismException;
import dev.vnetif.ShutdownMode;
import dev.vnetif.Stack;
import dev.vnetif.testsupport.TcpTestSupport;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With one seed and one input, a run in virtual time gives the same frames in the same order at the
 * same virtual times: byte-identical captures, timestamps included, in one JVM and across two. A
 * different seed gives a different capture.
 */
class DeterminismTest {
  static final long SEED = 20261205;

  @TempDir Path dir;

  @Test
  void theSameSeedGivesIdenticalCapturesInOneJvm() {
    SeededScenario.Outcome first = SeededScenario.run(SEED, dir.resolve("first.pcap"));
    SeededScenario.Outcome second = SeededScenario.run(SEED, dir.resolve("second.pcap"));
    expectedHashes().forEach(h -> assertTrue(first.receivedHashes().contains(h), h));
    assertEquals(expectedHashes(), sorted(first.receivedHashes()), "every byte arrived");
    System.out.printf(
        "DeterminismTest: seed %d, %d bytes of pcap (sha256 %s), %s of virtual time%n",
        SEED, first.pcap().length, first.pcapSha256(), first.virtualTime());
    assertEquals(first.virtualTime(), second.virtualTime(), "seed " + SEED);
    assertArrayEquals(
        first.pcap(), second.pcap(), "seed " + SEED + ": " + firstDifference(first, second));
  }

  @Test
  void aDifferentSeedGivesADifferentCapture() {
    SeededScenario.Outcome one = SeededScenario.run(SEED, dir.resolve("one.pcap"));
    SeededScenario.Outcome other = SeededScenario.run(SEED + 1, dir.resolve("other.pcap"));
    assertEquals(expectedHashes(), sorted(other.receivedHashes()), "every byte arrived");
    assertFalse(Arrays.equals(one.pcap(), other.pcap()), "seeds " + SEED + " and " + (SEED + 1));
  }

  @Test
  void twoJvmsGiveIdenticalCaptures() throws Exception {
    String first = inAnotherJvm(dir.resolve("jvm1.pcap"));
    String second = inAnotherJvm(dir.resolve("jvm2.pcap"));
    SeededScenario.Outcome here = SeededScenario.run(SEED, dir.resolve("here.pcap"));
    assertEquals(first, second, "seed " + SEED + " in two JVMs");
    assertEquals(here.pcapSha256(), first, "seed " + SEED + " in this JVM and another");
  }

  @Test
  void theCheckPassesASeededScenario() {
    NetworkConfig config = NetworkConfig.fromConfig(ConfigFactory.load()).withSeed(SEED);
    DeterminismCheck.Report report =
        DeterminismCheck.check(
            config,
            net ->
                net.createStack("10.0.0.2/24")
                    .thenCombine(net.createStack("10.0.0.3/24"), (a, b) -> new Stack[] {a, b})
                    .thenCompose(
                        ab ->
                            net.setConditions(
                                    LinkConditions.none()
                                        .loss(0.02)
                                        .delay(Duration.ofMillis(10), Duration.ofMillis(5)))
                                .thenCompose(d -> oneTransfer(ab[0], ab[1]))));
    System.out.println("DeterminismTest: check passed, " + report);
    assertTrue(report.frames() > 100, report.toString());
  }

  @Test
  void theCheckCatchesAScenarioThatIsNotDeterministic() {
    AtomicInteger runs = new AtomicInteger();
    NetworkConfig config = NetworkConfig.fromConfig(ConfigFactory.load()).withSeed(SEED);
    NondeterminismException e =
        assertThrows(
            NondeterminismException.class,
            () ->
                DeterminismCheck.check(
                    config,
                    net ->
                        net.createStack("10.0.0.2/24")
                            .thenCombine(
                                net.createStack("10.0.0.3/24"), (a, b) -> new Stack[] {a, b})
                            .thenCompose(
                                ab ->
                                    ab[0]
                                        .udp()
                                        .send(
                                            new java.net.InetSocketAddress(ab[1].address(), 9),
                                            ByteString.fromString(
                                                "run " + runs.incrementAndGet())))));
    System.out.println("DeterminismTest: " + e.getMessage());
    assertTrue(e.getMessage().contains("seed " + SEED + ": frame "), e.getMessage());
  }

  private static CompletionStage<?> oneTransfer(Stack a, Stack b) {
    byte[] data = TcpTestSupport.randomBytes(5, 200_000);
    CompletableFuture<String> received = new CompletableFuture<>();
    b.tcp()
        .listen(
            80,
            flow ->
                TcpTestSupport.readAll(flow)
                    .thenCompose(r -> flow.close().thenApply(d -> r))
                    .whenComplete((r, err) -> received.complete(err == null ? r.hex() : "failed")));
    return a.tcp()
        .createConnection(new java.net.InetSocketAddress(b.address(), 80))
        .thenCompose(
            flow ->
                TcpTestSupport.writeAll(flow, data, 16384)
                    .thenCompose(w -> flow.shutdown(ShutdownMode.WRITE)))
        .thenCompose(d -> received)
        .thenApply(
            hash -> {
              assertEquals(TcpTestSupport.sha256Hex(data), hash);
              return hash;
            });
  }

  private String inAnotherJvm(Path pcap) throws IOException, InterruptedException {
    Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>();
    command.add(javaBin.toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(SeededScenario.class.getName());
    command.add(Long.toString(SEED));
    command.add(pcap.toString());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the JVM ended");
    assertEquals(0, process.exitValue(), output);
    for (String line : output.split("\n")) {
      if (line.startsWith("pcap-sha256 ")) {
        return line.substring("pcap-sha256 ".length()).trim();
      }
    }
    throw new AssertionError("no pcap-sha256 line in the other JVM's output:\n" + output);
  }

  private static List<String> expectedHashes() {
    List<String> hashes = new ArrayList<>();
    for (int i = 0; i < SeededScenario.FLOWS; i++) {
      hashes.add(
          TcpTestSupport.sha256Hex(
              TcpTestSupport.randomBytes(1000 + i, SeededScenario.BYTES_PER_FLOW)));
    }
    return sorted(hashes);
  }

  private static List<String> sorted(List<String> list) {
    List<String> copy = new ArrayList<>(list);
    copy.sort(null);
    return copy;
  }

  private static String firstDifference(SeededScenario.Outcome a, SeededScenario.Outcome b) {
    int n = Math.min(a.pcap().length, b.pcap().length);
    for (int i = 0; i < n; i++) {
      if (a.pcap()[i] != b.pcap()[i]) {
        return "first difference at byte " + i + " of " + a.pcap().length + "/" + b.pcap().length;
      }
    }
    return "lengths " + a.pcap().length + " and " + b.pcap().length;
  }
}
