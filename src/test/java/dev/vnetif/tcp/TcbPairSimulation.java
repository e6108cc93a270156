package dev.vnetif.tcp;

import dev.vnetif.wire.TcpSegment;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.apache.pekko.util.ByteString;

/**
 * Two {@link Tcb}s wired back to back through a seeded in-memory link, driven by a virtual clock:
 * each side writes its data as send space allows, reads (consumes) what arrives, and closes its
 * writing side when done. The link loses, duplicates and delays (and so reorders) segments at
 * random, all from one seed.
 */
final class TcbPairSimulation {
  /** Link behaviour: probabilities per segment, and delay bounds in nanoseconds. */
  record Link(double loss, double duplicate, long minDelay, long maxDelay) {}

  /**
   * What the link did to the segments put on it, both directions together: so a test can tell a
   * lossy run from one where the faults never fired.
   *
   * @param sent segments the Tcbs sent
   * @param lost of those, dropped
   * @param duplicated of those, delivered twice
   * @param reordered deliveries that came after a segment sent later in the same direction
   * @param delivered copies handed to a Tcb
   * @param undelivered copies still on the wire when the run ended
   */
  record LinkCounts(
      long sent, long lost, long duplicated, long reordered, long delivered, long undelivered) {}

  /** How a run ended. */
  record Result(
      boolean finished,
      long virtualNanos,
      byte[] receivedByA,
      byte[] receivedByB,
      TcbStats statsA,
      TcbStats statsB,
      LinkCounts link,
      String why) {}

  /** {@code sendIndex} numbers the segments as sent; copies of a duplicate share it. */
  private record InFlight(long at, long order, long sendIndex, Side to, TcpSegment segment) {}

  /** One end: its block, what it still has to write, what it read. */
  final class Side implements TcbOutput {
    final String name;
    Tcb tcb;
    final byte[] toWrite;
    int written;
    boolean shutdown;
    final ByteArrayOutputStream read = new ByteArrayOutputStream();
    boolean peerFinished;
    CloseReason closed;
    Side peer;
    int consumeLag;

    /** The highest send index delivered to this side so far, for counting reorderings. */
    long latestDelivered = -1;

    Side(String name, byte[] toWrite) {
      this.name = name;
      this.toWrite = toWrite;
    }

    @Override
    public void segment(TcpSegment segment) {
      sendOverLink(peer, segment);
    }

    @Override
    public void event(TcbEvent event) {
      if (event instanceof TcbEvent.DataReceived d) {
        byte[] bytes = d.data().toArray();
        read.write(bytes, 0, bytes.length);
        pendingConsume.add(new Object[] {this, bytes.length});
      } else if (event instanceof TcbEvent.PeerFinished) {
        peerFinished = true;
      } else if (event instanceof TcbEvent.Closed c) {
        closed = c.reason();
      }
    }

    void pump(long now) {
      while (tcb.canSend() && written < toWrite.length && tcb.sendBufferFree() > 0) {
        int chunk = Math.min(toWrite.length - written, 1 + random.nextInt(writeSize));
        int taken = tcb.send(ByteString.fromArray(toWrite, written, chunk), false, now);
        written += taken;
        if (taken == 0) {
          break;
        }
      }
      if (written == toWrite.length && !shutdown && tcb.state().isSynchronized()) {
        shutdown = true;
        tcb.shutdownWrite(now);
      }
    }
  }

  private final SplittableRandom random;
  private final Link link;
  private final int writeSize;
  private final PriorityQueue<InFlight> wire =
      new PriorityQueue<>(
          (x, y) -> x.at != y.at ? Long.compare(x.at, y.at) : Long.compare(x.order, y.order));
  private final List<Object[]> pendingConsume = new ArrayList<>();
  private long order;
  private long sent;
  private long lost;
  private long duplicated;
  private long reordered;
  private long delivered;
  long now = 1_000_000_000L;
  final Side a;
  final Side b;

  TcbPairSimulation(long seed, Link link, int bytesEachWay, int writeSize) {
    this.random = new SplittableRandom(seed);
    this.link = link;
    this.writeSize = writeSize;
    byte[] dataA = new byte[bytesEachWay];
    byte[] dataB = new byte[bytesEachWay];
    random.nextBytes(dataA);
    random.nextBytes(dataB);
    a = new Side("A", dataA);
    b = new Side("B", dataB);
    a.peer = b;
    b.peer = a;
  }

