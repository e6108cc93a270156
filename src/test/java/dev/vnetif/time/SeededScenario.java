package dev.vnetif.time;

import static dev.vnetif.testsupport.TcpTestSupport.readAll;
import static dev.vnetif.testsupport.TcpTestSupport.writeAll;

import com.typesafe.config.ConfigFactory;
import dev.vnetif.LinkConditions;
import dev.vnetif.NetworkConfig;
import dev.vnetif.PcapRecording;
import dev.vnetif.ShutdownMode;
import dev.vnetif.Stack;
import dev.vnetif.TcpFlow;
import dev.vnetif.VirtualNetwork;
import dev.vnetif.testsupport.TcpTestSupport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The seeded lossy scenario the determinism tests replay: a netem mix on every port (2% loss, 10 ms
 * ± 5 ms, 1% reorder, 0.5% duplicate, 0.1% corrupt), a 2 s partition in the middle, and 20
 * concurrent connections each sending 64 KiB, all in virtual time and recorded to a pcap file.
 * {@link #main} runs it in a JVM of its own, for the two-JVM comparison.
 */
final class SeededScenario {
  static final int FLOWS = 20;
  static final int BYTES_PER_FLOW = 64 * 1024;

  private SeededScenario() {}

  /** What one run produced: the capture's bytes, and the SHA-256 each server side read. */
  record Outcome(byte[] pcap, List<String> receivedHashes, Duration virtualTime) {
    String pcapSha256() {
      try {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(pcap));
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Runs the scenario in an actor system of its own, in virtual time. */
  static Outcome run(long seed, Path pcap) {
    ActorTestKit kit =
        ActorTestKit.create(
            "seeded-scenario",
            VirtualTime.config().withFallback(ConfigFactory.load("application-test")));
    try {
      VirtualTime time = VirtualTime.get(kit.system());
      NetworkConfig config =
          NetworkConfig.fromConfig(kit.system().settings().config()).withSeed(seed);
      VirtualNetwork net = VirtualNetwork.create(kit.system(), config);
      List<String> hashes = time.run(() -> scenario(kit.system(), net, pcap));
      Duration at = time.now();
      time.await(net.shutdown());
      return new Outcome(Files.readAllBytes(pcap), hashes, at);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + pcap, e);
    } finally {
      kit.shutdownTestKit();
    }
  }

  /** The scenario as one composition of stages, run inside the simulation. */
  private static CompletionStage<List<String>> scenario(
      ActorSystem<?> system, VirtualNetwork net, Path pcap) {
    PcapRecording recording = net.recordPcap(pcap);
    CompletionStage<Stack> hostA = net.createStack("10.0.0.2/24");
    CompletionStage<Stack> hostB = net.createStack("10.0.0.3/24");
    return hostA
        .thenCombine(hostB, (a, b) -> new Stack[] {a, b})
        .thenCompose(
            ab ->
                net.setConditions(
                        LinkConditions.none()
                            .loss(0.02)
                            .delay(Duration.ofMillis(10), Duration.ofMillis(5))
                            .reorder(0.01, 1)
                            .duplicate(0.005)
                            .corrupt(0.001))
                    .thenCompose(d -> transfers(system, net, ab[0], ab[1])))
        .thenCompose(hashes -> recording.stop().thenApply(d -> hashes));
  }

  private static CompletionStage<List<String>> transfers(
      ActorSystem<?> system, VirtualNetwork net, Stack a, Stack b) {
    List<CompletableFuture<String>> received = new ArrayList<>();
    for (int i = 0; i < FLOWS; i++) {
      received.add(new CompletableFuture<>());
    }
    int[] accepted = {0};
    b.tcp()
        .listen(
            80,
            flow -> {
              CompletableFuture<String> mine = received.get(accepted[0]++);
              return readAll(flow)
                  .thenCompose(summary -> flow.close().thenApply(d -> summary))
                  .whenComplete(
                      (summary, error) -> {
                        if (error != null) {
                          mine.completeExceptionally(error);
                        } else {
                          mine.complete(summary.hex());
                        }
                      });
            });
    List<CompletableFuture<?>> sent = new ArrayList<>();
    for (int i = 0; i < FLOWS; i++) {
      byte[] data = TcpTestSupport.randomBytes(1000 + i, BYTES_PER_FLOW);
      sent.add(
          a.tcp()
              .createConnection(new InetSocketAddress(b.address(), 80))
              .thenCompose(
                  (TcpFlow flow) ->
                      writeAll(flow, data, 8192)
                          .thenCompose(w -> flow.shutdown(ShutdownMode.WRITE)))
              .toCompletableFuture());
    }
    // A 2 s partition 300 ms in, while every connection is busy.
    later(system, Duration.ofMillis(300))
        .thenCompose(v -> net.partition(a, b))
        .thenCompose(d -> later(system, Duration.ofSeconds(2)))
        .thenCompose(v -> net.heal(a, b));
    return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
        .thenCompose(v -> CompletableFuture.allOf(received.toArray(CompletableFuture[]::new)))
        .thenApply(
            v -> {
              List<String> hashes = new ArrayList<>();
              received.forEach(r -> hashes.add(r.join()));
              return hashes;
            });
  }

  /** Completes after {@code delay} on the system's scheduler: virtual time in a simulation. */
  static CompletionStage<Void> later(ActorSystem<?> system, Duration delay) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    system.scheduler().scheduleOnce(delay, () -> done.complete(null), system.executionContext());
    return done;
  }

  /** {@code SeededScenario SEED PCAP}: runs once and prints the capture's SHA-256. */
  public static void main(String[] args) {
    Outcome outcome = run(Long.parseLong(args[0]), Path.of(args[1]));
    System.out.println("pcap-sha256 " + outcome.pcapSha256());
    System.out.println("virtual-time " + outcome.virtualTime().toNanos());
  }
}
