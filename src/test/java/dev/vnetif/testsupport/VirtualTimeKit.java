package dev.vnetif.testsupport;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.vnetif.time.VirtualTime;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * An {@link ActorTestKit} whose actor system runs in virtual time, and the bounded waits a test
 * needs there: the counterparts of {@link TcpTestSupport#await}, {@link TcpTestSupport#failureOf}
 * and {@link TcpTestSupport#awaitCondition}, with bounds in virtual time. Waiting for an RTO, a
 * keepalive or 2·MSL costs no wall time, and each happens at its exact instant, so a test can
 * assert when it happened, not only that it did.
 *
 * <p>Time moves only while the test thread is inside one of these waits; between two calls nothing
 * timer-driven happens behind the test's back. Each wait returns with the simulation idle: what the
 * awaited event set off at that instant (an ACK, a probe due at once) has happened, so what the
 * test does next does not race with it. TestKit probes wait in real time: advance virtual time
 * first, then look at the probe.
 */
public final class VirtualTimeKit implements AutoCloseable {
  /** The step in which {@link #awaitCondition} lets time pass between two looks. */
  public static final Duration CONDITION_STEP = Duration.ofMillis(1);

  private final ActorTestKit testKit;
  private final VirtualTime time;

  private VirtualTimeKit(ActorTestKit testKit) {
    this.testKit = testKit;
    this.time = VirtualTime.get(testKit.system());
  }

  /** A test kit in virtual time over the test configuration ({@code application-test.conf}). */
  public static VirtualTimeKit create(String name) {
    return create(name, ConfigFactory.empty());
  }

  /** As {@link #create(String)}, with {@code overrides} in front of the test configuration. */
  public static VirtualTimeKit create(String name, Config overrides) {
    Config config =
        overrides
            .withFallback(VirtualTime.config())
            .withFallback(ConfigFactory.load("application-test"));
    return new VirtualTimeKit(ActorTestKit.create(name, config));
  }

  public ActorTestKit testKit() {
    return testKit;
  }

  public ActorSystem<Void> system() {
    return testKit.system();
  }

  public VirtualTime time() {
    return time;
  }

  /** Virtual time since the system started. */
  public Duration now() {
    return time.now();
  }

  /**
   * The stage's value, letting at most {@code limit} of virtual time pass; an AssertionError naming
   * {@code what} past it, and a CompletionException (as {@link TcpTestSupport#await}) if it fails.
   */
  public <T> T await(CompletionStage<T> stage, Duration limit, String what) {
    try {
      T value = time.await(stage, limit);
      time.runUntilIdle();
      return value;
    } catch (CompletionException e) {
      Throwable cause = unwrap(e);
      if (cause instanceof TimeoutException && !stage.toCompletableFuture().isDone()) {
        throw new AssertionError(
            what + ": did not complete within " + limit + " of virtual time", cause);
      }
      throw new CompletionException(what + " failed: " + cause, cause);
    }
  }

  /** The exception the stage fails with within {@code limit} of virtual time. */
  public Throwable failureOf(CompletionStage<?> stage, Duration limit, String what) {
    Object value;
    try {
      value = time.await(stage, limit);
    } catch (CompletionException e) {
      time.runUntilIdle();
      Throwable cause = unwrap(e);
      if (cause instanceof TimeoutException && !stage.toCompletableFuture().isDone()) {
        throw new AssertionError(
            what
                + ": expected a failure within "
                + limit
                + " of virtual time, but the stage is still pending",
            cause);
      }
      return cause;
    }
    throw new AssertionError(what + ": expected a failure, but it completed with " + value);
  }

  /**
   * Waits until {@code condition} holds, looking whenever the simulation is idle and letting
   * virtual time pass between looks, at most {@code limit} of it. The steps start at {@link
   * #CONDITION_STEP} and grow with the time waited (to a hundredth of it), so a condition that
   * takes a minute of virtual time costs a few hundred looks, not sixty thousand: for exact
   * instants, use {@link #advance} to the instant and look.
   */
  public void awaitCondition(BooleanSupplier condition, Duration limit, Supplier<String> what) {
    Duration start = time.now();
    Duration until = start.plus(limit);
    time.runUntilIdle();
    while (!condition.getAsBoolean()) {
      Duration left = until.minus(time.now());
      if (left.isNegative() || left.isZero()) {
        throw new AssertionError(
            "timed out after " + limit + " of virtual time waiting until " + what.get());
      }
      Duration step = time.now().minus(start).dividedBy(100);
      if (step.compareTo(CONDITION_STEP) < 0) {
        step = CONDITION_STEP;
      }
      time.advance(left.compareTo(step) < 0 ? left : step);
    }
  }

  /**
   * The probe's next message, letting virtual time pass in {@link #CONDITION_STEP}s while none has
   * come, at most {@code limit} of it: a probe's own waits are in real time, while the simulation,
   * and the timers that may send the message, stand still.
   */
  public <T> T receive(TestProbe<T> probe, Duration limit) {
    Duration until = time.now().plus(limit);
    while (true) {
      time.runUntilIdle();
      T message = poll(probe);
      if (message != null) {
        return message;
      }
      Duration left = until.minus(time.now());
      if (left.isNegative() || left.isZero()) {
        throw new AssertionError(
            "no message for " + probe.ref() + " within " + limit + " of virtual time");
      }
      time.advance(left.compareTo(CONDITION_STEP) < 0 ? left : CONDITION_STEP);
    }
  }

  /** Lets {@code duration} of virtual time pass, then asserts the probe got nothing meanwhile. */
  public void expectNoMessage(TestProbe<?> probe, Duration duration) {
    time.advance(duration);
    probe.expectNoMessage(Duration.ZERO);
  }

  /** A message the probe already holds, or null: {@code receiveMessage} with no wait at all. */
  private static <T> T poll(TestProbe<T> probe) {
    try {
      return probe.receiveMessage(Duration.ZERO);
    } catch (AssertionError none) {
      return null;
    }
  }

  /** Lets {@code duration} of virtual time pass, everything due meanwhile running on time. */
  public void advance(Duration duration) {
    time.advance(duration);
  }

  /** Runs what is ready without moving the clock. */
  public void runUntilIdle() {
    time.runUntilIdle();
  }

  /** A stage that completes {@code delay} of virtual time from now (the system's scheduler). */
  public CompletionStage<Void> after(Duration delay) {
    return TcpTestSupport.after(system(), delay);
  }

  @Override
  public void close() {
    testKit.shutdownTestKit();
  }

  private static Throwable unwrap(Throwable e) {
    Throwable cause = e;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