  /** The last segments put on the link, for failure messages (-Dvnetif.tcb.trace=N). */
  private final java.util.ArrayDeque<String> trace = new java.util.ArrayDeque<>();

  private final int traceLength = Integer.getInteger("vnetif.tcb.trace", 0);

  String trace() {
    return String.join("\n", trace);
  }

  private void sendOverLink(Side to, TcpSegment segment) {
    long sendIndex = sent++;
    boolean lost = random.nextDouble() < link.loss;
    if (traceLength > 0) {
      trace.addLast(
          String.format(
              "%.6f %s->%s %s%s", now / 1e9, to.peer.name, to.name, segment, lost ? " LOST" : ""));
      if (trace.size() > traceLength) {
        trace.removeFirst();
      }
    }
    if (lost) {
      this.lost++;
      return;
    }
    int copies = random.nextDouble() < link.duplicate ? 2 : 1;
    if (copies > 1) {
      duplicated++;
    }
    for (int i = 0; i < copies; i++) {
      long delay =
          link.minDelay
              + (link.maxDelay > link.minDelay
                  ? random.nextLong(link.maxDelay - link.minDelay)
                  : 0);
      wire.add(new InFlight(now + delay, order++, sendIndex, to, segment));
    }
  }

  private void deliver(InFlight f) {
    delivered++;
    if (f.sendIndex < f.to.latestDelivered) {
      reordered++;
    }
    f.to.latestDelivered = Math.max(f.to.latestDelivered, f.sendIndex);
    f.to.tcb.segmentArrived(f.segment, now);
  }

  /** Runs until both sides read everything and closed, or the bounds are hit. */
  Result run(TcpConfig configA, TcpConfig configB, long maxVirtualNanos, int maxSteps) {
    int iss = random.nextInt();
    a.tcb = Tcb.connect(configA, 40000, 80, iss, a, now);
    b.tcb = Tcb.listen(configB, 80, (port, t) -> random.nextInt(), b);
    long end = now + maxVirtualNanos;
    for (int step = 0; step < maxSteps; step++) {
      drainConsumes();
      a.pump(now);
      b.pump(now);
      drainConsumes();
      if (done()) {
        return result(true, "done");
      }
      long next =
          Math.min(
              Math.min(a.tcb.nextDeadline(), b.tcb.nextDeadline()),
              wire.isEmpty() ? Long.MAX_VALUE : wire.peek().at);
      if (next == Long.MAX_VALUE) {
        return result(
            false,
            "stuck: no timer armed and nothing on the wire; A "
                + a.tcb.stats()
                + " B "
                + b.tcb.stats());
      }
      if (next > end) {
        return result(false, "virtual time limit; A " + a.tcb.stats() + " B " + b.tcb.stats());
      }
      now = Math.max(now, next);
      if (!wire.isEmpty() && wire.peek().at <= now) {
        deliver(wire.poll());
      } else {
        if (a.tcb.nextDeadline() <= now) {
          a.tcb.timerFired(now);
        }
        if (b.tcb.nextDeadline() <= now) {
          b.tcb.timerFired(now);
        }
      }
    }
    return result(false, "step limit; A " + a.tcb.stats() + " B " + b.tcb.stats());
  }

  private void drainConsumes() {
    while (!pendingConsume.isEmpty()) {
      List<Object[]> batch = new ArrayList<>(pendingConsume);
      pendingConsume.clear();
      for (Object[] c : batch) {
        Side side = (Side) c[0];
        if (side.tcb.state() != TcpState.CLOSED) {
          side.tcb.consumed((Integer) c[1], now);
        }
      }
    }
  }

  private boolean done() {
    return a.closed != null && b.closed != null;
  }

  private Result result(boolean finished, String why) {
    return new Result(
        finished,
        now,
        a.read.toByteArray(),
        b.read.toByteArray(),
        a.tcb.stats(),
        b.tcb.stats(),
        new LinkCounts(sent, lost, duplicated, reordered, delivered, wire.size()),
        why
            + " A closed="
            + a.closed
            + " B closed="
            + b.closed
            + (traceLength > 0 ? "\n" + trace() : ""));
  }
}
