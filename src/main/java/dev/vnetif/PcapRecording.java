package dev.vnetif;

import dev.vnetif.link.PcapWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.pekko.Done;

/**
 * A running capture of every frame the switch forwards into a classic libpcap file (Ethernet link
 * type, microsecond timestamps), readable by Wireshark and tshark.
 */
public final class PcapRecording {
  private final Path file;
  private final PcapWriter writer;
  private final AtomicReference<IOException> failure = new AtomicReference<>();
  private final VirtualNetwork network;
  private TapId tap;
  private CompletionStage<Done> stopped;

  PcapRecording(VirtualNetwork network, Path file) {
    this.network = network;
    this.file = file;
    try {
      this.writer = PcapWriter.open(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open pcap file " + file, e);
    }
  }

  void start() {
    tap =
        network.addListener(
            frame -> {
              if (failure.get() == null) {
                try {
                  writer.write(frame.bytes(), frame.epochNanos());
                } catch (IOException e) {
                  failure.set(e);
                }
              }
            });
  }

  public Path file() {
    return file;
  }

  /**
   * The result of {@code body}, once this recording is complete on disk (whether the body succeeded
   * or failed).
   */
  <T> CompletionStage<T> around(Supplier<CompletionStage<T>> body) {
    CompletionStage<T> result;
    try {
      result = body.get();
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    return result
        .handle(
            (value, error) ->
                stop()
                    .handle(
                        (d, stopError) -> {
                          if (error != null) {
                            throw error instanceof RuntimeException re
                                ? re
                                : new RuntimeException(error);
                          }
                          if (stopError != null) {
                            throw stopError instanceof RuntimeException re
                                ? re
                                : new RuntimeException(stopError);
                          }
                          return value;
                        }))
        .thenCompose(stage -> stage);
  }

  /**
   * Stops recording. Completes after every frame forwarded before the call is in the file and the
   * file is closed; fails with {@link UncheckedIOException} if writing failed. Calling it again
   * returns the same stage.
   */
  public synchronized CompletionStage<Done> stop() {
    if (stopped == null) {
      stopped =
          network
              .removeListener(tap)
              .thenApply(
                  done -> {
                    try {
                      writer.close();
                    } catch (IOException e) {
                      failure.compareAndSet(null, e);
                    }
                    IOException error = failure.get();
                    if (error != null) {
                      throw new UncheckedIOException(
                          "writing pcap file " + file + " failed", error);
                    }
                    network.forget(this);
                    return done;
                  });
    }
    return stopped;
  }

  /** Frames written so far. */
  public long framesWritten() {
    return writer.framesWritten();
  }
}
