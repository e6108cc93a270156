package dev.vnetif.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.vnetif.Stack;
import dev.vnetif.TcpFlow;
import dev.vnetif.VirtualNetwork;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import scala.concurrent.ExecutionContext;

/** The rules of the simulation: ordering, where tasks run, when the clock moves, and stalls. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VirtualTimeTest {
  final ActorTestKit testKit =
      ActorTestKit.create(
          "virtual-time",
          VirtualTime.config().withFallback(ConfigFactory.load("application-test")));
  final VirtualTime time = VirtualTime.get(testKit.system());
  final org.apache.pekko.actor.Scheduler scheduler = testKit.system().classicSystem().scheduler();
  final ExecutionContext dispatcher = testKit.system().executionContext();

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  Cancellable at(Duration delay, Runnable task) {
    return scheduler.scheduleOnce(
        scala.concurrent.duration.Duration.fromNanos(delay.toNanos()), task, dispatcher);
  }

  @Test
  void tasksDueAtTheSameInstantRunInTheOrderTheyWereScheduled() {
    List<Integer> order = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> last = new CompletableFuture<>();
    for (int i = 0; i < 200; i++) {
      int n = i;
      at(Duration.ofMillis(10), () -> order.add(n));
    }
    at(Duration.ofMillis(10), () -> last.complete(null));
    time.await(last);
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      expected.add(i);
    }
    assertEquals(expected, order);
  }

  @Test
  void earlierDeadlinesRunFirstWhateverTheOrderOfScheduling() {
    List<String> order = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    Duration start = time.now();
    List<Duration> seen = new CopyOnWriteArrayList<>();
    at(Duration.ofSeconds(3), () -> order.add("3s"));
    at(
        Duration.ofSeconds(1),
        () -> {
          order.add("1s");
          seen.add(time.now().minus(start));
        });
    at(Duration.ofMillis(2500), () -> order.add("2.5s"));
    at(Duration.ofSeconds(4), () -> done.complete(null));
    time.await(done);
    assertEquals(List.of("1s", "2.5s", "3s"), order);
    assertEquals(List.of(Duration.ofSeconds(1)), seen, "the clock reads the task's deadline");
    assertEquals(Duration.ofSeconds(4), time.now().minus(start));
  }

  @Test
  void tasksRunOnTheSimulationThreadAndTheirOwnExecutor() {
    AtomicReference<String> thread = new AtomicReference<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    at(
        Duration.ofMillis(5),
        () -> {
          thread.set(Thread.currentThread().getName());
          done.complete(null);
        });
    time.await(done);
    assertEquals("vnetif-simulation", thread.get());
  }

  @Test
  void theClockDoesNotMoveWhileTheTestRunsOutsideTheSimulation() throws Exception {
    CompletableFuture<Void> fired = new CompletableFuture<>();
    Duration before = time.now();
    at(Duration.ofMillis(1), () -> fired.complete(null));
    Thread.sleep(200); // real time passes; virtual time must not
    assertFalse(fired.isDone(), "a timer fired while nobody waited on the simulation");
    assertEquals(before, time.now());
    time.await(fired);
    assertEquals(before.plusMillis(1), time.now());
  }

  @Test
  void advanceRunsWhatIsDueAndEndsExactlyThatMuchLater() {
    Duration start = time.now();
    List<Duration> ran = new CopyOnWriteArrayList<>();
    at(Duration.ofMillis(300), () -> ran.add(time.now().minus(start)));
    at(Duration.ofMillis(700), () -> ran.add(time.now().minus(start)));
    at(Duration.ofMillis(1500), () -> ran.add(time.now().minus(start)));
    time.advance(Duration.ofSeconds(1));
    assertEquals(List.of(Duration.ofMillis(300), Duration.ofMillis(700)), ran);
    assertEquals(Duration.ofSeconds(1), time.now().minus(start));
    time.advance(Duration.ofSeconds(1));
    assertEquals(3, ran.size());
  }

  @Test
  void aCancelledTaskNeverRuns() {
    List<String> ran = new CopyOnWriteArrayList<>();
    Cancellable c = at(Duration.ofMillis(50), () -> ran.add("cancelled"));
    assertTrue(c.cancel());
    assertFalse(c.cancel(), "a second cancel reports nothing cancelled");
    assertTrue(c.isCancelled());
    time.advance(Duration.ofMillis(100));
    assertEquals(List.of(), ran);
  }

  @Test
  void periodicTasksRunAtFixedRate() {
    Duration start = time.now();
    List<Duration> ticks = Collections.synchronizedList(new ArrayList<>());
    Cancellable c =
        scheduler.scheduleAtFixedRate(
            scala.concurrent.duration.Duration.fromNanos(100_000_000L),
            scala.concurrent.duration.Duration.fromNanos(250_000_000L),
            () -> ticks.add(time.now().minus(start)),
            dispatcher);
    time.advance(Duration.ofSeconds(1));
    c.cancel();
    assertEquals(
        List.of(
            Duration.ofMillis(100),
            Duration.ofMillis(350),
            Duration.ofMillis(600),
            Duration.ofMillis(850)),
        ticks);
  }

  @Test
  void anActorTimerFiresAtItsVirtualTime() {
    CompletableFuture<Duration> fired = new CompletableFuture<>();
    Duration start = time.now();
    Behavior<String> sleeper =
        Behaviors.withTimers(
            timers -> {
              timers.startSingleTimer("wake", Duration.ofMinutes(90));
              return Behaviors.receiveMessage(
                  m -> {
                    fired.complete(time.now().minus(start));
                    return Behaviors.stopped();
                  });
            });
    ActorRef<String> ref = testKit.spawn(sleeper);
    assertEquals(Duration.ofMinutes(90), time.await(fired));
    assertTrue(ref.path().name().length() > 0);
  }

  @Test
  void awaitGivesUpAtItsVirtualLimit() {
    CompletableFuture<Void> late = new CompletableFuture<>();
    at(Duration.ofHours(2), () -> late.complete(null));
    CompletionException e =
        assertThrows(CompletionException.class, () -> time.await(late, Duration.ofHours(1)));
    assertInstanceOf(VirtualTimeLimitException.class, e.getCause());
    time.await(late); // still there, and reached
  }

  @Test
  void aStageThatCanNeverCompleteIsReportedAsADeadlockNamingTheOpenFlows() {
    VirtualNetwork net = VirtualNetwork.create(testKit.system());
    Stack a = time.await(net.createStack("10.0.0.2/24"));
    Stack b = time.await(net.createStack("10.0.0.3/24"));
    b.tcp().listen(80, flow -> new CompletableFuture<>()); // accepts, never reads or writes
    TcpFlow flow = time.await(a.tcp().createConnection(new InetSocketAddress(b.address(), 80)));
    // Nobody will ever send: a read without keepalive waits forever, and nothing is scheduled
    // once the handshake's timers are done.
    SimulationDeadlockException e =
        assertThrows(SimulationDeadlockException.class, () -> time.await(flow.read()));
    String message = e.getMessage();
    System.out.println("VirtualTimeTest: " + message);
    assertTrue(message.startsWith("deadlocked at virtual time "), message);
    int localPort = flow.src().getPort();
    assertTrue(message.contains("10.0.0.2:" + localPort + " -> 10.0.0.3:80"), message);
    assertTrue(message.contains("10.0.0.3:80 -> 10.0.0.2:" + localPort), message);
    assertEquals(time.now(), e.at());
    flow.abort();
    time.await(net.shutdown());
  }

  @Test
  void runExecutesTheBodyInsideTheSimulation() {
    String thread =
        time.run(() -> CompletableFuture.completedFuture(Thread.currentThread().getName()));
    assertEquals("vnetif-simulation", thread);
    IllegalStateException inside =
        time.run(
            () -> {
              try {
                time.await(new CompletableFuture<>());
                return CompletableFuture.completedFuture(null);
              } catch (IllegalStateException e) {
                return CompletableFuture.completedFuture(e);
              }
            });
    assertTrue(inside.getMessage().contains("inside the simulation"), inside.getMessage());
  }

  @Test
  void aSystemInRealTimeIsNotVirtual() {
    ActorTestKit real = ActorTestKit.create("real-time");
    try {
      assertTrue(VirtualTime.find(real.system()).isEmpty());
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> VirtualTime.get(real.system()));
      assertTrue(e.getMessage().contains("VirtualTime.config()"), e.getMessage());
    } finally {
      real.shutdownTestKit();
    }
  }

  @Test
  void anExternalPortCannotJoinASimulation() {
    VirtualNetwork net = VirtualNetwork.create(testKit.system());
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                net.attachExternalPort(
                    dev.vnetif.ExternalPortConfig.of(
                        new InetSocketAddress("127.0.0.1", 0),
                        new InetSocketAddress("127.0.0.1", 7001))));
    assertTrue(e.getMessage().contains("virtual time"), e.getMessage());
    time.await(net.shutdown());
  }

  @Test
  void argumentsAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> time.advance(Duration.ofSeconds(-1)));
    assertThrows(IllegalArgumentException.class, () -> time.await(null));
    assertThrows(
        IllegalArgumentException.class,
        () -> time.await(new CompletableFuture<>(), Duration.ofSeconds(-1)));
  }
}
