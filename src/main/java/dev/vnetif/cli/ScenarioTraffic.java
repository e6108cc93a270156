package dev.vnetif.cli;

import java.time.Duration;

/** One piece of traffic a scenario runs: a TCP transfer or a ping series. */
sealed interface ScenarioTraffic {

  /** How it is named in the report ({@code upload}, or {@code iperf-1} by default). */
  String name();

  String from();

  String to();

  /** When it starts, from the scenario's time zero. */
  Duration start();

  /** Whether the scenario expects it to fail (a transfer across a cut that never heals). */
  boolean expectFailure();

  /**
   * An iperf-style TCP transfer ({@code type = iperf}): {@code from} connects to {@code to} and
   * sends {@code bytes} of pseudo-random payload, or for {@code time} when that is set; the
   * receiver checks the content. It fails when it does not finish within {@code timeout}.
   *
   * @param bytes bytes to send, or 0 for a timed transfer
   * @param time how long to send, or null for a sized transfer
   */
  record Iperf(
      String name,
      String from,
      String to,
      Duration start,
      long bytes,
      Duration time,
      int port,
      int writeSize,
      Duration timeout,
      boolean expectFailure)
      implements ScenarioTraffic {}

  /**
   * A ping series ({@code type = ping}): {@code count} echo requests {@code interval} apart, each
   * waited for {@code wait}. It fails when no reply comes, as ping(8)'s exit status.
   */
  record Ping(
      String name,
      String from,
      String to,
      Duration start,
      int count,
      Duration interval,
      int size,
      Duration replyTimeout,
      boolean expectFailure)
      implements ScenarioTraffic {}
}
