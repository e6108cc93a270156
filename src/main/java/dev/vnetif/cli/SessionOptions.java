package dev.vnetif.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How a command runs its network, whatever hosts it builds: runtime config, seed, capture. */
final class SessionOptions {

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Runtime config (HOCON). Default: conf/application.conf when present.")
  Path config;

  @Option(
      names = "--seed",
      paramLabel = "N",
      description =
          "Seed for MACs, identifiers, ports and every link-condition draw (overrides config "
              + "and scenario).")
  Long seed;

  @Option(
      names = {"-C", "--congestion-control", "--congestion"},
      paramLabel = "ALGO",
      description =
          "Congestion control of every TCP sender: cubic (the default) or newreno (overrides "
              + "vnetif.tcp.congestion-control; iperf3 spells it -C/--congestion).")
  String congestionControl;

  @Option(
      names = "--loss-detection",
      paramLabel = "WAY",
      description =
          "How TCP senders with SACK find lost segments: rack (RACK-TLP of RFC 8985, the "
              + "default) or dupack (three duplicate ACKs, RFC 6675); overrides "
              + "vnetif.tcp.loss-detection.")
  String lossDetection;

  @Option(
      names = "--pcap",
      paramLabel = "FILE",
      description = "Write every frame the switch forwards to FILE (libpcap, for Wireshark).")
  Path pcap;
}
