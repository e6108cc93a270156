package dev.vnetif.cli;

import java.util.Locale;

/**
 * Numbers as iperf3 prints them (its {@code unit_snprintf} in adaptive mode): bytes in 2^10
 * multiples (KByte, MByte...), rates in bits and 10^3 multiples (Kbit, Mbit...), always in four
 * places: two decimals below 10, one below 100, none above.
 */
final class IperfUnits {
  private static final String[] BYTES = {"Byte", "KByte", "MByte", "GByte", "TByte"};
  private static final String[] BITS = {"bit", "Kbit", "Mbit", "Gbit", "Tbit"};

  private IperfUnits() {}

  /** {@code 113 MByte}, {@code 1.10 GByte} (the caller adds iperf3's plural s). */
  static String bytes(double bytes) {
    return scaled(bytes, 1024, BYTES);
  }

  /** {@code 947 Mbit} for a rate in bits per second (the caller adds {@code s/sec}). */
  static String bits(double bitsPerSecond) {
    return scaled(bitsPerSecond, 1000, BITS);
  }

  private static String scaled(double value, double step, String[] labels) {
    int unit = 0;
    while (value >= step && unit < labels.length - 1) {
      value /= step;
      unit++;
    }
    String format = value < 9.995 ? "%4.2f %s" : value < 99.95 ? "%4.1f %s" : "%4.0f %s";
    return String.format(Locale.ROOT, format, value, labels[unit]);
  }
}
