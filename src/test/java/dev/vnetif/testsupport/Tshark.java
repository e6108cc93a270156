package dev.vnetif.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs Wireshark's {@code tshark} over a capture file so tests can check that what the stack puts
 * on the wire decodes cleanly in an independent implementation.
 *
 * <p>Tests that need it should skip when it is missing: {@code
 * Assumptions.assumeTrue(Tshark.find().isPresent(), Tshark.NOT_INSTALLED)}.
 *
 * <p>Every run uses {@code -n} (no name resolution), a fresh temporary {@code HOME} (so no personal
 * Wireshark preferences apply), and a bounded timeout.
 */
public final class Tshark {

  /** Skip message for {@code Assumptions.assumeTrue} when tshark is absent. */
  public static final String NOT_INSTALLED =
      "tshark not installed: install it with "
          + "`apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y tshark` "
          + "to run the capture-decoding checks";

  /** Frames tshark could not dissect, or with an expert-info entry of severity error. */
  public static final String MALFORMED_FILTER = "_ws.malformed || _ws.expert.severity >= error";

  /** Frames with a checksum tshark found wrong (needs {@link #CHECKSUM_PREFERENCES}). */
  public static final String BAD_CHECKSUM_FILTER =
      "ip.checksum.status == \"Bad\""
          + " || tcp.checksum.status == \"Bad\""
          + " || udp.checksum.status == \"Bad\""
          + " || icmp.checksum.status == \"Bad\"";

  /**
   * tshark leaves IP, TCP and UDP checksums unverified by default (checksum offload makes them
   * unreliable on live captures); ours are computed in software, so turn checking on. ICMP
   * checksums are always verified. Names checked with {@code tshark -G defaultprefs | grep
   * check_checksum} (tshark 4.0).
   */
  public static final List<String> CHECKSUM_PREFERENCES =
      List.of(
          "-o", "ip.check_checksum:TRUE",
          "-o", "tcp.check_checksum:TRUE",
          "-o", "udp.check_checksum:TRUE");

  /**
   * Dissect every TCP segment on its own instead of reassembling the stream: an HTTP body of 50 MiB
   * reassembled costs tshark minutes, and the frames are what these checks are about.
   */
  public static final List<String> NO_REASSEMBLY = List.of("-o", "tcp.desegment_tcp_streams:FALSE");

  private static final long TIMEOUT_SECONDS = 60;
  private static final List<Path> FALLBACK_DIRECTORIES =
      List.of(Path.of("/usr/bin"), Path.of("/usr/local/bin"));

  private Tshark() {}

  /**
   * What tshark made of a capture.
   *
   * @param frames frames in the file
   * @param malformed frames matching {@link #MALFORMED_FILTER}, evaluated without IP/TCP/UDP
   *     checksum checking so a bad checksum is counted only in {@code badChecksums} (a bad ICMP
   *     checksum, always checked, may count in both)
   * @param badChecksums frames matching {@link #BAD_CHECKSUM_FILTER} with checksum checking on
   * @param problemLines one line per offending frame, prefixed {@code malformed:} or {@code
   *     bad-checksum:}, with frame number, protocols and summary
   * @param rawOutput stdout and stderr of every tshark run, for failure messages
   */
  public record Report(
      int frames, int malformed, int badChecksums, List<String> problemLines, String rawOutput) {
    public Report {
      problemLines = List.copyOf(problemLines);
    }

    /** True when every frame decoded without errors and every checksum was right. */
    public boolean clean() {
      return malformed == 0 && badChecksums == 0;
    }
  }

