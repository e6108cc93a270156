package dev.vnetif.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Where a command writes what the user asked for ({@code --pcap FILE}, {@code --report DIR}): a
 * path that cannot be written is the user's mistake, reported in one line that names the option,
 * the path and why, as {@code tcpdump -w} does, and never as a stack trace.
 */
final class OutputPaths {
  private OutputPaths() {}

  /**
   * The usage error for {@code file}, given to {@code option}, that could not be opened for
   * writing: e.g. {@code --pcap out/run.pcap: directory out does not exist}.
   */
  static IllegalArgumentException cannotWrite(String option, Path file, IOException cause) {
    return new IllegalArgumentException(option + " " + file + ": " + reason(file, cause), cause);
  }

  /**
   * Creates {@code directory}, given to {@code option}, with any missing parents, as {@code mkdir
   * -p} would; an existing directory is fine.
   *
   * @throws IllegalArgumentException naming the option and the path when it cannot be made (a file
   *     in the way, no permission)
   */
  static void createDirectories(String option, Path directory) {
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          option + " " + directory + ": cannot create directory: " + reason(directory, e), e);
    }
  }

  /** Why {@code path} could not be written, in the words of a shell's error. */
  private static String reason(Path path, IOException cause) {
    Path parent = path.toAbsolutePath().getParent();
    if (cause instanceof NoSuchFileException) {
      return parent != null && !Files.exists(parent)
          ? "directory " + parent(path) + " does not exist"
          : "No such file or directory";
    }
    if (Files.isDirectory(path)) {
      return "is a directory";
    }
    if (cause instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (cause instanceof FileSystemException fileSystem && fileSystem.getReason() != null) {
      return fileSystem.getReason();
    }
    return String.valueOf(cause.getMessage());
  }

  /** The parent as the user spelled it, when they gave one. */
  private static Path parent(Path path) {
    Path given = path.getParent();
    return given != null ? given : path.toAbsolutePath().getParent();
  }
}
