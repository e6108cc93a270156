package dev.vnetif.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every reading of time goes through the network's clock and every random draw comes from the seed:
 * that is what makes virtual time and replay possible. This scan of {@code src/main} proves it for
 * the library, and keeps the command-line tool's wall-clock readings to the files that report wall
 * time to the user.
 */
class TimeSourceScanTest {
  static final Path MAIN = Path.of("src", "main", "java");

  /** Reads of the machine's clocks. */
  static final Pattern CLOCK =
      Pattern.compile(
          "System\\.nanoTime|System\\.currentTimeMillis|Instant\\.now|(?<![A-Za-z])Clock\\.system"
              + "|LocalDate(Time)?\\.now|ZonedDateTime\\.now|new Date\\(\\)");

  /** Random draws not derived from a seed. */
  static final Pattern UNSEEDED =
      Pattern.compile(
          "ThreadLocalRandom|Math\\.random|SecureRandom|UUID\\.randomUUID"
              + "|new SplittableRandom\\(\\)|java\\.util\\.Random\\b");

  /** Uses of the real clock, which only the clock selection may pick. */
  static final Pattern REAL_CLOCK = Pattern.compile("NetworkClock\\.system\\(\\)");

  /** The files allowed to read the machine's clock, and why. */
  static final Map<String, String> CLOCK_READERS =
      Map.of(
          "dev/vnetif/link/SystemClock.java",
          "it is the real clock",
          "dev/vnetif/testkit/Waiting.java",
          "a test kit's wait in real time is measured in the test's real time, as TestProbe's");

  /** CLI files: wall time shown to the user (durations of a run, speed-ups, progress bars). */
  static final Pattern CLI = Pattern.compile("dev/vnetif/cli/.*");

  @Test
  void theLibraryReadsTimeOnlyThroughTheNetworkClock() throws IOException {
    List<String> offences = new ArrayList<>();
    for (Path file : sources()) {
      String name = MAIN.relativize(file).toString().replace('\\', '/');
      if (CLOCK_READERS.containsKey(name) || CLI.matcher(name).matches()) {
        continue;
      }
      scan(file, name, CLOCK, offences);
    }
    assertEquals(List.of(), offences, "clock readings outside the network clock");
  }

  @Test
  void theRealClockIsChosenInOnePlace() throws IOException {
    List<String> offences = new ArrayList<>();
    for (Path file : sources()) {
      String name = MAIN.relativize(file).toString().replace('\\', '/');
      if (name.equals("dev/vnetif/NetworkClocks.java")
          || name.equals("dev/vnetif/link/NetworkClock.java")
          || CLI.matcher(name).matches()) {
        continue;
      }
      scan(file, name, REAL_CLOCK, offences);
    }
    assertEquals(List.of(), offences, "the real clock picked outside NetworkClocks");
  }

  @Test
  void everyRandomDrawComesFromASeed() throws IOException {
    List<String> offences = new ArrayList<>();
    for (Path file : sources()) {
      scan(file, MAIN.relativize(file).toString(), UNSEEDED, offences);
    }
    assertEquals(List.of(), offences, "random sources not derived from the seed");
  }

  @Test
  void theScanSeesTheSources() throws IOException {
    List<Path> files = sources();
    assertTrue(files.size() > 100, "found only " + files.size() + " sources under " + MAIN);
    // The patterns match what they are meant to (so an empty result means something).
    assertTrue(CLOCK.matcher("long t = System.nanoTime();").find());
    assertTrue(UNSEEDED.matcher("ThreadLocalRandom.current().nextInt()").find());
    List<String> seen = new ArrayList<>();
    scan(MAIN.resolve("dev/vnetif/link/SystemClock.java"), "SystemClock", CLOCK, seen);
    assertTrue(!seen.isEmpty(), "the real clock's own readings are found");
  }

  private static List<Path> sources() throws IOException {
    try (Stream<Path> walk = Files.walk(MAIN)) {
      return walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
  }

  /** Adds {@code file:line: text} for each line of code (not comment) matching {@code pattern}. */
  private static void scan(Path file, String name, Pattern pattern, List<String> offences)
      throws IOException {
    List<String> lines = Files.readAllLines(file);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.startsWith("*") || line.startsWith("//") || line.startsWith("/*")) {
        continue;
      }
      String code = line.contains("//") ? line.substring(0, line.indexOf("//")) : line;
      if (pattern.matcher(code).find()) {
        offences.add(name + ":" + (i + 1) + ": " + line);
      }
    }
  }
}
