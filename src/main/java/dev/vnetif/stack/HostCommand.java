package dev.vnetif.stack;

import dev.vnetif.tcp.KeepaliveSettings;
import dev.vnetif.tcp.TimeWait;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.MacAddress;
import dev.vnetif.wire.TcpSegment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;

/** The messages a {@link StackActor} (one virtual host) understands. */
public sealed interface HostCommand {

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

  // ---- internal: sent by the host's own adapters and timers ----

  /** Segments a flow produced while handling one input, in order. */
  record TcpOut(FlowKey key, List<TcpSegment> segments) implements HostCommand {}

  /** A flow a listener spawned, to be found by its 4-tuple from now on. */
  record FlowRegistered(FlowKey key, ActorRef<FlowCommand> flow) implements HostCommand {}

  /** A flow reached CLOSED: its 4-tuple leaves the table. */
  record FlowClosed(FlowKey key, ActorRef<FlowCommand> flow) implements HostCommand {}

  /** A flow's actor stopped (however it happened). */
  record FlowStopped(FlowKey key, ActorRef<FlowCommand> flow) implements HostCommand {}

  /** Frames the switch delivered to this host's port. */
  record FramesIn(List<ByteString> frames) implements HostCommand {}

  /** An ARP request went unanswered for one retry interval. */
  record ArpRetry(Ipv4Address address) implements HostCommand {}

  /** A ping's reply did not arrive in time. */
  record PingTimeout(int sequence) implements HostCommand {}

  /** The switch attached this host to {@code port} with {@code mac}. */
  record AttachedToSwitch(int port, MacAddress mac) implements HostCommand {}

  /** The switch confirmed the detach of this host's port. */
  record Detached() implements HostCommand {}

  /**
   * A flow's connection entered TIME_WAIT: its 4-tuple leaves the flow table (as with {@link
   * FlowClosed}) and waits out 2·MSL as a compact entry in the host's TIME_WAIT table; the flow
   * closes for its user and stops.
   */
  record TimeWaitEntered(FlowKey key, ActorRef<FlowCommand> flow, TimeWait entry)
      implements HostCommand {}

  /** The earliest TIME_WAIT deadline of the host's table is due. */
  record TimeWaitDue() implements HostCommand {}

  /**
   * Segments that reached a flow after it closed, handed back so the host demultiplexes them again
   * (TIME_WAIT entry, listener, or RST): a 4-tuple whose flow ended is never a black hole.
   */
  record SegmentsAfterClose(FlowKey key, ActorRef<FlowCommand> flow, List<TcpSegment> segments)
      implements HostCommand {}
}
