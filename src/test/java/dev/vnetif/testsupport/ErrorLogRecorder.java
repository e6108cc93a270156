package dev.vnetif.testsupport;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A logback appender (wired in {@code logback-test.xml}) that remembers every ERROR event: an actor
 * that crashed or was restarted is logged at ERROR by its supervisor, so {@link
 * NoErrorLogsExtension} fails the test during which one appeared.
 */
public final class ErrorLogRecorder extends AppenderBase<ILoggingEvent> {
  private static final ConcurrentLinkedQueue<String> ERRORS = new ConcurrentLinkedQueue<>();

  /** Notified on every ERROR recorded, for {@link #awaitRecorded}. */
  private static final Object ARRIVALS = new Object();

  @Override
  protected void append(ILoggingEvent event) {
    if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
      ERRORS.add(describe(event));
      synchronized (ARRIVALS) {
        ARRIVALS.notifyAll();
      }
    }
  }

  private static String describe(ILoggingEvent event) {
    StringBuilder text =
        new StringBuilder(event.getLoggerName())
            .append(" [")
            .append(event.getThreadName())
            .append("]: ")
            .append(event.getFormattedMessage());
    for (IThrowableProxy cause = event.getThrowableProxy();
        cause != null;
        cause = cause.getCause()) {
      text.append("\n  caused by ").append(cause.getClassName()).append(": ");
      text.append(cause.getMessage());
      if (cause.getStackTraceElementProxyArray().length > 0) {
        text.append("\n    at ").append(cause.getStackTraceElementProxyArray()[0].getSTEAsString());
      }
    }
    return text.toString();
  }

  /** Every ERROR recorded since the last call, oldest first; the record starts empty again. */
  static List<String> drain() {
    List<String> drained = new ArrayList<>();
    for (String e = ERRORS.poll(); e != null; e = ERRORS.poll()) {
      drained.add(e);
    }
    return drained;
  }

  /**
   * Waits until {@code count} ERRORs containing {@code fragment} were recorded (and not yet
   * drained), at most {@code timeout}: for a test that allows an ERROR logged asynchronously, so
   * that it lands in that test and not in the next one.
   *
   * @throws AssertionError when they do not come in time
   */
  public static void awaitRecorded(String fragment, int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (ARRIVALS) {
      while (ERRORS.stream().filter(e -> e.contains(fragment)).count() < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "expected "
                  + count
                  + " ERROR log event(s) with \""
                  + fragment
                  + "\" within "
                  + timeout);
        }
        try {
          ARRIVALS.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted", e);
        }
      }
    }
  }
}
