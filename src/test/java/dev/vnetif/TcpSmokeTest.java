package dev.vnetif;

import static dev.vnetif.HostsIntegrationTest.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TcpSmokeTest {
  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  @Test
  void greetingAndBulk() throws Exception {
    VirtualNetwork net = VirtualNetwork.create(testKit.system());
    Stack server = await(net.createStack("10.0.0.3/24"));
    Stack client = await(net.createStack("10.0.0.2/24"));
    byte[] data = new byte[4 << 20];
    new SplittableRandom(1).nextBytes(data);
    CompletableFuture<byte[]> serverDigest = new CompletableFuture<>();
    server
        .tcp()
        .listen(
            80,
            flow -> {
              flow.write(ByteString.fromString("hello"));
              MessageDigest sha = sha256();
              return readAll(flow, sha)
                  .thenCompose(
                      n -> {
                        serverDigest.complete(sha.digest());
                        return flow.close();
                      });
            });
    TcpFlow flow =
        await(client.tcp().createConnection(new InetSocketAddress(server.address(), 80)));
    ReadResult first = await(flow.read());
    assertEquals("hello", ((ReadResult.Data) first).data().utf8String());
    long start = System.nanoTime();
    for (int off = 0; off < data.length; off += 3780) {
      flow.write(ByteString.fromArray(data, off, Math.min(3780, data.length - off)));
    }
    try {
      flow.close().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(
          "stalled: client "
              + flow.stats()
              + "\nclient host "
              + client.stats()
              + "\nserver host "
              + server.stats());
    }
    byte[] got = serverDigest.get(30, java.util.concurrent.TimeUnit.SECONDS);
    System.out.printf("4 MiB in %.1f ms; %s%n", (System.nanoTime() - start) / 1e6, flow.stats());
    assertArrayEquals(sha256().digest(data), got);
    await(net.shutdown());
  }

  @Test
  void refused() {
    VirtualNetwork net = VirtualNetwork.create(testKit.system());
    Stack server = await(net.createStack("10.0.0.3/24"));
    Stack client = await(net.createStack("10.0.0.2/24"));
    Throwable t =
        HostsIntegrationTest.failureOf(
            client.tcp().createConnection(new InetSocketAddress(server.address(), 81)));
    assertInstanceOf(ConnectionRefusedException.class, t);
    await(net.shutdown());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static CompletionStage<Long> readAll(TcpFlow flow, MessageDigest sha) {
    return flow.read()
        .thenCompose(
            r -> {
              if (r instanceof ReadResult.Data d) {
                for (java.nio.ByteBuffer b : d.data().getByteBuffers()) {
                  sha.update(b);
                }
                return readAll(flow, sha);
              }
              return CompletableFuture.completedFuture(0L);
            });
  }
}
