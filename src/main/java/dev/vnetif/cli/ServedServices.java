package dev.vnetif.cli;

import dev.vnetif.ReadResult;
import dev.vnetif.TcpFlow;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.util.ByteString;

/**
 * The small TCP services {@code vnetif serve} offers to whatever joins through the external port:
 * echo (RFC 862), discard (RFC 863), chargen (RFC 864) and an HTTP/1.0 responder that serves N
 * pseudo-random bytes for {@code GET /N} — reproducible from the seed, so a client can check what
 * it got by hash.
 */
final class ServedServices {
  static final int ECHO = 7;
  static final int DISCARD = 9;
  static final int CHARGEN = 19;
  static final int HTTP = 80;
  private static final int CHUNK = 64 * 1024;
  private static final int MAX_REQUEST = 16 * 1024;

  private ServedServices() {}

  /** RFC 862: everything read is written back, until the peer closes. */
  static CompletionStage<Done> echo(TcpFlow flow) {
    return flow.read()
        .thenCompose(
            r ->
                r instanceof ReadResult.Data d
                    ? flow.write(d.data()).thenCompose(done -> echo(flow))
                    : flow.close());
  }

  /** RFC 863: everything read is thrown away, until the peer closes. */
  static CompletionStage<Done> discard(TcpFlow flow) {
    return flow.read()
        .thenCompose(r -> r instanceof ReadResult.Data ? discard(flow) : flow.close());
  }

  /** RFC 864: lines of 72 rotating printable characters, until the peer closes. */
  static CompletionStage<?> chargen(TcpFlow flow) {
    CompletableFuture<Void> peerClosed = new CompletableFuture<>();
    discard(flow).whenComplete((r, e) -> peerClosed.complete(null));
    return chargenFrom(flow, 0, peerClosed);
  }

  private static CompletionStage<?> chargenFrom(
      TcpFlow flow, int line, CompletableFuture<Void> peerClosed) {
    if (peerClosed.isDone()) {
      return CompletableFuture.completedFuture(null);
    }
    byte[] chunk = new byte[74 * 100];
    for (int l = 0; l < 100; l++) {
      for (int c = 0; c < 72; c++) {
        chunk[l * 74 + c] = (byte) (' ' + (line + l + c) % 95);
      }
      chunk[l * 74 + 72] = '\r';
      chunk[l * 74 + 73] = '\n';
    }
    return flow.write(ByteString.fromArrayUnsafe(chunk))
        .thenCompose(done -> chargenFrom(flow, (line + 100) % 95, peerClosed))
        .exceptionally(e -> null); // the peer went away: chargen is over
  }

  /**
   * HTTP/1.0: {@code GET /N} is answered with N bytes of the seed's pseudo-random stream ({@code
   * GET /} with {@code defaultBytes}), then the connection closes.
   */
  static CompletionStage<?> http(TcpFlow flow, long defaultBytes, long seed) {
    return readRequest(flow, ByteString.emptyByteString())
        .thenCompose(
            request -> {
              long bytes = requestedBytes(request, defaultBytes);
              if (bytes < 0) {
                return flow.write(
                        ByteString.fromString(
                            "HTTP/1.0 400 Bad Request\r\n" + "Content-Length: 0\r\n\r\n"))
                    .thenCompose(done -> flow.close());
              }
              String header =
                  "HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n"
                      + "Content-Length: "
                      + bytes
                      + "\r\n\r\n";
              return flow.write(ByteString.fromString(header, StandardCharsets.US_ASCII))
                  .thenCompose(done -> stream(flow, new PseudoRandomPayload(seed), bytes))
                  .thenCompose(done -> flow.close());
            });
  }

  /** The request head (up to the empty line), or what came before the peer closed. */
  private static CompletionStage<String> readRequest(TcpFlow flow, ByteString sofar) {
    String text = sofar.decodeString(StandardCharsets.ISO_8859_1);
    if (text.contains("\r\n\r\n") || text.contains("\n\n") || sofar.length() > MAX_REQUEST) {
      return CompletableFuture.completedFuture(text);
    }
    return flow.read()
        .thenCompose(
            r ->
                r instanceof ReadResult.Data d
                    ? readRequest(flow, sofar.concat(d.data()))
                    : CompletableFuture.completedFuture(text));
  }

  /** N from "GET /N HTTP/1.x"; the default for "GET /"; -1 for anything else. */
  static long requestedBytes(String request, long defaultBytes) {
    String[] words = request.split("\r?\n", 2)[0].split(" ");
    if (words.length < 2 || !words[0].equals("GET") || !words[1].startsWith("/")) {
      return -1;
    }
    String path = words[1].substring(1);
    if (path.isEmpty()) {
      return defaultBytes;
    }
    try {
      long n = Long.parseLong(path);
      return n >= 0 ? n : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static CompletionStage<?> stream(
      TcpFlow flow, PseudoRandomPayload payload, long remaining) {
    if (remaining <= 0) {
      return CompletableFuture.completedFuture(null);
    }
    byte[] chunk = new byte[(int) Math.min(CHUNK, remaining)];
    payload.fill(chunk);
    return flow.write(ByteString.fromArrayUnsafe(chunk))
        .thenCompose(done -> stream(flow, payload, remaining - chunk.length));
  }
}
