package dev.vnetif.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.link.NetworkClock;
import dev.vnetif.tcp.CloseReason;
import dev.vnetif.tcp.TcbTimers;
import dev.vnetif.tcp.TcpConfig;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.TcpOptions;
import dev.vnetif.wire.TcpSegment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The flow actor alone, its host played by a probe: inputs that come after the connection ended — a
 * timer already queued, segments in flight, user commands while it lingers — find nothing to do and
 * get an ended flow's answers; nothing throws (the suite fails a test that logged an ERROR).
 */
class TcpFlowActorTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final int ISS = 1000;
  private static final int PEER_ISS = 20_000;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** An established flow from 10.0.0.2:49152 to 10.0.0.3:80, and its host's probe. */
  record Established(FlowHandle handle, TestProbe<HostMessage> host) {
    void input(TcpSegment... segments) {
      handle.ref().tell(new FlowInternal.SegmentsIn(List.of(segments)));
    }
  }

  static Established establish() {
    TestProbe<HostMessage> host = testKit.createTestProbe();
    TestProbe<FlowCommand.ConnectReply> connect = testKit.createTestProbe();
    FlowKey key = new FlowKey(Ipv4Address.of("10.0.0.3"), 80, 49152);
    TcpFlowActor.Wiring wiring =
        new TcpFlowActor.Wiring(
            host.ref(),
            NetworkClock.system(),
            Ipv4Address.of("10.0.0.2"),
            key,
            TcpConfig.defaults().withBuffers(64_000, 4000),
            null);
    ActorRef<FlowCommand> flow = testKit.spawn(TcpFlowActor.active(wiring, ISS, 0, connect.ref()));
    host.expectMessageClass(HostCommand.TcpOut.class); // the SYN
    flow.tell(
        new FlowInternal.SegmentsIn(
            List.of(
                TcpSegment.of(80, 49152, PEER_ISS, ISS + 1, TcpSegment.SYN | TcpSegment.ACK, 64_000)
                    .withOptions(TcpOptions.NONE.withMss(1460)))));
    FlowHandle handle =
        connect.expectMessageClass(FlowCommand.ConnectReply.Connected.class, WAIT).flow();
    return new Established(handle, host);
  }

  static Throwable failure(CompletionStage<?> stage) throws Exception {
    try {
      stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("completed normally");
  }

  static TcpSegment rst() {
    return TcpSegment.of(80, 49152, PEER_ISS + 1, 0, TcpSegment.RST, 0);
  }

  /** Closes our side and has the peer acknowledge our FIN: the flow is in FIN_WAIT_2. */
  static CompletionStage<Done> finWait2(Established e) {
    CompletionStage<Done> closed = e.handle().closeAndWait();
    e.host()
        .fishForMessage(
            WAIT,
            m ->
                m instanceof HostCommand.TcpOut out
                        && out.segments().get(out.segments().size() - 1).isFin()
                    ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                    : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes
                        .continueAndIgnore()); // the handshake's ACK first, then our FIN
    e.input(TcpSegment.of(80, 49152, PEER_ISS + 1, ISS + 2, TcpSegment.ACK, 64_000));
    return closed;
  }

  /** The host's messages up to the flow's end (FlowClosed or TimeWaitEntered), in order. */
  static List<HostMessage> untilEnded(Established e) {
    List<HostMessage> seen = new java.util.ArrayList<>();
    e.host()
        .fishForMessage(
            WAIT,
            m -> {
              seen.add(m);
              return m instanceof HostCommand.FlowClosed || m instanceof HostMessage.TimeWaitEntered
                  ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                  : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes
                      .continueAndIgnore();
            });
    return seen;
  }

  @Test
  @DisplayName("the peer's FIN in FIN_WAIT_2 hands TIME_WAIT to the host as one compact entry")
  void finInFinWait2HandsTimeWaitToTheHost() throws Exception {
    Established e = establish();
    CompletionStage<Done> closed = finWait2(e);
    e.input(
        TcpSegment.of(80, 49152, PEER_ISS + 1, ISS + 2, TcpSegment.ACK | TcpSegment.FIN, 64_000));
    List<HostMessage> seen = untilEnded(e);
    HostMessage.TimeWaitEntered entered =
        assertInstanceOf(HostMessage.TimeWaitEntered.class, seen.get(seen.size() - 1));
    assertEquals(e.handle().ref(), entered.flow());
    assertEquals(
        Done.getInstance(),
        closed.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
  }

  @Test
  @DisplayName(
      "a FIN and a RST at RCV.NXT in one batch end the connection: no TIME_WAIT entry is handed to"
          + " the host, which hears FlowClosed")
  void finAndResetInOneBatchLeaveNoTimeWaitEntry() throws Exception {
    Established e = establish();
    finWait2(e);
    e.input(
        TcpSegment.of(80, 49152, PEER_ISS + 1, ISS + 2, TcpSegment.ACK | TcpSegment.FIN, 64_000),
        TcpSegment.of(80, 49152, PEER_ISS + 2, 0, TcpSegment.RST, 0));
    List<HostMessage> seen = untilEnded(e);
    assertInstanceOf(HostCommand.FlowClosed.class, seen.get(seen.size() - 1), seen.toString());
    e.host().expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  @DisplayName(
      "data that arrived before the peer's FIN stays readable while TIME_WAIT runs at the host: the"
          + " flow lingers on until it is read, then stops")
  void unreadDataOutlivesTheLingerInTimeWait() throws Exception {
    Established e = establish();
    finWait2(e);
    e.input(
        TcpSegment.of(80, 49152, PEER_ISS + 1, ISS + 2, TcpSegment.ACK | TcpSegment.FIN, 64_000)
            .withPayload(ByteString.fromString("last words")));
    untilEnded(e);
    e.handle().ref().tell(FlowInternal.LINGER); // what the linger timer sends
    e.handle().ref().tell(FlowInternal.LINGER);
    assertEquals(
        "last words",
        e.handle()
            .read()
            .toCompletableFuture()
            .get(WAIT.toMillis(), TimeUnit.MILLISECONDS)
            .utf8String());
    assertTrue(!e.handle().isStopped(), "still lingering after two lingers with data unread");
    e.handle().ref().tell(FlowInternal.LINGER);
    e.host().expectTerminated(e.handle().ref(), WAIT);
  }

  @Test
  @DisplayName(
      "data and a RST in one batch: a read of that data is answered by the lingering flow at once,"
          + " not when it stops")
  void lingeringFlowAnswersAReadOfBufferedDataAtOnce() throws Exception {
    Established e = establish();
    e.input(
        TcpSegment.of(80, 49152, PEER_ISS + 1, ISS + 1, TcpSegment.ACK, 64_000)
            .withPayload(ByteString.fromString("abc")),
        TcpSegment.of(80, 49152, PEER_ISS + 4, 0, TcpSegment.RST, 0));
    untilEnded(e);
    ByteString data =
        e.handle().read().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertEquals("abc", data.utf8String());
    assertTrue(!e.handle().isStopped(), "answered by the lingering actor, not by its PostStop");
  }

  @Test
  @DisplayName(
      "an ACK that covers one nodelay write and a RST in one batch: the covered write completes"
          + " before the other fails, in the order the Tcb reported them")
  void answersOfOneBatchKeepTheirOrder() throws Exception {
    Established e = establish();
    List<String> order = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    CompletionStage<Done> first =
        e.handle()
            .write(List.of(ByteString.fromArray(new byte[100])), true)
            .whenComplete((ok, error) -> order.add(error == null ? "first done" : "first failed"));
    CompletionStage<Done> second =
        e.handle()
            .write(List.of(ByteString.fromArray(new byte[100])), true)
            .whenComplete(
                (ok, error) -> order.add(error == null ? "second done" : "second failed"));
    e.input(TcpSegment.of(80, 49152, PEER_ISS + 1, ISS + 1 + 100, TcpSegment.ACK, 64_000), rst());
    assertEquals(
        Done.getInstance(),
        first.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    failure(second);
    assertEquals(List.of("first done", "second failed"), order);
  }

  @Test
  @DisplayName(
      "after a RST: queued timers of every kind, late segments and every user command find a lingering flow that answers and never throws")
  void everythingAfterTheEndIsAnswered() throws Exception {
    Established e = establish();
    TestProbe<FlowEvent> handler = testKit.createTestProbe();
    e.handle().ref().tell(new FlowCommand.Register(handler.ref(), false));
    handler.expectMessageClass(FlowEvent.Connected.class);
    CompletionStage<Done> pending =
        e.handle().write(List.of(ByteString.fromArray(new byte[9000])), false);
    e.input(TcpSegment.of(80, 49152, PEER_ISS + 1, ISS + 1 + 1000, TcpSegment.ACK, 64_000), rst());
    FlowClosedException reset = assertInstanceOf(FlowClosedException.class, failure(pending));
    assertEquals(CloseReason.RESET, reset.reason());
    handler.expectMessageClass(FlowEvent.ErrorClosed.class);
    e.host()
        .fishForMessage(
            WAIT,
            m ->
                m instanceof HostCommand.FlowClosed
                    ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                    : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes
                        .continueAndIgnore());

    for (TcbTimers.Kind kind : TcbTimers.Kind.values()) {
      e.handle().ref().tell(new FlowInternal.TimerFired(kind)); // queued before the cancel
    }
    e.input(TcpSegment.of(80, 49152, PEER_ISS + 1, ISS + 1, TcpSegment.ACK, 64_000));
    FlowCommand.Write late = new FlowCommand.Write(ByteString.fromString("late"), "never");
    e.handle().ref().tell(late);
    assertEquals(late, handler.expectMessageClass(FlowEvent.CommandFailed.class).command());
    e.handle().ref().tell(new FlowCommand.Close());
    e.handle().ref().tell(new FlowCommand.ConfirmedClose());
    e.handle().ref().tell(new FlowCommand.Abort());
    e.handle().ref().tell(new FlowCommand.ResumeReading());
    assertEquals(Done.getInstance(), e.handle().closeAndWait().toCompletableFuture().get());
    assertEquals(Done.getInstance(), e.handle().shutdown(true, true).toCompletableFuture().get());
    assertEquals(
        CloseReason.RESET,
        ((FlowClosedException) failure(e.handle().read())).reason(),
        "one rule for an ended flow's reads");
    assertEquals(
        CloseReason.RESET,
        ((FlowClosedException) failure(e.handle().write(List.of(ByteString.fromString("x")), true)))
            .reason());
    handler.expectNoMessage(Duration.ofMillis(100));
    // The flow sends nothing for the late ACK: it hands it back to the host, whose demux decides
    // (TIME_WAIT entry, listener, or RST for a closed port).
    HostMessage.SegmentsAfterClose handedBack =
        e.host().expectMessageClass(HostMessage.SegmentsAfterClose.class);
    assertEquals(1, handedBack.segments().size());
    assertEquals(ISS + 1, handedBack.segments().get(0).ack());
    e.host().expectNoMessage(Duration.ofMillis(100));

    e.handle().ref().tell(FlowInternal.LINGER);
    e.host().expectTerminated(e.handle().ref(), WAIT);
    assertTrue(e.handle().isStopped());
    assertEquals(CloseReason.RESET, ((FlowClosedException) failure(e.handle().read())).reason());
  }

  @Test
  @DisplayName(
      "the host stops a live flow: PostStop fails the pending write and read as aborted, and a close completes")
  void hostGoneAnswersEverything() throws Exception {
    Established e = establish();
    CompletionStage<Done> write =
        e.handle().write(List.of(ByteString.fromArray(new byte[9000])), false);
    CompletionStage<ByteString> read = e.handle().read();
    CompletionStage<Done> close = e.handle().closeAndWait();
    testKit.stop(e.handle().ref(), WAIT);
    assertEquals(CloseReason.ABORTED, ((FlowClosedException) failure(write)).reason());
    assertEquals(CloseReason.ABORTED, ((FlowClosedException) failure(read)).reason());
    assertEquals(Done.getInstance(), close.toCompletableFuture().get(5, TimeUnit.SECONDS));
  }
}
