package dev.vnetif.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.vnetif.Stack;
import dev.vnetif.VirtualNetwork;
import dev.vnetif.time.VirtualTime;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * VnetifExtension: what it injects, one network per test shut down after it, the seed (annotation,
 * config, property), and what a failed test leaves behind — its seed in the failure and its capture
 * on disk. Failing tests run through the JUnit Platform launcher, in this JVM, from the static
 * classes below (which run only when launched from here).
 */
@ExtendWith(VnetifExtension.class)
class VnetifExtensionTest {
  /** Networks seen by earlier tests of this class, to show each test gets its own. */
  static final List<VirtualNetwork> EARLIER = new CopyOnWriteArrayList<>();

  VirtualNetwork fromBeforeEach;

  @BeforeEach
  void before(VirtualNetwork net) {
    fromBeforeEach = net;
  }

  @AfterEach
  void after(VirtualNetwork net) {
    assertSame(fromBeforeEach, net, "one network per test, the same to all of its methods");
    EARLIER.add(net);
  }

  @Test
  void injectsAFreshNetworkOnTheTestKitsSystemInRealTime(
      VirtualNetwork net, ActorSystem<?> system, ActorTestKit testKit, SwitchProbe probe) {
    assertSame(fromBeforeEach, net);
    assertFalse(EARLIER.contains(net), "not a network of an earlier test");
    assertSame(testKit.system(), system);
    assertTrue(VirtualTime.find(system).isEmpty(), "virtual time is opt-in");
    assertEquals(1, net.config().seed(), "no annotation: the config's vnetif.seed");
    Stack a = join(net.createStack("10.0.0.2/24"));
    Stack b = join(net.createStack("10.0.0.3/24"));
    join(a.ping(b.address(), Duration.ofSeconds(1)));
    // In real time an ARP frame (a retry, its answer) may fall between the echo request and its
    // reply: both expectations look past ARP.
    SwitchProbe icmp = probe.ignoringArp();
    icmp.expectIcmpEchoRequest(a, b);
    icmp.expectIcmpEchoReply(b, a);
  }

  @Test
  void anotherTestAnotherNetwork(VirtualNetwork net) {
    assertFalse(EARLIER.contains(net), "not a network of an earlier test");
    join(net.createStack("10.0.0.2/24"));
  }

  @Test
  @VnetifTest(virtualTime = true, seed = 42)
  void theMethodsAnnotationTurnsOnVirtualTimeAndSetsTheSeed(
      VirtualNetwork net, VirtualTime time, ActorSystem<?> system) {
    assertSame(VirtualTime.get(system), time);
    assertEquals(42, net.config().seed());
    Stack a = time.await(net.createStack("10.0.0.2/24"));
    Duration before = time.now();
    time.advance(Duration.ofHours(2));
    assertEquals(Duration.ofHours(2), time.now().minus(before));
    assertTrue(a.stats().rxFrames() >= 0);
  }

  // ------------------------------------------------------------ run through the launcher

  /** True only while a test of this class runs the classes below through the launcher. */
  static volatile boolean launching;

  static final List<VirtualNetwork> LAUNCHED_NETWORKS = new CopyOnWriteArrayList<>();

  /** A failing and a passing test, each with traffic on its network. */
  @VnetifTest(seed = 4242)
  static class FailingAndPassing {
    @BeforeEach
    void onlyWhenLaunched() {
      Assumptions.assumeTrue(launching, "runs only through VnetifExtensionTest");
    }

    @Test
    void pingsThenFails(VirtualNetwork net) {
      LAUNCHED_NETWORKS.add(net);
      Stack a = join(net.createStack("10.0.0.2/24"));
      Stack b = join(net.createStack("10.0.0.3/24"));
      join(a.ping(b.address(), Duration.ofSeconds(1)));
      throw new AssertionError("failed on purpose");
    }

    @Test
    @VnetifTest(virtualTime = true, seed = 4343)
    void failsInVirtualTime(VirtualNetwork net, VirtualTime time) {
      Stack a = time.await(net.createStack("10.0.0.2/24"));
      Stack b = time.await(net.createStack("10.0.0.3/24"));
      time.await(a.ping(b.address(), Duration.ofSeconds(1)));
      throw new AssertionError("failed on purpose, in virtual time");
    }

    @Test
    void pingsAndPasses(VirtualNetwork net) {
      LAUNCHED_NETWORKS.add(net);
      Stack a = join(net.createStack("10.0.0.2/24"));
      Stack b = join(net.createStack("10.0.0.3/24"));
      join(a.ping(b.address(), Duration.ofSeconds(1)));
    }
  }

  /** Asks for virtual time without turning it on. */
  @ExtendWith(VnetifExtension.class)
  static class VirtualTimeNotOn {
    @Test
    void wantsTime(VirtualTime time) {
      Assumptions.assumeTrue(launching, "runs only through VnetifExtensionTest");
    }
  }

  /** Records its seed, to show the property overrides the annotation. */
  @VnetifTest(seed = 7)
  static class SeedSeven {
    static volatile long seen;

    @Test
    void recordsTheSeed(VirtualNetwork net) {
      Assumptions.assumeTrue(launching, "runs only through VnetifExtensionTest");
      seen = net.config().seed();
    }
  }

