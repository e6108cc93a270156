package dev.vnetif.cli;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report of {@code --json}, shaped after iperf3's {@code -J}: {@code start} (connection and
 * test parameters), {@code intervals} (per stream and summed), {@code end} (per stream sender and
 * receiver, {@code sum_sent}, {@code sum_received}; under {@code --bidir} also the {@code
 * _bidir_reverse} sums), and on failure {@code error}. Field names and units are iperf3's (rtt in
 * microseconds, rates in bits per second). What iperf3 does not have sits under {@code end.vnetif}:
 * the seed and the SHA-256 content check of each direction; under {@code conditions} the link
 * conditions' seed and counters ({@link ConditionTable#json}); and, in virtual time, under {@code
 * time} the virtual and wall time of the run and their ratio ({@link SpeedUp#json()}).
 */
final class IperfJson {

  /** What the run was asked to do; iperf3's {@code test_start} and {@code connecting_to}. */
  record Setup(
      String serverHost,
      int port,
      long seed,
      int writeSize,
      int mtu,
      double omitSeconds,
      double durationSeconds,
      long bytes,
      boolean reverse,
      boolean bidir,
      Instant timestamp,
      String congestionControl) {}

  private IperfJson() {}

  /**
   * @param time the virtual and wall time of a run in virtual time ({@link SpeedUp#json()}), or
   *     null
   */
  static String report(
      Setup setup,
      IperfTransfer.Result result,
      Map<String, Object> conditions,
      Map<String, Object> time) {
    Map<String, Object> start = start(setup);
    InetSocketAddress local = result.clientLocal();
    InetSocketAddress remote = result.serverLocal();
    start.put(
        "connected",
        List.of(
            map(
                "socket", IperfStream.ID,
                "local_host", local.getAddress().getHostAddress(),
                "local_port", local.getPort(),
                "remote_host", remote.getAddress().getHostAddress(),
                "remote_port", remote.getPort())));
    start.put("tcp_mss_default", result.clientMss());
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("start", start);
    List<Object> intervals = new ArrayList<>();
    for (IperfInterval interval : result.timeline().intervals()) {
      intervals.add(interval(interval, setup));
    }
    doc.put("intervals", intervals);
    doc.put("end", end(setup, result));
    doc.put("conditions", conditions);
    if (time != null) {
      doc.put("time", time);
    }
    return JsonWriter.write(doc);
  }

  /** The document iperf3 prints when a test fails: what was asked, and the error. */
  static String failure(
      Setup setup, String error, Map<String, Object> conditions, Map<String, Object> time) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("start", start(setup));
    doc.put("intervals", List.of());
    doc.put("end", Map.of());
    doc.put("error", error);
    doc.put("conditions", conditions);
    if (time != null) {
      doc.put("time", time);
    }
    return JsonWriter.write(doc);
  }

  private static Map<String, Object> start(Setup s) {
    Map<String, Object> start = new LinkedHashMap<>();
    start.put("version", "vnetif-stack " + VnetifCli.VERSION);
    start.put(
        "timestamp",
        map(
            "time",
                DateTimeFormatter.RFC_1123_DATE_TIME.format(s.timestamp().atOffset(ZoneOffset.UTC)),
            "timesecs", s.timestamp().getEpochSecond()));
    start.put("connecting_to", map("host", s.serverHost(), "port", s.port()));
    start.put(
        "test_start",
        map(
            "protocol",
            "TCP",
            "num_streams",
            1,
            "blksize",
            s.writeSize(),
            "omit",
            s.omitSeconds(),
            "duration",
            s.durationSeconds(),
            "bytes",
            s.bytes(),
            "blocks",
            0,
            "reverse",
            s.reverse() ? 1 : 0,
            "bidir",
            s.bidir() ? 1 : 0,
            "tos",
            0));
    return start;
  }

  private static Map<String, Object> interval(IperfInterval interval, Setup setup) {
    List<Object> streams = new ArrayList<>();
    for (IperfInterval.Stream s : interval.streams()) {
      streams.add(
          map(
              "socket", IperfStream.ID,
              "start", s.start(),
              "end", s.end(),
              "seconds", s.seconds(),
              "bytes", s.bytes(),
              "bits_per_second", s.bitsPerSecond(),
              "retransmits", s.retransmits(),
              "snd_cwnd", s.cwnd(),
              "rtt", s.rttMicros(),
              "pmtu", setup.mtu(),
              "omitted", interval.omitted(),
              "sender", s.stream().clientSends));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("streams", streams);
    // iperf3 sums the client's sending streams under "sum" and, with --bidir, its receiving
    // ones under "sum_bidir_reverse"; a reverse run's only stream is its "sum".
    for (IperfInterval.Stream s : interval.streams()) {
      String key = setup.bidir() && !s.stream().clientSends ? "sum_bidir_reverse" : "sum";
      out.put(
          key,
          map(
              "start", s.start(),
              "end", s.end(),
              "seconds", s.seconds(),
              "bytes", s.bytes(),
              "bits_per_second", s.bitsPerSecond(),
              "retransmits", s.retransmits(),
              "omitted", interval.omitted(),
              "sender", s.stream().clientSends));
    }
    return out;
  }

  private static Map<String, Object> end(Setup setup, IperfTransfer.Result result) {
    Map<String, Object> end = new LinkedHashMap<>();
    List<Object> streams = new ArrayList<>();
    for (IperfSummary s : result.summaries()) {
      boolean clientSends = s.stream().clientSends;
      Map<String, Object> sender = side(s.sender(), true);
      sender.put("max_snd_cwnd", s.maxCwnd());
      sender.put("max_rtt", s.maxRtt());
      sender.put("min_rtt", s.minRtt());
      sender.put("mean_rtt", s.meanRtt());
      sender.put("sender", clientSends);
      Map<String, Object> receiver = side(s.receiver(), false);
      receiver.put("sender", clientSends);
      streams.add(map("sender", sender, "receiver", receiver));
    }
    end.put("streams", streams);
    for (IperfSummary s : result.summaries()) {
      String suffix = setup.bidir() && !s.stream().clientSends ? "_bidir_reverse" : "";
      Map<String, Object> sent = side(s.sender(), true);
      sent.remove("socket");
      sent.put("sender", s.stream().clientSends);
      Map<String, Object> received = side(s.receiver(), false);
      received.remove("socket");
      received.put("sender", s.stream().clientSends);
      end.put("sum_sent" + suffix, sent);
      end.put("sum_received" + suffix, received);
    }
    end.put("sender_tcp_congestion", setup.congestionControl());
    end.put("receiver_tcp_congestion", setup.congestionControl());
    List<Object> content = new ArrayList<>();
    HexFormat hex = HexFormat.of();
    for (IperfReport r : result.reports()) {
      content.add(
          map(
              "sender", r.sender(),
              "receiver", r.receiver(),
              "bytes_written", r.sent().bytes(),
              "bytes_read", r.received().bytes(),
              "sha256_written", hex.formatHex(r.sent().sha256()),
              "sha256_read", hex.formatHex(r.received().sha256()),
              "match", r.contentMatches()));
    }
    end.put("vnetif", map("seed", setup.seed(), "content", content));
    return end;
  }

  private static Map<String, Object> side(IperfSummary.Side side, boolean tx) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("socket", IperfStream.ID);
    m.put("start", side.start());
    m.put("end", side.end());
    m.put("seconds", side.seconds());
    m.put("bytes", side.bytes());
    m.put("bits_per_second", side.bitsPerSecond());
    if (tx) {
      m.put("retransmits", side.retransmits());
    }
    return m;
  }

  /** An ordered object from key, value, key, value... */
  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }
}
