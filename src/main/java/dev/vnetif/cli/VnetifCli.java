package dev.vnetif.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code vnetif} command: builds a virtual network in this JVM and runs a workload on it.
 * Subcommands are the workloads; each is its own class.
 */
@Command(
    name = "vnetif",
    mixinStandardHelpOptions = true,
    version = "vnetif-stack " + VnetifCli.VERSION,
    description =
        "A TCP/IP network inside the JVM: build hosts on a virtual switch and "
            + "run traffic between them.",
    subcommands = {
      PingCommand.class,
      IperfCommand.class,
      BenchCommand.class,
      ServeCommand.class,
      RunCommand.class,
      GoodputCommand.class,
      PlotCommand.class,
      CommandLine.HelpCommand.class
    })
public final class VnetifCli implements Runnable {
  static final String VERSION = "0.1.0";

  static final Path LOGBACK = Path.of("conf", "logback.xml");

  public static void main(String[] args) {
    // Before any logger exists: the tool logs as conf/logback.xml says when run from the
    // project directory, and with logback's defaults otherwise.
    if (System.getProperty("logback.configurationFile") == null && Files.isRegularFile(LOGBACK)) {
      System.setProperty("logback.configurationFile", LOGBACK.toString());
    }
    PngCharts.headless(); // iperf --report and plot draw charts; no screen is ever needed
    // Initialise logging on this thread, before Pekko's threads race to do it.
    LoggerFactory.getILoggerFactory();
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new VnetifCli());
    // A user mistake (bad CIDR, unknown host) prints one clear line, not a stack trace.
    cli.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
            cmd.getErr().println("vnetif: " + e.getMessage());
            return 2;
          }
          throw e;
        });
    return cli;
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }
}
