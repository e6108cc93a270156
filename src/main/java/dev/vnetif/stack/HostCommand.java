package dev.vnetif.stack;

import dev.vnetif.tcp.KeepaliveSettings;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.TcpSegment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;

/**
 * What a user may send a host ({@link StackActor}): ping, UDP and TCP commands, and disconnect.
 *
 * <p>The flows' messages to their host ({@link TcpOut}, {@link FlowRegistered}, {@link FlowClosed},
 * {@link FlowStopped}) are nested here for the flow actor's sake but are not {@code HostCommand}s:
 * they implement the package-private supertype the host's behavior takes, and their constructors
 * are package-private, so nothing outside {@code dev.vnetif.stack} can build or send them.
 */
public sealed interface HostCommand extends HostMessage {

  /** Send an ICMP echo request with {@code payloadSize} data bytes and wait for the reply. */
  record Ping(
      Ipv4Address destination, int payloadSize, Duration timeout, ActorRef<PingOutcome> replyTo)
      implements HostCommand {}

  /** Deliver UDP datagrams for {@code port} to {@code handler}; replaces an earlier handler. */
  record UdpListen(int port, Consumer<UdpReceived> handler) implements HostCommand {}

  record UdpUnlisten(int port) implements HostCommand {}

  /** Send one datagram; {@code sourcePort} 0 picks an ephemeral port (RFC 6056). */
  record UdpSend(
      int sourcePort,
      Ipv4Address destination,
      int destinationPort,
      ByteString payload,
      ActorRef<SendOutcome> replyTo)
      implements HostCommand {}

  /** Open a connection; {@code replyTo} hears once it is established or has failed. */
  record TcpConnect(
      Ipv4Address remote,
      int remotePort,
      KeepaliveSettings keepalive,
      ActorRef<FlowCommand.ConnectReply> replyTo)
      implements HostCommand {}

  /** Accept connections on {@code port}; replaces an earlier listener on it. */
  record TcpListen(
      int port, KeepaliveSettings keepalive, Function<FlowHandle, CompletionStage<?>> callback)
      implements HostCommand {}

  /** New SYNs for {@code port} are refused; existing connections go on. */
  record TcpUnlisten(int port) implements HostCommand {}

  /** Abort every connection and stop every listener. */
  record TcpDisconnect(ActorRef<Done> replyTo) implements HostCommand {}

  /** Leave the switch and stop; answered once the port is detached. */
  record Disconnect(ActorRef<Done> replyTo) implements HostCommand {}

  /**
   * The connections in the host's table, one {@code local -> remote} line each, in a stable order:
   * what a stalled simulation reports as still open.
   */
  record ListFlows(ActorRef<java.util.List<String>> replyTo) implements HostCommand {}

  // ---- internal: sent by the host's own flows; not HostCommands (see the class comment) ----

  /** Segments a flow produced while handling one input, in order. */
  final class TcpOut implements HostMessage {
    private final FlowKey key;
    private final List<TcpSegment> segments;

    TcpOut(FlowKey key, List<TcpSegment> segments) {
      this.key = key;
      this.segments = segments;
    }

    FlowKey key() {
      return key;
    }

    List<TcpSegment> segments() {
      return segments;
    }

    @Override
    public String toString() {
      return "TcpOut[" + key + ", " + segments.size() + " segments]";
    }
  }

  /** A flow a listener spawned, to be found by its 4-tuple from now on. */
  final class FlowRegistered extends FlowNotice {
    FlowRegistered(FlowKey key, ActorRef<FlowCommand> flow) {
      super(key, flow);
    }
  }

  /** A flow reached CLOSED: its 4-tuple leaves the table. */
  final class FlowClosed extends FlowNotice {
    FlowClosed(FlowKey key, ActorRef<FlowCommand> flow) {
      super(key, flow);
    }
  }

  /** A flow's actor stopped (however it happened). */
  final class FlowStopped extends FlowNotice {
    FlowStopped(FlowKey key, ActorRef<FlowCommand> flow) {
      super(key, flow);
    }
  }

  /** What a flow tells its host about itself: its 4-tuple and its actor. */
  abstract class FlowNotice implements HostMessage {
    private final FlowKey key;
    private final ActorRef<FlowCommand> flow;

    FlowNotice(FlowKey key, ActorRef<FlowCommand> flow) {
      this.key = key;
      this.flow = flow;
    }

    FlowKey key() {
      return key;
    }

    ActorRef<FlowCommand> flow() {
      return flow;
    }

    @Override
    public String toString() {
      return getClass().getSimpleName() + "[" + key + ", " + flow + "]";
    }
  }
}
