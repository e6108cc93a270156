package dev.vnetif.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.wire.Ipv4Address;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The handle's stop hooks, which let a request that reached the actor too late (it went to dead
 * letters as the actor stopped) still be answered, instead of waiting for the ask's 30-day safety
 * net.
 */
class FlowHandleTest {
  private static FlowHandle handle() {
    return new FlowHandle(
        null, Ipv4Address.of("10.0.0.2"), new FlowKey(Ipv4Address.of("10.0.0.3"), 80, 49152));
  }

  @Test
  @DisplayName("a hook added while the actor runs runs exactly once, when it stops")
  void hookRunsOnStop() {
    FlowHandle handle = handle();
    AtomicInteger runs = new AtomicInteger();
    handle.whenStopped(runs::incrementAndGet);
    assertEquals(0, runs.get());
    handle.stopped();
    assertEquals(1, runs.get());
    handle.stopped();
    assertEquals(1, runs.get(), "a second stop does not run it again");
  }

  @Test
  @DisplayName(
      "a hook added after the stop runs at once: the race between isStopped() and the ask is closed")
  void hookAfterStopRunsAtOnce() {
    FlowHandle handle = handle();
    handle.stopped();
    AtomicInteger runs = new AtomicInteger();
    handle.whenStopped(runs::incrementAndGet);
    assertEquals(1, runs.get());
    assertTrue(handle.isStopped());
  }

  @Test
  @DisplayName("a forgotten hook (its answer came) never runs, so a long-lived flow keeps none")
  void forgottenHookNeverRuns() {
    FlowHandle handle = handle();
    AtomicInteger runs = new AtomicInteger();
    for (int i = 0; i < 100_000; i++) {
      handle.whenStopped(runs::incrementAndGet).run();
    }
    handle.stopped();
    assertEquals(0, runs.get());
  }
}
