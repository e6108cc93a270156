package dev.vnetif.link;

import dev.vnetif.ConditionStats;
import dev.vnetif.Direction;
import dev.vnetif.LinkConditions;
import dev.vnetif.wire.MacAddress;
import java.util.List;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;

/** The messages a {@link SwitchActor} understands. */
public sealed interface SwitchCommand {

  /**
   * Attach a new port whose frames go to {@code endpoint}. The switch answers with the port number
   * and a locally administered MAC drawn from the seed (or {@code requestedMac} when given, for raw
   * and external ports that bring their own). A positive {@code maxFrameSize} limits this port
   * below the switch's limit, both ways (a link with a smaller MTU); frames over it are dropped and
   * counted on the port.
   */
  record Attach(
      String name,
      ActorRef<PortDelivery> endpoint,
      MacAddress requestedMac,
      int maxFrameSize,
      ActorRef<Attached> replyTo)
      implements SwitchCommand {

    /** A port limited only by the switch's own maximum frame size. */
    public Attach(
        String name,
        ActorRef<PortDelivery> endpoint,
        MacAddress requestedMac,
        ActorRef<Attached> replyTo) {
      this(name, endpoint, requestedMac, 0, replyTo);
    }
  }

  /** Answer to {@link Attach}. */
  record Attached(int port, MacAddress mac) {}

  /** Remove a port; frames it sends afterwards are dropped. Answers once it is gone. */
  record Detach(int port, ActorRef<Done> replyTo) implements SwitchCommand {}

  /** Frames a port puts on the wire, in order. */
  record Transmit(int port, List<ByteString> frames) implements SwitchCommand {}

  /** Start a tap: from now on every forwarded frame is handed to {@code consumer}, in order. */
  record AddTap(long tapId, Consumer<TappedFrame> consumer) implements SwitchCommand {}

  /**
   * Stop a tap. {@code replyTo} is answered only after the tap has consumed every frame that was
   * handed to it before the removal.
   */
  record RemoveTap(long tapId, ActorRef<Done> replyTo) implements SwitchCommand {}

  /** Stop the switch and its taps; answered once they have stopped. */
  record Stop(ActorRef<Done> replyTo) implements SwitchCommand {}

  /** Ask for a snapshot of the per-port counters. */
  record GetStats(ActorRef<SwitchStats> replyTo) implements SwitchCommand {}

  // ---------------------------------------------------------------- link conditions

  /** Which links a {@link SetConditions} applies to. */
  sealed interface LinkScope {
    /** Every port: each destination port gets its own state of the same conditions. */
    record Everywhere() implements LinkScope {}

    /** One port's side of its link: frames it sends (INGRESS) or frames it receives (EGRESS). */
    record Port(int port, Direction direction) implements LinkScope {}

    /** Frames from port {@code from} to port {@code to}, one direction. */
    record Pair(int from, int to) implements LinkScope {}
  }

  /**
   * Replace the conditions of {@code scope} ({@link LinkConditions#none()} removes them), with
   * fresh state. Frames already on their way keep the times they were given. Answered once in
   * force: frames sent after the answer see the new conditions.
   */
  record SetConditions(LinkScope scope, LinkConditions conditions, ActorRef<Done> replyTo)
      implements SwitchCommand {}

  /**
   * Cut ({@code cut}) or mend the direction from → to, and the reverse too when {@code bothWays}.
   * Each cut remembers its {@code owner}, and mending removes only that owner's cut: a direction
   * stays cut while anyone still holds it, so a nemesis healing its own partition never mends a cut
   * the user made on the same pair (nor the other way round). {@link HealAll} mends them all.
   */
  record Cut(int from, int to, boolean bothWays, boolean cut, String owner, ActorRef<Done> replyTo)
      implements SwitchCommand {

    /** The owner of the cuts made through {@code VirtualNetwork.partition} and its kin. */
    public static final String BY_USER = "user";

    /** A cut (or mend) by the user. */
    public Cut(int from, int to, boolean bothWays, boolean cut, ActorRef<Done> replyTo) {
      this(from, to, bothWays, cut, BY_USER, replyTo);
    }
  }

  /** Cut a port off from every other port (or mend that). */
  record Isolate(int port, boolean isolate, ActorRef<Done> replyTo) implements SwitchCommand {}

  /** Mend every cut and isolation. */
  record HealAll(ActorRef<Done> replyTo) implements SwitchCommand {}

  /** Hold ({@code hold}) frames from → to in a queue, or release them all at once. */
  record Hold(int from, int to, boolean hold, ActorRef<Done> replyTo) implements SwitchCommand {}

  /** Ask for the counters of every condition step, cut and hold. */
  record GetConditionStats(ActorRef<ConditionStats> replyTo) implements SwitchCommand {}

  /** The switch's own timer: frames held by conditions are due. Not for users. */
  record ConditionsDue() implements SwitchCommand {}
}
