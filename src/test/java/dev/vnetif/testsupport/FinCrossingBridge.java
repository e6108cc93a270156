package dev.vnetif.testsupport;

import dev.vnetif.RawPort;
import dev.vnetif.wire.EthernetFrame;
import dev.vnetif.wire.Ipv4Address;
import dev.vnetif.wire.Ipv4Packet;
import dev.vnetif.wire.MalformedPacketException;
import dev.vnetif.wire.TcpSegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * A cable between two virtual networks — a raw port on each, every frame copied across — that makes
 * TCP FINs cross by construction: the first FIN from one side is held at the bridge, with
 * everything that side sends after it, until the other side has sent its own FIN. So neither end
 * can see the other's FIN before sending its own, and each FIN's ACK field leaves the other's FIN
 * unacknowledged: a simultaneous close (RFC 9293 §3.6, case 2), whatever the timing of the two
 * close calls. Meant for one connection.
 *
 * <p>Two threads copy the frames, each waiting on its port with a short bounded poll; {@link
 * #close()} stops them and reports any error they met.
 */
public final class FinCrossingBridge implements AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(20);
  private static final Duration STOP_WAIT = Duration.ofSeconds(5);

  /** A FIN as it reached the bridge: who sent it, and the segment. */
  public record Fin(Ipv4Address source, TcpSegment segment) {
    /** The sequence number the FIN occupies (after any data in the same segment). */
    public int finSeq() {
      return segment.seq() + segment.payload().length();
    }
  }

  private final RawPort[] ports;
  private final Object lock = new Object();
  // All guarded by lock; index 0 is what comes in on the first port, 1 on the second.
  private final Fin[] firstFin = new Fin[2];
  private final List<Fin> arrivals = new ArrayList<>(2);
  private final List<List<ByteString>> held = List.of(new ArrayList<>(), new ArrayList<>());
  private final boolean[] holding = new boolean[2];
  private final Thread[] pumps = new Thread[2];
  private volatile boolean running = true;
  private volatile Throwable failure;

  private FinCrossingBridge(RawPort first, RawPort second) {
    this.ports = new RawPort[] {first, second};
  }

  /** Starts copying between {@code first} and {@code second}, which sit on different networks. */
  public static FinCrossingBridge start(RawPort first, RawPort second) {
    FinCrossingBridge bridge = new FinCrossingBridge(first, second);
    for (int side = 0; side < 2; side++) {
      int from = side;
      Thread pump = new Thread(() -> bridge.pump(from), "fin-crossing-bridge-" + side);
      pump.setDaemon(true);
      bridge.pumps[side] = pump;
      pump.start();
    }
    return bridge;
  }

  /** The first FIN from each side, in the order they reached the bridge (0, 1 or 2 of them). */
  public List<Fin> firstFins() {
    synchronized (lock) {
      return List.copyOf(arrivals);
    }
  }

  private void pump(int from) {
    try {
      while (running) {
        ByteString frame = ports[from].poll(POLL);
        if (frame != null) {
          forward(from, frame);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      failure = e;
    }
  }

  private void forward(int from, ByteString frame) {
    int other = 1 - from;
    synchronized (lock) {
      if (holding[from]) {
        held.get(from).add(frame);
        return;
      }
      Fin fin = firstFinIn(frame, from);
      if (fin != null) {
        firstFin[from] = fin;
        arrivals.add(fin);
        if (firstFin[other] == null) {
          holding[from] = true; // until the other side's FIN comes
          held.get(from).add(frame);
          return;
        }
        ports[other].send(frame);
        // The other side's FIN and what followed it may go now.
        holding[other] = false;
        if (!held.get(other).isEmpty()) {
          ports[from].send(List.copyOf(held.get(other)));
          held.get(other).clear();
        }
        return;
      }
      ports[other].send(frame);
    }
  }

  /** The FIN in {@code frame} if it is the first one from {@code from}, else null. */
  private Fin firstFinIn(ByteString frame, int from) {
    if (firstFin[from] != null) {
      return null;
    }
    try {
      EthernetFrame ethernet = EthernetFrame.parse(frame);
      if (ethernet.etherType() != EthernetFrame.ETHERTYPE_IPV4) {
        return null;
      }
      Ipv4Packet ip = Ipv4Packet.parse(ethernet.payload(), false);
      if (ip.protocol() != Ipv4Packet.PROTO_TCP || ip.isFragment()) {
        return null;
      }
      TcpSegment segment = TcpSegment.parse(ip.payload(), ip.source(), ip.destination(), false);
      return segment.isFin() ? new Fin(ip.source(), segment) : null;
    } catch (MalformedPacketException e) {
      return null; // not ours to judge: copied across as it is
    }
  }

  /** Stops copying; fails if a copying thread failed or would not stop. */
  @Override
  public void close() throws InterruptedException {
    running = false;
    for (Thread pump : pumps) {
      pump.join(STOP_WAIT.toMillis());
      if (pump.isAlive()) {
        throw new AssertionError(pump.getName() + " did not stop within " + STOP_WAIT);
      }
    }
    if (failure != null) {
      throw new AssertionError("the bridge failed: " + failure, failure);
    }
  }
}
