package dev.vnetif.stack;

import dev.vnetif.tcp.TimeWait;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.MacAddress;
import dev.vnetif.wire.TcpSegment;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;

/**
 * Everything a host actor handles: the public {@link HostCommand}s users send, and the host's
 * internal messages, which only the host's own adapters, timers and flows send. Package-private
 * (Pekko's style guide, "public versus private messages"): the behavior is a {@code
 * Behavior<HostMessage>}, and every ref handed out is narrowed to {@code ActorRef<HostCommand>}, so
 * a user cannot even name these messages, let alone send them.
 */
interface HostMessage {

  /** Frames the switch delivered to this host's port. */
  record FramesIn(List<ByteString> frames) implements HostMessage {}

  /** An ARP request went unanswered for one retry interval. */
  record ArpRetry(Ipv4Address address) implements HostMessage {}

  /** A ping's reply did not arrive in time. */
  record PingTimeout(int sequence) implements HostMessage {}

  /** The switch attached this host to {@code port} with {@code mac}. */
  record AttachedToSwitch(int port, MacAddress mac) implements HostMessage {}

  /** The switch confirmed the detach of this host's port. */
  record Detached() implements HostMessage {}

  /**
   * A flow's connection entered TIME_WAIT: its 4-tuple leaves the flow table (as with {@link
   * HostCommand.FlowClosed}) and waits out 2·MSL as a compact entry in the host's TIME_WAIT table;
   * the flow closes for its user and stops.
   */
  record TimeWaitEntered(FlowKey key, ActorRef<FlowCommand> flow, TimeWait entry)
      implements HostMessage {}

  /** The earliest TIME_WAIT deadline of the host's table is due. */
  record TimeWaitDue() implements HostMessage {}

  /**
   * Segments that reached a flow after it closed, handed back so the host demultiplexes them again
   * (TIME_WAIT entry, listener, or RST): a 4-tuple whose flow ended is never a black hole.
   */
  record SegmentsAfterClose(FlowKey key, ActorRef<FlowCommand> flow, List<TcpSegment> segments)
      implements HostMessage {}
}
