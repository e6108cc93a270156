package dev.vnetif.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vnetif.Stack;
import dev.vnetif.TcpFlow;
import dev.vnetif.VirtualNetwork;
import dev.vnetif.stack.FlowCommand;
import dev.vnetif.stack.FlowEvent;
import dev.vnetif.testkit.VnetifTest;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A typed-actor server and client talking TCP over a virtual network, tested with Pekko's own
 * {@link ActorTestKit} and {@link TestProbe}s.
 *
 * <p>The actors use the typed flow protocol (shaped after Pekko IO's {@code Tcp}): each connection
 * is an actor, {@link TcpFlow#ref()}, to which the handler sends {@link FlowCommand.Register} and
 * then {@code Write}, {@code ConfirmedClose}...; it answers with {@link FlowEvent}s ({@code
 * Connected}, {@code Received}, {@code PeerClosed}, {@code ConfirmedClosed}...). Opening and
 * accepting connections goes through the host's {@code tcp()}, whose answers come back to the actor
 * as messages ({@code pipeToSelf}, a {@code tell} from the listen callback), so no actor ever
 * blocks.
 *
 * <p>Pekko's {@code TestKitJUnit5Extension} owns the test kit (and shuts it down after the class);
 * {@code @VnetifTest} gives each test a fresh network on that test kit's actor system, shut down
 * after the test. This runs in real time: a {@code TestProbe} waits in real time, each wait
 * bounded.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@VnetifTest(seed = 7)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TypedActorClientServerExample {
  static final int PORT = 7000;
  static final Duration WAIT = Duration.ofSeconds(5);

  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  // ------------------------------------------------------------ the server

  /**
   * Greets whoever connects: for each line "name" it answers "Hello, name! You are visitor n.", n
   * counting the connections it accepted. One {@link Session} actor per connection. Once its port
   * is bound it tells {@code bound} where (as Pekko IO answers {@code Bind} with {@code Bound}), so
   * no client connects before it listens.
   */
  static final class GreeterServer {
    sealed interface Command {}

    /** What the server tells its creator once it accepts connections. */
    record Bound(InetSocketAddress address) {}

    private record BindSucceeded(int port) implements Command {}

    private record BindFailed(Throwable cause) implements Command {}

    /** A connection the host accepted on the server's port. */
    private record Accepted(TcpFlow flow) implements Command {}

    /** Serves on {@code port} of {@code host} (0: a free port, as the Bound message says). */
    static Behavior<Command> create(Stack host, int port, ActorRef<Bound> bound) {
      return Behaviors.setup(
          context -> {
            ActorRef<Command> self = context.getSelf();
            // The callback runs outside the actor, once per accepted connection: it only sends
            // the actor a message.
            CompletionStage<Integer> binding =
                host.tcp()
                    .bind(
                        port,
                        null,
                        flow -> {
                          self.tell(new Accepted(flow));
                          return CompletableFuture.completedFuture(null);
                        });
            context.pipeToSelf(
                binding,
                (p, failure) -> p != null ? new BindSucceeded(p) : new BindFailed(failure));
            return serving(context, host, bound, port, 0);
          });
    }

    private static Behavior<Command> serving(
        ActorContext<Command> context, Stack host, ActorRef<Bound> bound, int port, int visitors) {
      return Behaviors.receive(Command.class)
          .onMessage(
              BindSucceeded.class,
              ok -> {
                bound.tell(new Bound(new InetSocketAddress(host.address(), ok.port())));
                return serving(context, host, bound, ok.port(), visitors);
              })
          .onMessage(
              BindFailed.class,
              failed -> {
                context.getLog().warn("cannot bind port {}", port, failed.cause());
                return Behaviors.stopped();
              })
          .onMessage(
              Accepted.class,
              accepted -> {
                context.spawnAnonymous(Session.create(accepted.flow(), visitors + 1));
                return serving(context, host, bound, port, visitors + 1);
              })
          .onSignal(
              PostStop.class,
              stopped -> {
                host.tcp().unlisten(port);
                return Behaviors.same();
              })
          .build();
    }
  }

  /** One accepted connection: answers each complete line, stops when the client has closed. */
  static final class Session {
    static Behavior<FlowEvent> create(TcpFlow flow, int visitor) {
      return Behaviors.setup(
          context -> {
            // Push mode (every arriving byte is sent to us at once); without
            // keepOpenOnPeerClosed, the connection closes our side too when the client closes.
            flow.ref().tell(new FlowCommand.Register(context.getSelf(), false, false));
            return reading(flow, visitor, ByteString.emptyByteString());
          });
    }

    /** TCP carries bytes, not lines: {@code pending} holds the start of an incomplete line. */
    private static Behavior<FlowEvent> reading(TcpFlow flow, int visitor, ByteString pending) {
      return Behaviors.receive(FlowEvent.class)
          .onMessage(
              FlowEvent.Received.class,
              received -> {
                ByteString buffer = pending.concat(received.data());
                int end;
                while ((end = buffer.indexOf((byte) '\n')) >= 0) {
                  String name = buffer.take(end).utf8String();
                  String greeting = "Hello, " + name + "! You are visitor " + visitor + ".\n";
                  flow.ref().tell(new FlowCommand.Write(ByteString.fromString(greeting), null));
                  buffer = buffer.drop(end + 1);
                }
                return reading(flow, visitor, buffer);
              })
          // As in Pekko IO, PeerClosed is the last event of a connection that closes with it.
          .onMessage(FlowEvent.PeerClosed.class, closed -> Behaviors.stopped())
          .onMessage(FlowEvent.ErrorClosed.class, failed -> Behaviors.stopped())
          .onAnyMessage(other -> Behaviors.same()) // Connected: nothing to do
          .build();
    }
  }

  // ------------------------------------------------------------ the client

  /**
   * Connects, sends one name, tells {@code replyTo} the greeting, closes the connection and stops.
   */
  static final class GreeterClient {
    sealed interface Command {}

    /** What the client tells whoever asked. */
    record Greeting(String text) {}

    private record Connected(TcpFlow flow) implements Command {}

    private record ConnectFailed(Throwable cause) implements Command {}

    /** The connection's events, adapted into this actor's protocol. */
    private record FromConnection(FlowEvent event) implements Command {}

    static Behavior<Command> create(
        Stack host, InetSocketAddress server, String name, ActorRef<Greeting> replyTo) {
      return Behaviors.setup(
          context -> {
            context.pipeToSelf(
                host.tcp().createConnection(server),
                (flow, failure) -> flow != null ? new Connected(flow) : new ConnectFailed(failure));
            return Behaviors.receive(Command.class)
                .onMessage(
                    Connected.class,
                    connected -> {
                      TcpFlow flow = connected.flow();
                      ActorRef<FlowEvent> events =
                          context.messageAdapter(FlowEvent.class, FromConnection::new);
                      flow.ref().tell(new FlowCommand.Register(events, false, false));
                      flow.ref()
                          .tell(new FlowCommand.Write(ByteString.fromString(name + "\n"), null));
                      return awaitingGreeting(flow, replyTo, ByteString.emptyByteString());
                    })
                .onMessage(
                    ConnectFailed.class,
                    failed -> {
                      context.getLog().warn("cannot connect to {}", server, failed.cause());
                      return Behaviors.stopped();
                    })
                .build();
          });
    }

    private static Behavior<Command> awaitingGreeting(
        TcpFlow flow, ActorRef<Greeting> replyTo, ByteString pending) {
      return Behaviors.receive(Command.class)
          .onMessage(
              FromConnection.class,
              from -> {
                if (from.event() instanceof FlowEvent.ErrorClosed) {
                  return Behaviors.stopped();
                }
                if (!(from.event() instanceof FlowEvent.Received received)) {
                  return Behaviors.same(); // Connected
                }
                ByteString buffer = pending.concat(received.data());
                int end = buffer.indexOf((byte) '\n');
                if (end < 0) {
                  return awaitingGreeting(flow, replyTo, buffer); // not a whole line yet
                }
                replyTo.tell(new Greeting(buffer.take(end).utf8String()));
                // FIN, then wait for the server's: ConfirmedClosed ends the connection.
                flow.ref().tell(new FlowCommand.ConfirmedClose());
                return closing();
              })
          .build();
    }

    private static Behavior<Command> closing() {
      return Behaviors.receive(Command.class)
          .onMessage(
              FromConnection.class,
              from ->
                  from.event() instanceof FlowEvent.ConfirmedClosed
                      || from.event() instanceof FlowEvent.ErrorClosed,
              from -> Behaviors.stopped())
          .onMessage(FromConnection.class, other -> Behaviors.same()) // e.g. PeerClosed
          .build();
    }
  }

  // ------------------------------------------------------------ the tests

  ActorRef<GreeterServer.Command> greeter;

  /** Starts a greeter on a free port of {@code host}; returns where it listens. */
  InetSocketAddress startGreeter(Stack host) {
    TestProbe<GreeterServer.Bound> bound = testKit.createTestProbe();
    greeter = testKit.spawn(GreeterServer.create(host, 0, bound.ref()), "greeter");
    return bound.expectMessageClass(GreeterServer.Bound.class, WAIT).address();
  }

  /** The test kit lives as long as the class: each test stops its own actors. */
  @AfterEach
  void stopGreeter() {
    if (greeter != null) {
      testKit.stop(greeter, WAIT);
      greeter = null;
    }
  }

  @Test
  void aClientGetsItsGreetingAndClosesCleanly(VirtualNetwork net) throws Exception {
    Stack serverHost = await(net.createStack("10.0.0.3/24"));
    Stack clientHost = await(net.createStack("10.0.0.2/24"));
    InetSocketAddress server = startGreeter(serverHost);

    TestProbe<GreeterClient.Greeting> replies = testKit.createTestProbe();
    ActorRef<GreeterClient.Command> client =
        testKit.spawn(GreeterClient.create(clientHost, server, "Ada", replies.ref()));

    replies.expectMessage(WAIT, new GreeterClient.Greeting("Hello, Ada! You are visitor 1."));
    // The client stops only after ConfirmedClosed: both sides closed the connection.
    replies.expectTerminated(client, WAIT);
  }

  @Test
  void theServerCountsItsVisitorsAcrossConnections(VirtualNetwork net) throws Exception {
    Stack serverHost = await(net.createStack("10.0.0.3/24"));
    Stack clientHost = await(net.createStack("10.0.0.2/24"));
    InetSocketAddress server = startGreeter(serverHost);

    // One after the other, so the visitor numbers are known: the server's state lives on
    // between connections, in the actor.
    TestProbe<GreeterClient.Greeting> replies = testKit.createTestProbe();
    for (String name : List.of("Ada", "Grace", "Barbara")) {
      ActorRef<GreeterClient.Command> client =
          testKit.spawn(GreeterClient.create(clientHost, server, name, replies.ref()));
      replies.expectTerminated(client, WAIT);
    }
    assertEquals(
        List.of(
            new GreeterClient.Greeting("Hello, Ada! You are visitor 1."),
            new GreeterClient.Greeting("Hello, Grace! You are visitor 2."),
            new GreeterClient.Greeting("Hello, Barbara! You are visitor 3.")),
        replies.receiveSeveralMessages(3, WAIT));
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