  @Test
  void aFailedTestKeepsItsCaptureAndNamesItsSeedAPassingOneLeavesNone(@TempDir Path dir)
      throws IOException {
    Launched run =
        launch(FailingAndPassing.class, Map.of(VnetifExtension.PCAP_DIR_PROPERTY, dir.toString()));
    assertEquals(2, run.failures.size(), run.failures.toString());
    assertEquals(3, run.finished);

    Path classDir = dir.resolve("VnetifExtensionTest$FailingAndPassing");
    Path pcap = classDir.resolve("pingsThenFails.pcap");
    List<String> frames = framesOf(pcap);
    assertTrue(
        frames.stream()
            .anyMatch(f -> f.matches("10\\.0\\.0\\.2 > 10\\.0\\.0\\.3 ICMP echo request .*")),
        String.join("\n", frames));
    assertTrue(
        frames.stream().anyMatch(f -> f.contains("ICMP echo reply")), String.join("\n", frames));
    assertTrue(
        frames.stream().anyMatch(f -> f.startsWith("ARP who-has 10.0.0.3")),
        String.join("\n", frames));
    assertTrue(framesOf(classDir.resolve("failsInVirtualTime.pcap")).size() >= 4);
    try (Stream<Path> files = Files.list(classDir)) {
      assertEquals(
          List.of("failsInVirtualTime.pcap", "pingsThenFails.pcap"),
          files.map(p -> p.getFileName().toString()).sorted().toList(),
          "the passing test's capture was deleted");
    }

    Throwable failure = run.failures.get("pingsThenFails(VirtualNetwork)");
    assertEquals("failed on purpose", failure.getMessage());
    assertEquals(1, failure.getSuppressed().length);
    assertEquals(
        "vnetif seed 4242 (replay: -Dvnetif.seed=4242 or @VnetifTest(seed = 4242L)); the test's"
            + " capture: "
            + pcap,
        failure.getSuppressed()[0].getMessage());
    assertTrue(
        run.failures
            .get("failsInVirtualTime(VirtualNetwork, VirtualTime)")
            .getSuppressed()[0]
            .getMessage()
            .startsWith("vnetif seed 4343 "),
        "the method's annotation wins");
    assertEquals(List.of("4242", "4343"), run.seedsReported.stream().sorted().toList());

    assertEquals(2, LAUNCHED_NETWORKS.size());
    for (VirtualNetwork net : LAUNCHED_NETWORKS) {
      IllegalStateException shutDown =
          assertThrows(IllegalStateException.class, () -> net.createStack("10.0.0.9/24"));
      assertTrue(shutDown.getMessage().endsWith("is shut down"), shutDown.getMessage());
    }
  }

  @Test
  void aVirtualTimeParameterWithoutVirtualTimeSaysWhatToDo() {
    Launched run = launch(VirtualTimeNotOn.class, Map.of());
    Throwable failure = run.failures.get("wantsTime(VirtualTime)");
    assertInstanceOf(ParameterResolutionException.class, failure);
    assertTrue(
        failure.getMessage().contains("needs @VnetifTest(virtualTime = true)"),
        failure.getMessage());
  }

  @Test
  void theSeedPropertyOverridesTheAnnotation() {
    SeedSeven.seen = 0;
    launch(SeedSeven.class, Map.of());
    assertEquals(7, SeedSeven.seen);
    launch(SeedSeven.class, Map.of(VnetifExtension.SEED_PROPERTY, "99"));
    assertEquals(99, SeedSeven.seen);
  }

  /** What a launched class did: failures by display name, tests finished, seeds reported. */
  record Launched(Map<String, Throwable> failures, int finished, List<String> seedsReported) {}

  static Launched launch(Class<?> testClass, Map<String, String> parameters) {
    Map<String, Throwable> failures = new java.util.concurrent.ConcurrentHashMap<>();
    List<String> seeds = new CopyOnWriteArrayList<>();
    int[] finished = {0};
    LauncherDiscoveryRequest request =
        LauncherDiscoveryRequestBuilder.request()
            .selectors(selectClass(testClass))
            .configurationParameters(parameters)
            .build();
    TestExecutionListener listener =
        new TestExecutionListener() {
          @Override
          public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (id.isTest()) {
              finished[0]++;
              result.getThrowable().ifPresent(t -> failures.put(id.getDisplayName(), t));
            }
          }

          @Override
          public void reportingEntryPublished(TestIdentifier id, ReportEntry entry) {
            entry.getKeyValuePairs().entrySet().stream()
                .filter(e -> e.getKey().equals("vnetif.seed"))
                .forEach(e -> seeds.add(e.getValue()));
          }
        };
    launching = true;
    try {
      LauncherFactory.create().execute(request, listener);
    } finally {
      launching = false;
    }
    return new Launched(failures, finished[0], seeds);
  }

  /** The summaries of the frames in a pcap file (FrameSummary), in order. */
  static List<String> framesOf(Path pcap) throws IOException {
    assertTrue(Files.exists(pcap), pcap + " was not kept");
    ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(pcap)).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(0xa1b2c3d4, file.getInt(0), "a libpcap file");
    List<String> frames = new ArrayList<>();
    int at = 24;
    while (at + 16 <= file.limit()) {
      int length = file.getInt(at + 8);
      frames.add(FrameSummary.of(ByteString.fromArray(file.array(), at + 16, length)));
      at += 16 + length;
    }
    assertEquals(file.limit(), at, "whole records");
    return frames;
  }

  static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void eachTestItsOwnNetwork(VirtualNetwork net) {
    assertNotSame(fromBeforeEach, null);
    assertFalse(EARLIER.contains(net));
  }
}
