package dev.vnetif.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vnetif.Stack;
import dev.vnetif.VirtualNetwork;
import dev.vnetif.stream.VirtualTcp;
import dev.vnetif.testkit.VnetifTest;
import dev.vnetif.time.VirtualTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Pekko Streams echo server and client on a virtual network. The stream code is what you would
 * write against Pekko's own {@code Tcp.get(system)}: {@code VirtualTcp.get(host)} stands in its
 * place and returns the same {@code Source} of {@code IncomingConnection}s and the same connection
 * {@code Flow}.
 *
 * <p>{@code @VnetifTest(virtualTime = true)} gives each test a fresh {@link VirtualNetwork} whose
 * clock only moves while the test waits in {@link VirtualTime#await(CompletionStage, Duration)}: no
 * sleeps, and each wait is bounded in virtual time (the class's {@code @Timeout} bounds the wall
 * clock). Only wait on Pekko's materialized stages through {@code time.await}: a {@code thenApply}
 * on them would run outside the simulation.
 */
@VnetifTest(virtualTime = true, seed = 7)
@Timeout(60)
class StreamsEchoExample {
  static final int ECHO_PORT = 7;

  /** Where the random payloads come from; printed in every failure so a run can be replayed. */
  static final long PAYLOAD_SEED = 20260101L;

  /** The most virtual time one wait may take; a transfer here takes well under a second. */
  static final Duration LIMIT = Duration.ofMinutes(1);

  /**
   * The echo server: every accepted connection is handled by {@code Flow.create()}, the identity
   * flow, so what comes in goes back out. With Pekko's defaults a server closes fully: once the
   * client's FIN ends the flow's input, the echo completes and the server closes the connection.
   */
  static Tcp.ServerBinding startEchoServer(Stack server, ActorSystem<?> system, VirtualTime time) {
    return time.await(
        VirtualTcp.get(server)
            .bind(server.address().getHostAddress(), ECHO_PORT)
            .to(Sink.foreach(connection -> connection.handleWith(Flow.create(), system)))
            .run(system),
        LIMIT);
  }

  @Test
  void echoesEveryByteOfManyChunksInOrder(
      VirtualNetwork net, VirtualTime time, ActorSystem<?> system) {
    Stack server = time.await(net.createStack("10.0.0.3/24"), LIMIT);
    Stack client = time.await(net.createStack("10.0.0.2/24"), LIMIT);
    Tcp.ServerBinding binding = startEchoServer(server, system, time);

    // 200 chunks of 1..4096 random bytes (about 400 KiB): many TCP segments, which the echo
    // must hand back complete and in order, however TCP cut and merged them on the way.
    List<ByteString> chunks = randomChunks(new Random(PAYLOAD_SEED), 200, 4096);

    // The client: send the chunks, collect every byte that comes back. A client half-closes by
    // default, so when the chunks are all sent it sends FIN and keeps reading until the server
    // closes; that completes the fold.
    CompletionStage<ByteString> echoed =
        Source.from(chunks)
            .via(VirtualTcp.get(client).outgoingConnection("10.0.0.3", ECHO_PORT))
            .runFold(ByteString.emptyByteString(), ByteString::concat, system);

    ByteString sent = concat(chunks);
    ByteString received = time.await(echoed, LIMIT);
    assertEquals(sent.length(), received.length(), "bytes echoed (seed " + PAYLOAD_SEED + ")");
    assertEquals(sha256(sent), sha256(received), "content echoed (seed " + PAYLOAD_SEED + ")");

    time.await(binding.unbind(), LIMIT);
  }

  @Test
  void servesSeveralClientsAtOnceWithoutMixingTheirBytes(
      VirtualNetwork net, VirtualTime time, ActorSystem<?> system) {
    Stack server = time.await(net.createStack("10.0.0.3/24"), LIMIT);
    Stack client = time.await(net.createStack("10.0.0.2/24"), LIMIT);
    Tcp.ServerBinding binding = startEchoServer(server, system, time);

    // Eight connections from one host, all running at the same time: each must get back exactly
    // its own text, not a byte of another's.
    List<String> messages = new ArrayList<>();
    List<CompletionStage<ByteString>> replies = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String message = ("client " + i + " says hello; ").repeat(50 + i);
      messages.add(message);
      replies.add(
          Source.single(ByteString.fromString(message))
              .via(VirtualTcp.get(client).outgoingConnection("10.0.0.3", ECHO_PORT))
              .runFold(ByteString.emptyByteString(), ByteString::concat, system));
    }
    for (int i = 0; i < messages.size(); i++) {
      assertEquals(messages.get(i), time.await(replies.get(i), LIMIT).utf8String(), "client " + i);
    }

    time.await(binding.unbind(), LIMIT);
  }

  static List<ByteString> randomChunks(Random random, int count, int maxSize) {
    List<ByteString> chunks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] chunk = new byte[1 + random.nextInt(maxSize)];
      random.nextBytes(chunk);
      chunks.add(ByteString.fromArray(chunk));
    }
    return chunks;
  }

  static ByteString concat(List<ByteString> chunks) {
    return chunks.stream().reduce(ByteString.emptyByteString(), ByteString::concat);
  }

  /** A content hash: a failure shows two short strings instead of two 400 KiB payloads. */
  static String sha256(ByteString bytes) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toArrayUnsafe()));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JVM has SHA-256", e);
    }
  }
}
