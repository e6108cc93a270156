package dev.vnetif.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar for a terminal, redrawn in place ({@code \r}) a few times a second by a
 * thread of its own, so the transfer itself never waits on the terminal: bytes done of the total,
 * the rate since the previous redraw, and the percentage.
 */
final class ProgressBar implements AutoCloseable {
  static final long REDRAW_MILLIS = 250;
  private static final int BAR_WIDTH = 30;

  private final PrintWriter terminal;
  private final long total;
  private final LongSupplier done;
  private final ScheduledExecutorService redraws;
  private long lastBytes;
  private long lastNanos;

  private ProgressBar(PrintWriter terminal, long total, LongSupplier done) {
    this.terminal = terminal;
    this.total = total;
    this.done = done;
    this.redraws =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "vnetif-progress");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Draws on {@code terminal} until closed; {@code done} is read from the drawing thread. */
  static ProgressBar start(PrintWriter terminal, long total, LongSupplier done) {
    ProgressBar bar = new ProgressBar(terminal, total, done);
    bar.lastNanos = WallClock.nanos();
    bar.redraws.scheduleAtFixedRate(bar::redraw, 0, REDRAW_MILLIS, TimeUnit.MILLISECONDS);
    return bar;
  }

  /** Stops redrawing, draws the final state and ends the line. */
  @Override
  public void close() throws InterruptedException {
    redraws.shutdown();
    redraws.awaitTermination(5, TimeUnit.SECONDS);
    redraw();
    terminal.println();
    terminal.flush();
  }

  private synchronized void redraw() {
    long now = WallClock.nanos();
    long bytes = done.getAsLong();
    double seconds = Math.max(1, now - lastNanos) / 1e9;
    double rate = (bytes - lastBytes) / 1e6 / seconds;
    lastBytes = bytes;
    lastNanos = now;
    terminal.print("\r" + line(bytes, total, rate));
    terminal.flush();
  }

  /** {@code [=====> ] 52% 5.45/10.49 MB 48.3 MB/s}, always the same width. */
  static String line(long bytes, long total, double megabytesPerSecond) {
    double fraction = total == 0 ? 1 : Math.min(1, (double) bytes / total);
    int filled = (int) (fraction * BAR_WIDTH);
    String bar =
        "=".repeat(filled)
            + (filled < BAR_WIDTH ? ">" : "")
            + " ".repeat(Math.max(0, BAR_WIDTH - filled - 1));
    return String.format(
        Locale.ROOT,
        "[%s] %3d%%  %8.2f/%.2f MB  %8.1f MB/s",
        bar,
        (int) (fraction * 100),
        bytes / 1e6,
        total / 1e6,
        megabytesPerSecond);
  }
}
