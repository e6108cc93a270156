package dev.vnetif.bench;

import dev.vnetif.ReadResult;
import dev.vnetif.Stack;
import dev.vnetif.TcpFlow;
import dev.vnetif.VirtualNetwork;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.util.ByteString;

/**
 * A quick single-flow bulk transfer over the virtual network, repeated, printing MB/s — for
 * profiling the data path (run it under JFR). Not a test.
 */
public final class BulkProbe {
  public static void main(String[] args) throws Exception {
    int megabytes = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int writeSize = 64 * 1024;
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "probe");
    VirtualNetwork net = VirtualNetwork.create(system);
    Stack server = net.createStack("10.0.0.3/24").toCompletableFuture().get();
    Stack client = net.createStack("10.0.0.2/24").toCompletableFuture().get();
    CompletableFuture<Long>[] received = new CompletableFuture[1];
    server
        .tcp()
        .listen(
            5001,
            flow -> {
              CompletableFuture<Long> done = received[0];
              return drain(flow, 0).thenApply(n -> done.complete(n)).thenCompose(x -> flow.close());
            });
    ByteString chunk = ByteString.fromArray(new byte[writeSize]);
    for (int r = 0; r < rounds; r++) {
      received[0] = new CompletableFuture<>();
      long total = (long) megabytes * 1_000_000L;
      long start = System.nanoTime();
      TcpFlow flow =
          client
              .tcp()
              .createConnection(new InetSocketAddress(server.address(), 5001))
              .toCompletableFuture()
              .get();
      write(flow, chunk, total).toCompletableFuture().get(120, TimeUnit.SECONDS);
      flow.close();
      long got = received[0].get(120, TimeUnit.SECONDS);
      double secs = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "round %d: %d bytes in %.2f s = %.1f MB/s  %s%n",
          r, got, secs, got / secs / 1e6, flow.stats());
    }
    net.shutdown().toCompletableFuture().get();
    system.terminate();
  }

  static CompletionStage<Long> drain(TcpFlow flow, long sofar) {
    return flow.read()
        .thenCompose(
            r ->
                r instanceof ReadResult.Data d
                    ? drain(flow, sofar + d.data().length())
                    : CompletableFuture.completedFuture(sofar));
  }

  static CompletionStage<Void> write(TcpFlow flow, ByteString chunk, long remaining) {
    if (remaining <= 0) {
      return CompletableFuture.completedFuture(null);
    }
    ByteString piece = remaining >= chunk.length() ? chunk : chunk.take((int) remaining);
    return flow.write(piece).thenCompose(d -> write(flow, chunk, remaining - piece.length()));
  }
}
