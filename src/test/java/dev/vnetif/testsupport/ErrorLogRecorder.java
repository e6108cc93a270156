package dev.vnetif.testsupport;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
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

  @Override
  protected void append(ILoggingEvent event) {
    if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
      ERRORS.add(describe(event));
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
}
