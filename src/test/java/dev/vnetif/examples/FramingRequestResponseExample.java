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
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.FramingTruncation;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Request/response over TCP with Pekko Streams {@link Framing}: TCP carries bytes, not messages,
 * and may cut and merge what was written anywhere; framing restores the messages on each side. Both
 * tests pipeline every request on one connection and check that the replies come back complete and
 * in order.
 *
 * <ul>
 *   <li>newline-delimited text ({@link Framing#delimiter}): a small calculator;
 *   <li>length-prefixed binary ({@link Framing#simpleFramingProtocol}): messages from 1 byte to 100
 *       KB, the larger spread over many TCP segments, each answered with its SHA-256.
 * </ul>
 *
 * <p>In virtual time: every wait is {@code time.await} with a limit of virtual time.
 */
@VnetifTest(virtualTime = true, seed = 7)
@Timeout(60)
class FramingRequestResponseExample {
  static final int PORT = 4000;
  static final Duration LIMIT = Duration.ofMinutes(1);

  static final ByteString NEWLINE = ByteString.fromString("\n");
  static final int MAX_LINE = 256;

  /** The largest length-prefixed message either side accepts (a longer one fails the stream). */
  static final int MAX_MESSAGE = 128 * 1024;

  /** Where the binary messages come from; printed in every failure so a run can be replayed. */
  static final long PAYLOAD_SEED = 4242L;

  // ------------------------------------------------------------ newline-delimited text

  /** The server's handling of one connection: one reply line per request line. */
  static Flow<ByteString, ByteString, NotUsed> calculator() {
    return Framing.delimiter(NEWLINE, MAX_LINE, FramingTruncation.DISALLOW)
        .map(ByteString::utf8String)
        .map(FramingRequestResponseExample::evaluate)
        .map(reply -> ByteString.fromString(reply + "\n"));
  }

  /** "ADD 2 3" gives "5", "MUL 4 5" gives "20"; anything else an error line, not a failure. */
  static String evaluate(String request) {
    String[] words = request.trim().split(" +");
    if (words.length == 3 && (words[0].equals("ADD") || words[0].equals("MUL"))) {
      long a = Long.parseLong(words[1]);
      long b = Long.parseLong(words[2]);
      return Long.toString(words[0].equals("ADD") ? a + b : a * b);
    }
    return "ERR cannot evaluate: " + request;
  }

  @Test
  void newlineDelimitedRequestsAreAnsweredInOrder(
      VirtualNetwork net, VirtualTime time, ActorSystem<?> system) {
    Stack server = time.await(net.createStack("10.0.0.3/24"), LIMIT);
    Stack client = time.await(net.createStack("10.0.0.2/24"), LIMIT);
    Tcp.ServerBinding binding =
        time.await(
            VirtualTcp.get(server)
                .bind("10.0.0.3", PORT)
                .to(Sink.foreach(connection -> connection.handleWith(calculator(), system)))
                .run(system),
            LIMIT);

    List<String> requests = List.of("ADD 2 3", "MUL 4 5", "ADD 40 2", "SUB 1 1", "MUL 1000 1000");
    // All requests as one text, then cut into pieces of 3 bytes that ignore the line ends, as TCP
    // is free to deliver them: the framing, not the writes, decides where a request ends.
    ByteString text = ByteString.fromString(String.join("\n", requests) + "\n");
    List<ByteString> pieces = new ArrayList<>();
    for (int at = 0; at < text.length(); at += 3) {
      pieces.add(text.slice(at, Math.min(at + 3, text.length())));
    }

    CompletionStage<List<String>> replies =
        Source.from(pieces)
            .via(VirtualTcp.get(client).outgoingConnection("10.0.0.3", PORT))
            .via(Framing.delimiter(NEWLINE, MAX_LINE, FramingTruncation.DISALLOW))
            .map(ByteString::utf8String)
            .runWith(Sink.seq(), system);

    // One reply per request, in the order sent. The list completes because the client's FIN
    // (its requests are all sent) ends the server's input, and the server then closes.
    assertEquals(
        List.of("5", "20", "42", "ERR cannot evaluate: SUB 1 1", "1000000"),
        time.await(replies, LIMIT));
    time.await(binding.unbind(), LIMIT);
  }

  // ------------------------------------------------------------ length-prefixed binary

  /**
   * Pekko's length-prefixed codec: on top, messages; below, bytes, each message preceded by its
   * length in 4 bytes. The client's connection flow is {@code codec.join(tcp)}; the server turns it
   * around ({@code codec.reversed().join(handler)}) to read messages and write replies.
   */
  static BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> codec() {
    return Framing.simpleFramingProtocol(MAX_MESSAGE);
  }

  @Test
  void lengthPrefixedMessagesAreAnsweredInOrder(
      VirtualNetwork net, VirtualTime time, ActorSystem<?> system) {
    Stack server = time.await(net.createStack("10.0.0.3/24"), LIMIT);
    Stack client = time.await(net.createStack("10.0.0.2/24"), LIMIT);

    // The server answers every message with its SHA-256 (32 bytes), framed the same way.
    Flow<ByteString, ByteString, NotUsed> digestServer =
        codec().reversed().join(Flow.of(ByteString.class).map(m -> sha256(m)));
    Tcp.ServerBinding binding =
        time.await(
            VirtualTcp.get(server)
                .bind("10.0.0.3", PORT)
                .to(Sink.foreach(connection -> connection.handleWith(digestServer, system)))
                .run(system),
            LIMIT);

    // Sizes around the segment size (an MSS of 1460 at an MTU of 1500) and far beyond it.
    Random random = new Random(PAYLOAD_SEED);
    List<ByteString> requests = new ArrayList<>();
    for (int size : new int[] {1, 1459, 1460, 1461, 20_000, 100_000, 7}) {
      byte[] message = new byte[size];
      random.nextBytes(message);
      requests.add(ByteString.fromArray(message));
    }

    CompletionStage<List<ByteString>> replies =
        Source.from(requests)
            .via(codec().join(VirtualTcp.get(client).outgoingConnection("10.0.0.3", PORT)))
            .runWith(Sink.seq(), system);

    List<ByteString> answered = time.await(replies, LIMIT);
    assertEquals(requests.size(), answered.size(), "one reply per request");
    for (int i = 0; i < requests.size(); i++) {
      assertEquals(
          sha256(requests.get(i)),
          answered.get(i),
          "reply " + i + " (" + requests.get(i).length() + " bytes, seed " + PAYLOAD_SEED + ")");
    }
    time.await(binding.unbind(), LIMIT);
  }

  static ByteString sha256(ByteString bytes) {
    try {
      return ByteString.fromArray(
          MessageDigest.getInstance("SHA-256").digest(bytes.toArrayUnsafe()));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JVM has SHA-256", e);
    }
  }
}
