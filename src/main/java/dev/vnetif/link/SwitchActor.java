package dev.vnetif.link;

import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.MacAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.util.ByteString;

/**
 * The vnetif backend: a learning Ethernet switch.
 *
 * <p>The forwarding path of one {@link SwitchCommand.Transmit} batch is a sequence of stages, each
 * a method below: {@link #ingress} (counters, size limits), {@link #forward} (learning, lookup,
 * flooding — never back to the sender) and {@link #egress} (queue for one port). Frames for the
 * same port are flushed as one {@link PortDelivery} at the end of the batch, and taps get the whole
 * batch in one message. Link conditions (loss, delay, reordering) and external ports slot in at
 * {@link #egress} and behind {@link SwitchPort} without touching the rest.
 */
public final class SwitchActor extends AbstractBehavior<SwitchCommand>
    implements LinkConditioner.Output {

  /** I/G bit of the first octet, as it sits in a MAC held in the low 48 bits of a long. */
  private static final long GROUP_BIT = 1L << 40;

  /** The key of the one timer: the wake-up for the earliest frame the conditioner holds. */
  private static final Object WAKE = "conditions-due";

  private final SwitchSettings settings;
  private final TimerScheduler<SwitchCommand> timers;
  private final LinkConditioner conditioner;
  private final SplittableRandom macRandom;
  private final MacTable macTable;
  private final Set<Long> assignedMacs = new HashSet<>();
  private final Map<Long, ActorRef<TapActor.Command>> taps = new LinkedHashMap<>();
  private final List<SwitchPort> touched = new ArrayList<>();

  /** Attached ports by number; port numbers start at 1 and are never reused. */
  private SwitchPort[] ports = new SwitchPort[16];

  private int nextPort = 1;

  /** When the conditioner's wake-up timer fires, or {@code Long.MAX_VALUE} when none is set. */
  private long wakeAt = Long.MAX_VALUE;

  private int attachedCount;
  private long oversizedDrops;
  private long runtDrops;
  private long unknownPortDrops;

  public static Behavior<SwitchCommand> create(SwitchSettings settings) {
    return create(settings, null);
  }

  /**
   * A switch whose scripted conditions ({@code drop(Predicate<Frame>)}) see frames through {@code
   * views}; null when no predicate will be used (tests of the switch alone).
   */
  public static Behavior<SwitchCommand> create(
      SwitchSettings settings, Function<TappedFrame, dev.vnetif.Frame> views) {
    return Behaviors.withTimers(
        timers -> Behaviors.setup(ctx -> new SwitchActor(ctx, timers, settings, views)));
  }

  private SwitchActor(
      ActorContext<SwitchCommand> ctx,
      TimerScheduler<SwitchCommand> timers,
      SwitchSettings settings,
      Function<TappedFrame, dev.vnetif.Frame> views) {
    super(ctx);
    this.settings = settings;
    this.timers = timers;
    this.conditioner = new LinkConditioner(settings.seed(), views);
    this.macRandom = new SplittableRandom(settings.seed());
    this.macTable =
        new MacTable(settings.clock(), settings.macAgeingTime(), settings.macTableLimit());
  }

  @Override
  public Receive<SwitchCommand> createReceive() {
    return newReceiveBuilder()
        .onMessage(SwitchCommand.Transmit.class, this::onTransmit)
        .onMessage(SwitchCommand.Attach.class, this::onAttach)
        .onMessage(SwitchCommand.Detach.class, this::onDetach)
        .onMessage(SwitchCommand.AddTap.class, this::onAddTap)
        .onMessage(SwitchCommand.RemoveTap.class, this::onRemoveTap)
        .onMessage(SwitchCommand.GetStats.class, this::onGetStats)
        .onMessage(SwitchCommand.SetConditions.class, this::onSetConditions)
        .onMessage(SwitchCommand.Cut.class, this::onCut)
        .onMessage(SwitchCommand.Isolate.class, this::onIsolate)
        .onMessage(SwitchCommand.HealAll.class, this::onHealAll)
        .onMessage(SwitchCommand.Hold.class, this::onHold)
        .onMessage(SwitchCommand.GetConditionStats.class, this::onGetConditionStats)
        .onMessage(SwitchCommand.ConditionsDue.class, this::onConditionsDue)
        .onMessage(
            SwitchCommand.Stop.class,
            msg -> Behaviors.stopped(() -> msg.replyTo().tell(Done.getInstance())))
        .build();
  }

  private Behavior<SwitchCommand> onAttach(SwitchCommand.Attach msg) {
    int number = nextPort++;
    MacAddress mac = msg.requestedMac() != null ? msg.requestedMac() : freshMac();
    assignedMacs.add(mac.toLong());
    if (number >= ports.length) {
      ports = Arrays.copyOf(ports, ports.length * 2);
    }
    int limit =
        msg.maxFrameSize() > 0
            ? Math.min(msg.maxFrameSize(), settings.maxFrameSize())
            : settings.maxFrameSize();
    ports[number] = new SwitchPort(number, msg.name(), mac, limit, msg.endpoint());
    attachedCount++;
    getContext().getLog().debug("port {} attached: {} {}", number, msg.name(), mac);
    msg.replyTo().tell(new SwitchCommand.Attached(number, mac));
    return this;
  }

  /**
   * A locally administered unicast MAC (IEEE 802: U/L bit set, I/G bit clear) drawn from the seed,
   * so the same seed gives every host the same MAC in every run.
   */
  private MacAddress freshMac() {
    while (true) {
      long bits = macRandom.nextLong() & 0xFFFF_FFFF_FFFFL;
      bits = (bits & ~(0x01L << 40)) | (0x02L << 40);
      if (assignedMacs.add(bits)) {
        return MacAddress.fromLong(bits);
      }
    }
  }

  private Behavior<SwitchCommand> onDetach(SwitchCommand.Detach msg) {
    SwitchPort port = portOrNull(msg.port());
    if (port != null) {
      ports[msg.port()] = null;
      attachedCount--;
      macTable.forget(port);
      conditioner.forget(port.number);
      getContext().getLog().debug("port {} detached: {}", port.number, port.name);
    }
    msg.replyTo().tell(Done.getInstance());
    return this;
  }

  private Behavior<SwitchCommand> onAddTap(SwitchCommand.AddTap msg) {
    ActorRef<TapActor.Command> tap =
        getContext().spawnAnonymous(TapActor.create(msg.tapId(), msg.consumer()));
    taps.put(msg.tapId(), tap);
    return this;
  }

  private Behavior<SwitchCommand> onRemoveTap(SwitchCommand.RemoveTap msg) {
    ActorRef<TapActor.Command> tap = taps.remove(msg.tapId());
    if (tap == null) {
      msg.replyTo().tell(Done.getInstance());
    } else {
      // Queued behind every batch already sent to the tap: answered once they were consumed.
      tap.tell(new TapActor.Stop(msg.replyTo()));
    }
    return this;
  }

  private Behavior<SwitchCommand> onGetStats(SwitchCommand.GetStats msg) {
    List<SwitchStats.PortStats> list = new ArrayList<>(attachedCount);
    for (SwitchPort port : ports) {
      if (port != null) {
        list.add(port.stats());
      }
    }
    msg.replyTo()
        .tell(
            new SwitchStats(
                List.copyOf(list),
                oversizedDrops,
                runtDrops,
                unknownPortDrops,
                macTable.size(),
                macTable.refusedLearns()));
    return this;
  }

  private Behavior<SwitchCommand> onTransmit(SwitchCommand.Transmit msg) {
    SwitchPort in = portOrNull(msg.port());
    List<ByteString> frames = msg.frames();
    if (in == null) {
      unknownPortDrops += frames.size();
      return this;
    }
    boolean conditioned = !conditioner.idle();
    long now = conditioned ? settings.clock().nanoTime() : 0;
    List<TappedFrame> tapped = null;
    long timestamp = 0;
    if (!taps.isEmpty() || conditioned) {
      timestamp = settings.clock().epochNanos();
    }
    if (!taps.isEmpty()) {
      tapped = new ArrayList<>(frames.size());
    }
    for (int i = 0, n = frames.size(); i < n; i++) {
      ByteString frame = frames.get(i);
      if (ingress(in, frame)) {
        TappedFrame seen =
            tapped != null || conditioned
                ? new TappedFrame(frame, in.number, in.name, timestamp)
                : null;
        if (tapped != null) {
          tapped.add(seen);
        }
        if (conditioned) {
          conditioner.enter(in, seen, now, this);
        } else {
          forward(in, frame, null, 0);
        }
      }
    }
    flushTouched();
    if (conditioned) {
      wakeForConditions(now);
    }
    if (tapped != null && !tapped.isEmpty()) {
      TapActor.Frames batch = new TapActor.Frames(tapped);
      for (ActorRef<TapActor.Command> tap : taps.values()) {
        tap.tell(batch);
      }
    }
    return this;
  }

  private void flushTouched() {
    for (int i = 0, n = touched.size(); i < n; i++) {
      touched.get(i).flush();
    }
    touched.clear();
  }

  // ---------------------------------------------------------------- link conditions

  /** A frame passed its ingress conditions: the switch learns and forwards it now. */
  @Override
  public void arrived(SwitchPort in, TappedFrame frame) {
    forward(in, frame.bytes(), frame, settings.clock().nanoTime());
  }

  /** A frame passed every condition on its way to {@code out}. */
  @Override
  public void deliver(SwitchPort out, ByteString frame) {
    if (out.enqueue(frame)) {
      touched.add(out);
    }
  }

  private Behavior<SwitchCommand> onConditionsDue(SwitchCommand.ConditionsDue msg) {
    wakeAt = Long.MAX_VALUE;
    long now = settings.clock().nanoTime();
    conditioner.due(now, this, this::portOrNull);
    flushTouched();
    wakeForConditions(now);
    return this;
  }

  /** Sets the timer for the earliest waiting frame, unless one already wakes us in time. */
  private void wakeForConditions(long now) {
    long next = conditioner.nextDue();
    if (next == Long.MAX_VALUE || next >= wakeAt) {
      return;
    }
    wakeAt = next;
    timers.startSingleTimer(
        WAKE, new SwitchCommand.ConditionsDue(), Duration.ofNanos(Math.max(0, next - now)));
  }

  private Behavior<SwitchCommand> onSetConditions(SwitchCommand.SetConditions msg) {
    SwitchCommand.LinkScope scope = msg.scope();
    if (scope instanceof SwitchCommand.LinkScope.Everywhere) {
      conditioner.setEverywhere(msg.conditions());
    } else if (scope instanceof SwitchCommand.LinkScope.Port p) {
      SwitchPort port = portOrNull(p.port());
      if (port != null) {
        conditioner.setPort(port, p.direction(), msg.conditions());
      }
    } else if (scope instanceof SwitchCommand.LinkScope.Pair p) {
      SwitchPort from = portOrNull(p.from());
      SwitchPort to = portOrNull(p.to());
      if (from != null && to != null) {
        conditioner.setPair(from, to, msg.conditions());
      }
    }
    msg.replyTo().tell(Done.getInstance());
    return this;
  }

  private Behavior<SwitchCommand> onCut(SwitchCommand.Cut msg) {
    conditioner.cut(msg.from(), msg.to(), msg.owner(), msg.cut());
    if (msg.bothWays()) {
      conditioner.cut(msg.to(), msg.from(), msg.owner(), msg.cut());
    }
    msg.replyTo().tell(Done.getInstance());
    return this;
  }

  private Behavior<SwitchCommand> onIsolate(SwitchCommand.Isolate msg) {
    conditioner.isolate(msg.port(), msg.isolate());
    msg.replyTo().tell(Done.getInstance());
    return this;
  }

  private Behavior<SwitchCommand> onHealAll(SwitchCommand.HealAll msg) {
    conditioner.healAll();
    msg.replyTo().tell(Done.getInstance());
    return this;
  }

  private Behavior<SwitchCommand> onHold(SwitchCommand.Hold msg) {
    if (msg.hold()) {
      conditioner.hold(msg.from(), msg.to());
    } else {
      SwitchPort from = portOrNull(msg.from());
      SwitchPort to = portOrNull(msg.to());
      if (from != null && to != null) {
        long now = settings.clock().nanoTime();
        conditioner.release(from, to, now, this);
        flushTouched();
        wakeForConditions(now);
      }
    }
    msg.replyTo().tell(Done.getInstance());
    return this;
  }

  private Behavior<SwitchCommand> onGetConditionStats(SwitchCommand.GetConditionStats msg) {
    msg.replyTo().tell(conditioner.stats());
    return this;
  }

  // ---------------------------------------------------------------- forwarding

  /** Counts the frame and applies the size limits; false when it is dropped. */
  private boolean ingress(SwitchPort in, ByteString frame) {
    int length = frame.length();
    in.rxFrames++;
    in.rxBytes += length;
    if (length < EthernetFrame.HEADER_LENGTH) {
      runtDrops++;
      in.drops++;
      return false;
    }
    if (length > in.maxFrameSize) {
      oversizedDrops++;
      in.drops++;
      return false;
    }
    return true;
  }

  /**
   * Learns the source, then sends to the learned port or floods; never back to {@code in}. {@code
   * seen} is the frame as conditions see it, null when the conditioner is idle.
   */
  private void forward(SwitchPort in, ByteString frame, TappedFrame seen, long now) {
    long source = EthernetFrame.peekSource(frame);
    long destination = EthernetFrame.peekDestination(frame);
    if ((source & GROUP_BIT) == 0) {
      macTable.learn(source, in);
    }
    if ((destination & GROUP_BIT) == 0) {
      SwitchPort out = macTable.lookup(destination);
      if (out != null) {
        if (out != in) {
          egress(in, out, frame, seen, now);
        }
        return;
      }
    }
    for (SwitchPort out : ports) {
      if (out != null && out != in) {
        egress(in, out, frame, seen, now);
      }
    }
  }

  private void egress(SwitchPort in, SwitchPort out, ByteString frame, TappedFrame seen, long now) {
    if (frame.length() > out.maxFrameSize) {
      out.drops++; // the link behind this port has a smaller MTU: the frame cannot go there
      oversizedDrops++;
      return;
    }
    if (seen != null) {
      conditioner.leave(in, out, seen, now, this);
    } else {
      deliver(out, frame);
    }
  }

  private SwitchPort portOrNull(int number) {
    return number > 0 && number < ports.length ? ports[number] : null;
  }
}
