package dev.vnetif.testkit;

import dev.vnetif.Frame;
import dev.vnetif.Stack;
import dev.vnetif.TapId;
import dev.vnetif.VirtualNetwork;
import dev.vnetif.wire.ArpPacket;
import dev.vnetif.wire.IcmpPacket;
import dev.vnetif.wire.TcpSegment;
import dev.vnetif.wire.UdpPacket;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.TestKitSettings;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * A TestKit {@link TestProbe} of {@link Frame}s fed by a tap on the switch: it sees every frame the
 * switch forwards from its creation on, in forwarding order, and checks them one by one.
 *
 * <pre>{@code
 * try (SwitchProbe probe = SwitchProbe.create(net, testKit)) {
 *   TcpFlow flow = ...createConnection(new InetSocketAddress(b.address(), 80))...;
 *   probe.expectTcp(a, b, "S");
 *   probe.expectTcp(b, a, "SA");
 *   probe.expectTcp(a, b, "A");
 * }
 * }</pre>
 *
 * <p><b>Expectations.</b> Each takes frames off the probe in order. {@code expect...} wants the
 * very next frame to match (frames the view {@link #ignoring ignores} are skipped); {@code
 * fishFor...} skips every frame until one matches. Both wait at most the view's maximum ({@link
 * #within}; by default the TestKit's {@code pekko.actor.testkit.typed.single-expect-default}, 3 s).
 * A failing expectation throws an {@link AssertionError} that lists the frames it saw, one line
 * each ({@link FrameSummary}: number, seconds since the probe's first frame, sender, summary with
 * flags, seq/ack/win/len), or, when none came, the last frames before it. Flags are {@link
 * TcpFlags} specs ({@code "S"}, {@code "SA"}, {@code "A"}, {@code "FA"}, {@code "R"}), matched
 * exactly. A host given as a {@link Stack} matches any of its ports; an {@link InetSocketAddress}
 * with port 0 too.
 *
 * <p><b>Real and virtual time.</b> In real time a wait is the TestProbe's own, in real time. When
 * the network's actor system runs in {@link dev.vnetif.time.VirtualTime virtual time} the clock
 * moves only while a test waits through it, so a wait here goes through {@code VirtualTime.await}
 * on a stage the tap completes when the next frame arrives: virtual time jumps from deadline to
 * deadline (a retransmission 1 s later is seen at once) until a frame comes or the maximum of
 * virtual time has passed, and a wait that sees nothing leaves the clock exactly at its end. So
 * {@code expectNoFrame(Duration.ofSeconds(30))} lets 30 s of virtual time pass.
 *
 * <p>The views made by {@link #within} and {@link #ignoring} share this probe's frames. {@link
 * #probe()} gives the TestProbe itself; frames taken from it directly are not seen here.
 */
public final class SwitchProbe implements AutoCloseable {
  private static final int HISTORY = 20;
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  private final Shared shared;
  private final Duration max;
  private final FrameMatcher ignored;

  private SwitchProbe(Shared shared, Duration max, FrameMatcher ignored) {
    this.shared = shared;
    this.max = max;
    this.ignored = ignored;
  }

  /** What every view of one probe shares: the tap, the TestProbe, and what was taken so far. */
  private static final class Shared implements Waiting.Source<Frame> {
    final VirtualNetwork net;
    final TestProbe<Frame> probe;
    final Waiting waiting;
    final Waiting.Arrivals arrivals = new Waiting.Arrivals();
    final double timeFactor;
    final Deque<String> history = new ArrayDeque<>();
    final AtomicBoolean closed = new AtomicBoolean();
    TapId tap;
    int taken;
    long firstNanos;
    Frame last;

    Shared(VirtualNetwork net, TestProbe<Frame> probe, ActorSystem<?> system) {
      this.net = net;
      this.probe = probe;
      this.waiting = Waiting.of(system);
      this.timeFactor = TestKitSettings.create(system).TestTimeFactor();
    }

    // A TestProbe says "nothing came" only by throwing: that is the empty result here.
    @Override
    public Frame poll() {
      try {
        return probe.receiveMessage(Duration.ZERO);
      } catch (AssertionError nothing) {
        return null;
      }
    }

    @Override
    public Frame poll(Duration timeout) {
      // receiveMessage dilates by the time factor, and the deadline already is dilated.
      long nanos = (long) (timeout.toNanos() / timeFactor);
      if (nanos <= 0) {
        return poll();
      }
      try {
        return probe.receiveMessage(Duration.ofNanos(nanos));
      } catch (AssertionError nothing) {
        return null;
      }
    }

    /** Numbers the frame, keeps its line for later failures, and returns the line. */
    String take(Frame frame) {
      if (taken == 0) {
        firstNanos = frame.epochNanos();
      }
      taken++;
      String line =
          FrameSummary.line(
              taken, frame.epochNanos(), firstNanos, frame.ingressHost(), FrameSummary.of(frame));
      history.addLast(line);
      if (history.size() > HISTORY) {
        history.removeFirst();
      }
      return line;
    }
  }

  /** A probe on {@code net}, its TestProbe made by {@code testKit}. */
  public static SwitchProbe create(VirtualNetwork net, ActorTestKit testKit) {
    return start(net, testKit.createTestProbe("switch-probe", Frame.class), testKit.system());
  }

  /** A probe on {@code net} of the actor system the network runs on. */
  public static SwitchProbe create(VirtualNetwork net, ActorSystem<?> system) {
    return start(net, TestProbe.create("switch-probe", Frame.class, system), system);
  }

  private static SwitchProbe start(VirtualNetwork net, TestProbe<Frame> probe, ActorSystem<?> sys) {
    Shared shared = new Shared(Objects.requireNonNull(net, "net"), probe, sys);
    shared.tap =
        net.addListener(
            frame -> {
              probe.ref().tell(frame);
              shared.arrivals.signal();
            });
    Duration max =
        Duration.ofNanos(TestKitSettings.create(sys).SingleExpectDefaultTimeout().toNanos());
    return new SwitchProbe(shared, max, null);
  }

  /** The TestProbe the tap feeds. */
  public TestProbe<Frame> probe() {
    return shared.probe;
  }

  /** How long this view's expectations wait. */
  public Duration max() {
    return max;
  }

  /**
   * A view of this probe whose expectations wait up to {@code max} (virtual time in a simulation).
   */
  public SwitchProbe within(Duration max) {
    if (max == null || max.isNegative()) {
      throw new IllegalArgumentException("max must be zero or positive, got " + max);
    }
    return new SwitchProbe(shared, max, ignored);
  }

  /**
   * A view of this probe whose expectations skip the frames {@code unrelated} matches (they still
   * appear, marked, in failure messages). Adds to what this view ignores already.
   */
  public SwitchProbe ignoring(FrameMatcher unrelated) {
    Objects.requireNonNull(unrelated, "unrelated");
    return new SwitchProbe(shared, max, ignored == null ? unrelated : ignored.or(unrelated));
  }

  /** A view that skips ARP: expectations on IP traffic that do not care whether ARP ran first. */
  public SwitchProbe ignoringArp() {
    return ignoring(FrameMatcher.ARP);
  }

  /** The next frame must match {@code matcher}; returns it. */
  public Frame expectFrame(FrameMatcher matcher) {
    return take(matcher, false);
  }

  /** The next frame must pass {@code predicate}, which {@code description} names; returns it. */
  public Frame expectFrame(java.util.function.Predicate<Frame> predicate, String description) {
    return expectFrame(FrameMatcher.of(description, predicate));
  }

  /** Skips frames until one matches {@code matcher}; returns it. */
  public Frame fishForFrame(FrameMatcher matcher) {
    return take(matcher, true);
  }

  /** Skips frames until one passes {@code predicate}, which {@code description} names. */
  public Frame fishForFrame(java.util.function.Predicate<Frame> predicate, String description) {
    return fishForFrame(FrameMatcher.of(description, predicate));
  }

  /** The next frame, whatever it is. */
  public Frame receiveFrame() {
    return take(FrameMatcher.ANY, false);
  }

  /** The frame the last successful expectation of any view of this probe returned, or null. */
  public Frame lastFrame() {
    return shared.last;
  }

  /** The next frame must be a TCP segment from {@code from} to {@code to} with {@code flags}. */
  public TcpSegment expectTcp(Stack from, Stack to, String flags) {
    return expectTcp(FrameMatcher.anyPort(from), FrameMatcher.anyPort(to), flags);
  }

  /** Likewise, to one port of a host (or a scripted peer's socket). */
  public TcpSegment expectTcp(Stack from, InetSocketAddress to, String flags) {
    return expectTcp(FrameMatcher.anyPort(from), to, flags);
  }

  /** Likewise, from one port of a host. */
  public TcpSegment expectTcp(InetSocketAddress from, Stack to, String flags) {
    return expectTcp(from, FrameMatcher.anyPort(to), flags);
  }

  /** Likewise, between two sockets (port 0: any port). */
  public TcpSegment expectTcp(InetSocketAddress from, InetSocketAddress to, String flags) {
    return expectFrame(FrameMatcher.tcp(from, to, flags)).tcp().orElseThrow();
  }

  /** The next frame must be {@code from}'s ARP request for {@code target}'s address. */
  public ArpPacket expectArpRequest(Stack from, Stack target) {
    return expectArpRequest(from.address(), target.address());
  }

  /** The next frame must be "who-has {@code target} tell {@code sender}". */
  public ArpPacket expectArpRequest(Inet4Address sender, Inet4Address target) {
    return expectFrame(FrameMatcher.arpRequest(sender, target)).arp().orElseThrow();
  }

  /** The next frame must be {@code from}'s ARP reply to {@code to}. */
  public ArpPacket expectArpReply(Stack from, Stack to) {
    return expectArpReply(from.address(), to.address());
  }

  /** The next frame must be "{@code sender} is-at ..." for {@code target}. */
  public ArpPacket expectArpReply(Inet4Address sender, Inet4Address target) {
    return expectFrame(FrameMatcher.arpReply(sender, target)).arp().orElseThrow();
  }

  /** The next frame must be an ICMP echo request from {@code from} to {@code to}. */
  public IcmpPacket expectIcmpEchoRequest(Stack from, Stack to) {
    return expectIcmpEcho(from.address(), to.address(), true);
  }

  /** The next frame must be an ICMP echo reply from {@code from} to {@code to}. */
  public IcmpPacket expectIcmpEchoReply(Stack from, Stack to) {
    return expectIcmpEcho(from.address(), to.address(), false);
  }

  /** The next frame must be an ICMP echo request ({@code request}) or reply. */
  public IcmpPacket expectIcmpEcho(Inet4Address from, Inet4Address to, boolean request) {
    return expectFrame(FrameMatcher.icmpEcho(from, to, request)).icmp().orElseThrow();
  }

  /** The next frame must be a UDP datagram from {@code from} to {@code to}. */
  public UdpPacket expectUdp(Stack from, Stack to) {
    return expectUdp(FrameMatcher.anyPort(from), FrameMatcher.anyPort(to));
  }

  /** Likewise, between two sockets (port 0: any port). */
  public UdpPacket expectUdp(InetSocketAddress from, InetSocketAddress to) {
    return expectFrame(FrameMatcher.udp(from, to)).udp().orElseThrow();
  }

  /**
   * No frame (other than those this view ignores) for {@code duration}; in virtual time, that much
   * virtual time passes.
   */
  public void expectNoFrame(Duration duration) {
    long deadline = shared.waiting.deadline(duration);
    List<String> seen = new ArrayList<>();
    Frame frame;
    while ((frame = shared.waiting.next(shared, shared.arrivals, deadline)) != null) {
      String line = shared.take(frame);
      if (ignored == null || !ignored.test(frame)) {
        seen.add(line);
        throw new AssertionError(
            "expected no frame for "
                + shared.waiting.describe(duration)
                + ", but saw:\n"
                + FrameSummary.block(seen));
      }
      seen.add(line + "   (ignored)");
    }
  }

  private Frame take(FrameMatcher wanted, boolean fishing) {
    if (shared.closed.get()) {
      throw new IllegalStateException("the switch probe is closed");
    }
    long deadline = shared.waiting.deadline(max);
    List<String> seen = new ArrayList<>();
    List<String> before = List.copyOf(shared.history);
    while (true) {
      Frame frame = shared.waiting.next(shared, shared.arrivals, deadline);
      if (frame == null) {
        throw new AssertionError(timedOut(wanted, seen, before));
      }
      String line = shared.take(frame);
      if (wanted.test(frame)) {
        shared.last = frame;
        return frame;
      }
      boolean skip = ignored != null && ignored.test(frame);
      seen.add(line + (skip ? "   (ignored)" : fishing ? "   (skipped)" : ""));
      if (!skip && !fishing) {
        throw new AssertionError(
            "expected "
                + wanted.description()
                + " within "
                + shared.waiting.describe(max)
                + ", but the next frame was not it:\n"
                + FrameSummary.block(seen));
      }
    }
  }

  private String timedOut(FrameMatcher wanted, List<String> seen, List<String> before) {
    String expected =
        "expected " + wanted.description() + " within " + shared.waiting.describe(max);
    if (!seen.isEmpty()) {
      return expected + ", but none came; saw:\n" + FrameSummary.block(seen);
    }
    return expected
        + ", but no frame came; the last frames before were:\n"
        + FrameSummary.block(before);
  }

  /**
   * Removes the tap (waiting until it has been handed every frame forwarded before) and stops the
   * TestProbe. Calling it again does nothing.
   */
  @Override
  public void close() {
    if (!shared.closed.compareAndSet(false, true)) {
      return;
    }
    try {
      shared.waiting.await(
          shared.net.removeListener(shared.tap), CLOSE_WAIT, "removing the switch probe's tap");
    } finally {
      shared.probe.stop();
    }
  }
}
