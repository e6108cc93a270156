package dev.vnetif.tcp;

import dev.vnetif.wire.TcpSegment;
import java.util.ArrayDeque;
import org.apache.pekko.util.ByteString;

/**
 * Measures what an idle established connection's {@link Tcb} keeps on the heap: {@code n} pairs are
 * connected back to back, exchange one byte each way, have every ACK delivered and every byte
 * consumed, and are then held while the heap is measured (used heap after full GCs, before and
 * after, divided by the number of blocks). The configuration and the two outputs are shared, so the
 * figure is the blocks' own. Run with:
 *
 * <pre>
 * mvn -B -q test-compile -Dspotless.check.skip
 * java -Xmx1g -cp target/test-classes:target/classes:$(cat target/cp.txt) dev.vnetif.tcp.TcbFootprint 10000
 * </pre>
 *
 * ({@code mvn -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt} writes cp.txt.)
 */
final class TcbFootprint {
  private static final long MS = 1_000_000L;

  /** Queues what one side sends; the driver hands it to the other side. */
  private static final class Queue implements TcbOutput {
    final ArrayDeque<TcpSegment> segments = new ArrayDeque<>();

    @Override
    public void segment(TcpSegment segment) {
      segments.addLast(segment);
    }

    @Override
    public void event(TcbEvent event) {}
  }

  private TcbFootprint() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    TcpConfig config = TcpConfig.defaults();
    Queue toServer = new Queue();
    Queue toClient = new Queue();
    Tcb[] held = new Tcb[2 * n];
    // Warm up the classes and the one-off objects (enum tables, ByteString.empty, ...).
    connectPair(config, toServer, toClient, 0, new Tcb[2], 0);
    long before = usedAfterGc();
    for (int i = 0; i < n; i++) {
      connectPair(config, toServer, toClient, i, held, 2 * i);
    }
    long after = usedAfterGc();
    for (Tcb tcb : held) {
      if (tcb.state() != TcpState.ESTABLISHED || tcb.nextDeadline() != TcbTimers.OFF) {
        throw new IllegalStateException("not an idle established block: " + tcb.stats());
      }
    }
    System.out.printf(
        "%d idle established Tcbs (one byte each way): %.1f bytes each%n",
        2 * n, (after - before) / (2.0 * n));
  }

  private static void connectPair(
      TcpConfig config, Queue toServer, Queue toClient, int i, Tcb[] held, int at) {
    long now = 1_000_000_000L;
    int clientPort = 1024 + (i % 60_000);
    Tcb client = Tcb.connect(config, clientPort, 80, 1000 + i, toServer, now);
    Tcb server = Tcb.accept(config, toServer.segments.removeFirst(), 5000 + i, toClient, now);
    exchange(client, server, toServer, toClient, now);
    client.send(ByteString.fromString("a"), false, now);
    exchange(client, server, toServer, toClient, now);
    server.consumed(1, now);
    server.send(ByteString.fromString("b"), false, now);
    exchange(client, server, toServer, toClient, now);
    client.consumed(1, now);
    now += 500 * MS; // past every delayed ACK
    client.timerFired(now);
    server.timerFired(now);
    exchange(client, server, toServer, toClient, now);
    held[at] = client;
    held[at + 1] = server;
  }

  private static void exchange(Tcb client, Tcb server, Queue toServer, Queue toClient, long now) {
    while (!toServer.segments.isEmpty() || !toClient.segments.isEmpty()) {
      while (!toServer.segments.isEmpty()) {
        server.segmentArrived(toServer.segments.removeFirst(), now);
      }
      while (!toClient.segments.isEmpty()) {
        client.segmentArrived(toClient.segments.removeFirst(), now);
      }
    }
  }

  private static long usedAfterGc() {
    Runtime runtime = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
    }
    return used;
  }
}
