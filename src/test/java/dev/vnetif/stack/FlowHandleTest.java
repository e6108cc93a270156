package dev.vnetif.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.tcp.CloseReason;
import dev.vnetif.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The client side of the {@code CompletionStage} API: the one rule for what an ended flow answers,
 * and requests that race with the actor's stop — each still answered, with no stop hook per
 * request.
 */
class FlowHandleTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static FlowHandle handle(ActorRef<FlowCommand> ref) {
    return new FlowHandle(
        ref, Ipv4Address.of("10.0.0.2"), new FlowKey(Ipv4Address.of("10.0.0.3"), 80, 49152));
  }

  private static Throwable failure(CompletionStage<?> stage) throws Exception {
    try {
      stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("completed normally: " + stage);
  }

  @Test
  @DisplayName(
      "an ended flow answers reads with end-of-file after a normal or keepalive end or a FIN first, else with the reason, naming the flow")
  void endedReads() throws Exception {
    for (CloseReason reason : CloseReason.values()) {
      FlowHandle h = handle(null);
      h.ended(reason, false);
      h.stopped();
      if (reason == CloseReason.NORMAL || reason == CloseReason.KEEPALIVE_TIMEOUT) {
        assertEquals(ByteString.emptyByteString(), h.read().toCompletableFuture().get());
      } else {
        FlowClosedException e = assertInstanceOf(FlowClosedException.class, failure(h.read()));
        assertEquals(reason, e.reason());
        assertTrue(e.getMessage().startsWith("10.0.0.2:49152 -> 10.0.0.3:80: "), e.getMessage());
      }
      FlowHandle finFirst = handle(null);
      finFirst.ended(reason, true);
      finFirst.stopped();
      assertEquals(
          ByteString.emptyByteString(),
          finFirst.read().toCompletableFuture().get(),
          "the peer's FIN came before the " + reason);
    }
  }

  @Test
  @DisplayName("an ended flow fails writes with why it ended; shutdown and close complete at once")
  void endedWritesAndCloses() throws Exception {
    FlowHandle h = handle(null);
    h.ended(CloseReason.TIMEOUT, false);
    h.stopped();
    FlowClosedException e =
        assertInstanceOf(
            FlowClosedException.class,
            failure(h.write(List.of(ByteString.fromString("x")), false)));
    assertEquals(CloseReason.TIMEOUT, e.reason());
    assertTrue(e.getMessage().contains("timed out"), e.getMessage());
    assertEquals(Done.getInstance(), h.shutdown(true, true).toCompletableFuture().get());
    assertEquals(Done.getInstance(), h.closeAndWait().toCompletableFuture().get());
  }

  @Test
  @DisplayName(
      "requests that reach a stopped actor's mailbox (dead letters) are answered as the ended flow answers: none waits forever")
  void requestsRacingTheStopAreAnswered() throws Exception {
    FlowDeadLetters.ensureRunning(testKit.system());
    // Stops on its first message, without the flow's PostStop: every later request is left in
    // its mailbox or sent after the stop, and only the dead-letter path can answer it.
    ActorRef<FlowCommand> ref = testKit.spawn(Behaviors.receiveMessage(m -> Behaviors.stopped()));
    FlowHandle h = handle(ref);
    h.ended(CloseReason.RESET, false);
    List<CompletableFuture<?>> reads = new ArrayList<>();
    List<CompletableFuture<?>> writes = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      reads.add(h.read().toCompletableFuture());
      writes.add(h.write(List.of(ByteString.fromString("w")), i % 2 == 0).toCompletableFuture());
    }
    CompletableFuture<Done> close = h.closeAndWait().toCompletableFuture();
    // the first request was taken by the actor (and dropped): all others must be answered
    for (int i = 1; i < reads.size(); i++) {
      assertInstanceOf(FlowClosedException.class, failure(reads.get(i)), "read " + i);
      assertInstanceOf(FlowClosedException.class, failure(writes.get(i)), "write " + i);
    }
    assertEquals(Done.getInstance(), close.get(5, TimeUnit.SECONDS));
  }
}
