package dev.vnetif.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vnetif.testsupport.PcapFixtures;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code vnetif plot} on a capture of our own lossy transfer, and on files that are not one. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PlotCommandTest {
  private static final Pattern RETRANSMITS = Pattern.compile("retransmits: (\\d+) ");
  private static final Pattern PLOTTED =
      Pattern.compile(
          "^(\\S+): (\\d+) segments \\((\\d+) retransmitted\\), (\\d+) ACKs, (\\d+) SACK blocks; "
              + "graph written to (.+)$",
          Pattern.MULTILINE);

  @TempDir Path dir;

  static IperfCommandTest.Run plot(String... args) {
    CommandLine cli = new CommandLine(new PlotCommand());
    cli.setExecutionExceptionHandler(VnetifCli.commandLine().getExecutionExceptionHandler());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new IperfCommandTest.Run(code, out.toString(), err.toString());
  }

  @Test
  @DisplayName(
      "the capture of a lossy transfer: the client's data direction by default, as many "
          + "retransmitted segments as the sender counted, and a PNG of the graph's size")
  void plotsOurOwnTransfer() throws Exception {
    Path pcap = dir.resolve("lossy.pcap");
    IperfCommandTest.Run iperf =
        IperfCommandTest.run(
            "--virtual-time",
            "--size",
            "256K",
            "--rate",
            "10Mbit",
            "--delay",
            "10ms",
            "--loss",
            "5%",
            "--seed",
            "1",
            "-i",
            "0",
            "--pcap",
            pcap.toString());
    assertEquals(0, iperf.exitCode(), iperf.all());
    Matcher sender = RETRANSMITS.matcher(iperf.out());
    assertTrue(sender.find(), iperf.out());
    long retransmits = Long.parseLong(sender.group(1));
    assertTrue(retransmits > 0, "5% loss and no retransmission?\n" + iperf.out());

    IperfCommandTest.Run r = plot(pcap.toString());

    assertEquals(0, r.exitCode(), r.all());
    Matcher m = PLOTTED.matcher(r.out());
    assertTrue(m.find(), r.out());
    assertTrue(m.group(1).startsWith("10.0.0.2:"), "the client sends: " + r.out());
    assertTrue(m.group(1).endsWith(">10.0.0.3:5001"), r.out());
    // The switch captures frames as they enter it, before the loss: every retransmission the
    // sender made is in the capture, and no other segment repeats sequence space.
    assertEquals(retransmits, Long.parseLong(m.group(3)), r.out() + iperf.out());
    Path png = dir.resolve("lossy.png");
    assertTrue(
        Long.parseLong(m.group(5)) > 0,
        "5% loss: the receiver's ACKs report out-of-order data in SACK blocks: " + r.out());
    assertEquals(png.toString(), m.group(6), "next to the capture by default");
    BufferedImage image = ImageIO.read(png.toFile());
    assertNotNull(image, "a PNG");
    assertEquals(TimeSequenceGraph.WIDTH, image.getWidth());
    assertEquals(TimeSequenceGraph.HEIGHT, image.getHeight());

    // The other direction, by --flow, in a window of time, to -o.
    String reverse = TcpDirection.parse(m.group(1)).reverse().toString();
    Path acks = dir.resolve("out/acks.png");
    IperfCommandTest.Run back =
        plot(
            pcap.toString(),
            "--flow",
            reverse,
            "--start",
            "0.1",
            "--end",
            "0.2",
            "-o",
            acks.toString());
    assertEquals(0, back.exitCode(), back.all());
    assertTrue(back.out().startsWith(reverse + ": "), back.out());
    assertNotNull(ImageIO.read(acks.toFile()));

    IperfCommandTest.Run list = plot("--list", pcap.toString());
    assertEquals(0, list.exitCode(), list.all());
    String[] lines = list.out().strip().split("\n");
    assertEquals(2, lines.length, list.out());
    assertTrue(lines[0].startsWith(m.group(1) + " "), list.out());
  }

  @Test
  @DisplayName(
      "bad input: a missing file, not a pcap, a truncated one, one without TCP, a flow not in it "
          + "exit 1 with one line; a malformed --flow exits 2; never a stack trace")
  void badInputs() throws Exception {
    assertFails(
        1, "no such file: " + dir.resolve("none.pcap"), dir.resolve("none.pcap").toString());

    Path text = dir.resolve("notes.pcap");
    Files.writeString(text, "these are notes, not packets\n");
    assertFails(1, "is not a pcap file: it starts with 74686573", text.toString());

    byte[] good =
        PcapFixtures.pcap(
            0xa1b2c3d4,
            ByteOrder.LITTLE_ENDIAN,
            1,
            new long[] {0, 0, 0, 500},
            PcapFixtures.frame(1, 100),
            PcapFixtures.frame(101, 100));
    Path cut = dir.resolve("cut.pcap");
    Files.write(cut, Arrays.copyOf(good, good.length - 10));
    assertFails(1, "is truncated: record 2 at byte 194 has 144 of its 154 bytes", cut.toString());

    Path empty = dir.resolve("empty.pcap");
    Files.write(empty, Arrays.copyOf(good, 24));
    assertFails(1, "no TCP segment in " + empty, empty.toString());

    Path ok = dir.resolve("ok.pcap");
    Files.write(ok, good);
    assertFails(
        1,
        "no TCP segment from 10.0.0.3:5001>10.0.0.2:40000 in "
            + ok
            + "; it has 10.0.0.2:40000>10.0.0.3:5001",
        ok.toString(),
        "--flow",
        "10.0.0.3:5001>10.0.0.2:40000");
    assertFails(2, "is not a flow direction", ok.toString(), "--flow", "10.0.0.3");
    assertFalse(Files.exists(dir.resolve("ok.png")));
  }

  private static void assertFails(int code, String message, String... args) {
    IperfCommandTest.Run r = plot(args);
    assertEquals(code, r.exitCode(), r.all());
    assertEquals("", r.out());
    assertTrue(r.err().contains(message), r.err());
    assertFalse(r.err().contains("\tat "), "a stack trace: " + r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
  }
}