  /** Locates the tshark executable on {@code PATH}, then in /usr/bin and /usr/local/bin. */
  public static Optional<Path> find() {
    List<Path> directories = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String entry : path.split(File.pathSeparator)) {
        if (!entry.isEmpty()) {
          directories.add(Path.of(entry));
        }
      }
    }
    directories.addAll(FALLBACK_DIRECTORIES);
    return directories.stream()
        .map(directory -> directory.resolve("tshark"))
        .filter(candidate -> Files.isRegularFile(candidate) && Files.isExecutable(candidate))
        .findFirst();
  }

  /**
   * Decodes {@code pcap} and counts frames, malformed frames and bad checksums.
   *
   * @throws AssertionError if tshark is missing, exits non-zero, times out, or reports the file as
   *     damaged or cut short; the message carries its output
   */
  public static Report read(Path pcap) {
    return read(pcap, List.of());
  }

  /**
   * {@link #read(Path)} with extra tshark options for every pass, e.g. {@code -d} decode-as rules,
   * or {@link #NO_REASSEMBLY} for captures of large transfers.
   */
  public static Report read(Path pcap, List<String> options) {
    List<String> withChecksums = new ArrayList<>(CHECKSUM_PREFERENCES);
    withChecksums.addAll(options);
    Output all = run(pcap, options, null, List.of("frame.number"));
    Output malformed = run(pcap, options, MALFORMED_FILTER, summaryFields());
    Output badChecksums = run(pcap, withChecksums, BAD_CHECKSUM_FILTER, summaryFields());

    List<String> problems = new ArrayList<>();
    malformed.lines().forEach(line -> problems.add("malformed: " + line));
    badChecksums.lines().forEach(line -> problems.add("bad-checksum: " + line));
    String raw = all.describe() + malformed.describe() + badChecksums.describe();
    return new Report(
        all.lines().size(), malformed.lines().size(), badChecksums.lines().size(), problems, raw);
  }

  /**
   * Decoded values of {@code fields} for each frame matching {@code displayFilter}, one
   * tab-separated line per frame (a field with several occurrences is comma-separated, an absent
   * one is empty). IP/TCP/UDP checksum checking is on, so {@code *.checksum.status} fields are
   * meaningful.
   *
   * @param displayFilter a Wireshark display filter, or {@code null}/blank for all frames
   * @throws AssertionError under the same conditions as {@link #read(Path)}
   */
  public static List<String> fields(Path pcap, String displayFilter, String... fields) {
    return fields(pcap, List.of(), displayFilter, fields);
  }

  /** {@link #fields(Path, String, String...)} with extra tshark options. */
  public static List<String> fields(
      Path pcap, List<String> options, String displayFilter, String... fields) {
    if (fields.length == 0) {
      throw new IllegalArgumentException("name at least one field, e.g. \"frame.number\"");
    }
    List<String> preferences = new ArrayList<>(CHECKSUM_PREFERENCES);
    preferences.addAll(options);
    return run(pcap, preferences, displayFilter, List.of(fields)).lines();
  }

  private static List<String> summaryFields() {
    return List.of("frame.number", "frame.protocols", "_ws.col.Info");
  }

  private record Output(List<String> command, int exitCode, String stdout, String stderr) {
    List<String> lines() {
      return stdout.lines().filter(line -> !line.isBlank()).toList();
    }

    String describe() {
      return "$ "
          + shellQuoted(command)
          + "\n[exit "
          + exitCode
          + "]\n"
          + "--- stdout ---\n"
          + stdout
          + "--- stderr ---\n"
          + stderr;
    }
  }

  /** The command as one could paste it into a shell, for failure messages. */
  private static String shellQuoted(List<String> command) {
    return command.stream()
        .map(
            argument ->
                argument.matches("[A-Za-z0-9_./:=,+-]+")
                    ? argument
                    : "'" + argument.replace("'", "'\\''") + "'")
        .collect(Collectors.joining(" "));
  }

  private static Output run(
      Path pcap, List<String> preferences, String displayFilter, List<String> fields) {
    Path tshark = find().orElseThrow(() -> new AssertionError(NOT_INSTALLED));
    List<String> command =
        new ArrayList<>(List.of(tshark.toString(), "-n", "-r", pcap.toAbsolutePath().toString()));
    command.addAll(preferences);
    if (displayFilter != null && !displayFilter.isBlank()) {
      command.add("-Y");
      command.add(displayFilter);
    }
    command.add("-T");
    command.add("fields");
    for (String field : fields) {
      command.add("-e");
      command.add(field);
    }

    Path scratch = null;
    try {
      scratch = Files.createTempDirectory("tshark-home");
      Path stdoutFile = scratch.resolve("stdout");
      Path stderrFile = scratch.resolve("stderr");
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(stdoutFile.toFile())
              .redirectError(stderrFile.toFile());
      builder.environment().put("HOME", scratch.toString());
      builder.environment().remove("XDG_CONFIG_HOME");
      Process process = builder.start();
      boolean finished = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (!finished) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      Output output =
          new Output(
              command,
              finished ? process.exitValue() : -1,
              Files.readString(stdoutFile, StandardCharsets.UTF_8),
              Files.readString(stderrFile, StandardCharsets.UTF_8));
      if (!finished) {
        throw new AssertionError(
            "tshark did not finish within " + TIMEOUT_SECONDS + " s\n" + output.describe());
      }
      checkSucceeded(output);
      return output;
    } catch (IOException e) {
      throw new AssertionError("could not run " + shellQuoted(command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running tshark", e);
    } finally {
      deleteRecursively(scratch);
    }
  }

  private static void checkSucceeded(Output output) {
    String stderr = output.stderr();
    if (output.exitCode() != 0) {
      throw new AssertionError(
          "tshark exited with " + output.exitCode() + "\n" + output.describe());
    }
    // tshark may still exit 0 after a truncated last record; these are its messages.
    if (stderr.contains("appears to be damaged or corrupt") || stderr.contains("cut short")) {
      throw new AssertionError("tshark reports a damaged capture file\n" + output.describe());
    }
  }

  private static void deleteRecursively(Path directory) {
    if (directory == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // A leftover temporary directory is harmless.
    }
  }
}
