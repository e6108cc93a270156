package dev.vnetif.link;

import dev.vnetif.wire.EthernetFrame;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The switch side of an {@link ExternalPortSettings external port}. Frames the switch delivers
 * leave as UDP datagrams from this actor (never blocking: a full socket buffer drops the frame);
 * datagrams that arrive are read by a daemon thread that waits on the socket's selector, so no
 * actor ever blocks, and handed to the switch in batches. Malformed datagrams are dropped and
 * counted, never thrown.
 */
public final class ExternalPortActor {
  private static final Logger log = LoggerFactory.getLogger(ExternalPortActor.class);
  private static final int PI_LENGTH = 4;

  /** Frames handed to the switch in one message at most. */
  private static final int MAX_BATCH = 256;

  public sealed interface Command {}

  /** Frames the switch forwards to the outside. */
  record Deliver(List<ByteString> frames) implements Command {}

  record AttachedTo(SwitchCommand.Attached attached) implements Command {}

  /** Answered with the switch port once the port is attached. */
  public record AwaitAttached(ActorRef<SwitchCommand.Attached> replyTo) implements Command {}

  /** Detach from the switch, close the socket; answered once both are done. */
  public record Stop(ActorRef<Done> replyTo) implements Command {}

  record Detached(ActorRef<Done> replyTo) implements Command {}

  /** The port's own counters, readable from any thread. */
  public static final class Counters {
    public final AtomicLong datagramsIn = new AtomicLong();
    public final AtomicLong datagramsOut = new AtomicLong();

    /** Datagrams that were not a frame this port passes (runt, over the MTU, bad header). */
    public final AtomicLong droppedIn = new AtomicLong();

    /** Frames not sent: no remote known yet, or the socket refused them. */
    public final AtomicLong droppedOut = new AtomicLong();

    volatile InetSocketAddress remote;

    /** Where frames go now (configured, or learned from the first datagram), or null. */
    public InetSocketAddress remote() {
      return remote;
    }
  }

  private ExternalPortActor() {}

  /** An external port on {@code socket} (already bound) that attaches itself to the switch. */
  public static Behavior<Command> create(
      ExternalPortSettings settings,
      ExternalSocket socket,
      ActorRef<SwitchCommand> switchRef,
      Counters counters) {
    return Behaviors.setup(
        ctx -> {
          counters.remote = settings.remote();
          ActorRef<PortDelivery> endpoint =
              ctx.messageAdapter(PortDelivery.class, d -> new Deliver(d.frames()));
          ActorRef<SwitchCommand.Attached> onAttach =
              ctx.messageAdapter(SwitchCommand.Attached.class, AttachedTo::new);
          switchRef.tell(
              new SwitchCommand.Attach(
                  settings.name(), endpoint, null, settings.maxFrameSize(), onAttach));
          List<ActorRef<SwitchCommand.Attached>> waiting = new java.util.ArrayList<>();
          return Behaviors.receive(Command.class)
              .onMessage(
                  AttachedTo.class,
                  a -> {
                    waiting.forEach(w -> w.tell(a.attached()));
                    startReceiver(settings, socket, switchRef, counters, a.attached().port());
                    return running(ctx, settings, socket, switchRef, counters, a.attached());
                  })
              .onMessage(
                  AwaitAttached.class,
                  w -> {
                    waiting.add(w.replyTo());
                    return Behaviors.same();
                  })
              .onMessage(
                  Stop.class,
                  s -> {
                    socket.close();
                    s.replyTo().tell(Done.getInstance());
                    return Behaviors.stopped();
                  })
              .onMessage(Deliver.class, d -> Behaviors.same())
              .build();
        });
  }

  private static Behavior<Command> running(
      ActorContext<Command> ctx,
      ExternalPortSettings settings,
      ExternalSocket socket,
      ActorRef<SwitchCommand> switchRef,
      Counters counters,
      SwitchCommand.Attached attached) {
    return Behaviors.receive(Command.class)
        .onMessage(
            Deliver.class,
            d -> {
              send(settings, socket, counters, d.frames());
              return Behaviors.same();
            })
        .onMessage(
            AwaitAttached.class,
            w -> {
              w.replyTo().tell(attached);
              return Behaviors.same();
            })
        .onMessage(
            Stop.class,
            s -> {
              switchRef.tell(
                  new SwitchCommand.Detach(
                      attached.port(),
                      ctx.messageAdapter(Done.class, done -> new Detached(s.replyTo()))));
              return Behaviors.same();
            })
        .onMessage(
            Detached.class,
            d -> {
              socket.close();
              d.replyTo().tell(Done.getInstance());
              return Behaviors.stopped();
            })
        .onSignal(
            PostStop.class,
            s -> {
              socket.close();
              return Behaviors.same();
            })
        .build();
  }

