package dev.vnetif.testkit;

import dev.vnetif.NetworkConfig;
import dev.vnetif.PcapRecording;
import dev.vnetif.VirtualNetwork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;

/**
 * One test's network as {@link VnetifExtension} runs it: created with the test's seed, recorded to
 * a temporary pcap from its first frame, and torn down after the test — probes closed, capture
 * flushed, network shut down, each wait bounded — with the capture kept only if the test failed.
 */
final class TestNetwork implements AutoCloseable {
  private static final Duration FLUSH_WAIT = Duration.ofSeconds(10);
  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(30);

  final long seed;
  final ActorTestKit testKit;
  final VirtualNetwork net;
  private final Waiting waiting;
  private final Path capture;
  private final PcapRecording recording;
  private final List<SwitchProbe> probes = new ArrayList<>();
  private boolean finished;

  private TestNetwork(long seed, ActorTestKit testKit, VirtualNetwork net, Path capture) {
    this.seed = seed;
    this.testKit = testKit;
    this.net = net;
    this.waiting = Waiting.of(testKit.system());
    this.capture = capture;
    this.recording = net.recordPcap(capture);
  }

  /** A network on {@code testKit}'s system with the config's settings and {@code seed}. */
  static TestNetwork start(ActorTestKit testKit, long seed) {
    NetworkConfig config =
        NetworkConfig.fromConfig(testKit.system().settings().config()).withSeed(seed);
    Path capture;
    try {
      capture = Files.createTempFile("vnetif-test-", ".pcap");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary file for the test's capture", e);
    }
    return new TestNetwork(seed, testKit, VirtualNetwork.create(testKit.system(), config), capture);
  }

  /** A probe on this network, closed before the network shuts down. */
  synchronized SwitchProbe newProbe() {
    SwitchProbe probe = SwitchProbe.create(net, testKit);
    probes.add(probe);
    return probe;
  }

  /**
   * Closes the probes, completes the capture and shuts the network down; then keeps the capture as
   * {@code keepAs}, or deletes it when that is null. Every step is tried; the first failure is
   * thrown with the others suppressed.
   */
  synchronized void finish(Path keepAs) {
    if (finished) {
      return;
    }
    finished = true;
    List<RuntimeException> failures = new ArrayList<>();
    for (SwitchProbe probe : probes) {
      attempt(failures, probe::close);
    }
    attempt(failures, () -> waiting.await(recording.stop(), FLUSH_WAIT, "the test's pcap capture"));
    attempt(failures, () -> waiting.await(net.shutdown(), SHUTDOWN_WAIT, "the network's shutdown"));
    attempt(failures, () -> keepOrDelete(keepAs));
    if (!failures.isEmpty()) {
      RuntimeException first = failures.get(0);
      failures.subList(1, failures.size()).forEach(first::addSuppressed);
      throw first;
    }
  }

  private void keepOrDelete(Path keepAs) {
    try {
      if (keepAs == null) {
        Files.deleteIfExists(capture);
      } else {
        Files.createDirectories(keepAs.toAbsolutePath().getParent());
        Files.move(capture, keepAs, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep or delete the capture " + capture, e);
    }
  }

  private static void attempt(List<RuntimeException> failures, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      failures.add(e);
    } catch (AssertionError e) {
      failures.add(new IllegalStateException(e.getMessage(), e));
    }
  }

  /** A test's network left in the store (the test never reached afterEach) is still torn down. */
  @Override
  public void close() {
    finish(null);
  }
}