  /** One datagram per frame, with the TUN/TAP packet-information header when configured. */
  private static void send(
      ExternalPortSettings settings,
      ExternalSocket socket,
      Counters counters,
      List<ByteString> frames) {
    InetSocketAddress remote = counters.remote;
    for (ByteString frame : frames) {
      if (remote == null) {
        counters.droppedOut.incrementAndGet(); // nobody has spoken to us yet: nowhere to send
        continue;
      }
      ByteBuffer datagram;
      if (settings.packetInformation()) {
        byte[] bytes = new byte[PI_LENGTH + frame.length()];
        int etherType =
            frame.length() >= 14 ? (frame.apply(12) & 0xFF) << 8 | frame.apply(13) & 0xFF : 0;
        bytes[2] = (byte) (etherType >> 8); // flags 0, then the protocol (the EtherType)
        bytes[3] = (byte) etherType;
        frame.copyToArray(bytes, PI_LENGTH, frame.length());
        datagram = ByteBuffer.wrap(bytes);
      } else {
        datagram = frame.asByteBuffer();
      }
      try {
        // The socket never blocks: a full send buffer loses the frame, as a congested link.
        if (socket.send(datagram, remote)) {
          counters.datagramsOut.incrementAndGet();
        } else {
          counters.droppedOut.incrementAndGet();
        }
      } catch (IOException e) {
        counters.droppedOut.incrementAndGet();
        if (log.isDebugEnabled()) {
          log.debug(
              "external port {}: sending to {} failed: {}", settings.name(), remote, e.toString());
        }
      }
    }
  }

  private static void startReceiver(
      ExternalPortSettings settings,
      ExternalSocket socket,
      ActorRef<SwitchCommand> switchRef,
      Counters counters,
      int port) {
    Thread receiver =
        new Thread(
            () -> receive(settings, socket, switchRef, counters, port),
            "vnetif-external-" + settings.name());
    receiver.setDaemon(true);
    receiver.start();
  }

  /**
   * Waits for datagrams, then drains every one already queued on the socket into one {@code
   * Transmit}: a burst from the outside (a kernel's TCP sends a whole window at once) costs one
   * switch message instead of one per frame, so the thread keeps up with the socket and the kernel
   * does not drop datagrams on a full receive buffer.
   */
  private static void receive(
      ExternalPortSettings settings,
      ExternalSocket socket,
      ActorRef<SwitchCommand> switchRef,
      Counters counters,
      int port) {
    ByteBuffer buffer = ByteBuffer.allocateDirect(65536);
    try {
      while (socket.isOpen()) {
        socket.awaitReadable();
        List<ByteString> batch = new ArrayList<>();
        SocketAddress from;
        while (batch.size() < MAX_BATCH && (from = socket.receive(buffer)) != null) {
          counters.datagramsIn.incrementAndGet();
          if (counters.remote == null && from instanceof InetSocketAddress peer) {
            counters.remote = peer; // learn where the outside is
          }
          buffer.flip();
          ByteString frame = frameOf(settings, buffer);
          buffer.clear();
          if (frame == null) {
            counters.droppedIn.incrementAndGet();
          } else {
            batch.add(frame);
          }
        }
        if (!batch.isEmpty()) {
          switchRef.tell(new SwitchCommand.Transmit(port, batch));
        }
      }
    } catch (ClosedChannelException | ClosedSelectorException e) {
      // the port was stopped
    } catch (IOException | RuntimeException e) {
      if (socket.isOpen()) {
        log.warn("external port {}: receive failed; the port stops receiving", settings.name(), e);
      }
    }
  }

  /** The Ethernet frame in a datagram, or null when it is too short or over the MTU. */
  private static ByteString frameOf(ExternalPortSettings settings, ByteBuffer datagram) {
    int skip = settings.packetInformation() ? PI_LENGTH : 0;
    int length = datagram.remaining() - skip;
    if (length < EthernetFrame.HEADER_LENGTH || length > settings.maxFrameSize()) {
      return null;
    }
    byte[] frame = new byte[length];
    datagram.position(skip);
    datagram.get(frame);
    return ByteString.fromArrayUnsafe(frame);
  }
}
