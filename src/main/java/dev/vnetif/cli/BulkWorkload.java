package dev.vnetif.cli;

import dev.vnetif.cli.BenchTransport.BulkResult;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Bulk transfer over one connection in 64 KiB writes. Unless a size is given, each side's warm-up
 * transfers double until one lasts a second, and the measured one is sized from that rate to last
 * about 4 s, so both sides are measured over a comparable time, each at its own speed.
 */
final class BulkWorkload implements BenchWorkload {
  static final long MIB = 1 << 20;

  /** Auto-sized bulk: warm-up transfers double until one lasts this long... */
  private static final long CALIBRATION_NANOS = 1_000_000_000L;

  /** ...then the measured one is sized to last about this long at that rate. */
  private static final long BULK_TARGET_NANOS = 4_000_000_000L;

  private static final long BULK_MINIMUM_NANOS = 3_000_000_000L;

  /** Bytes per transfer, or null: sized from the warm-up. */
  private final Long bytes;

  BulkWorkload(Long bytes) {
    this.bytes = bytes;
  }

  @Override
  public String name() {
    return "bulk";
  }

  @Override
  public void run(List<BenchTransport> sides, BenchReport report, PrintWriter err)
      throws Exception {
    List<Attempt<BulkResult>> r =
        BenchWorkload.overEachSide(name(), sides, report, err, side -> bulk(side, report));
    report.add(BenchWorkload.row("bulk (MB/s)", r, BulkResult::megabytesPerSecond, true, "%.1f"));
  }

  private BulkResult bulk(BenchTransport side, BenchReport report) throws Exception {
    List<String> warmups = new ArrayList<>();
    long target;
    if (bytes != null) {
      long warmup = Math.max(BenchPayloads.CHUNK_SIZE, Math.min(bytes / 4, 64 * MIB));
      side.bulk(warmup, deadline(warmup));
      warmups.add(sizeText(warmup));
      target = bytes;
    } else {
      long size = 16 * MIB;
      BulkResult calibration;
      while (true) {
        calibration = side.bulk(size, deadline(size));
        warmups.add(sizeText(size));
        if (calibration.nanos() >= CALIBRATION_NANOS || size >= 64L * 1024 * MIB) {
          break;
        }
        size *= 2;
      }
      target = sizedForTarget(calibration);
    }
    System.gc();
    BulkResult result = side.bulk(target, deadline(target));
    // The warm-up can underrate a transport still compiling; a run that ends too soon
    // becomes one more warm-up, and the next is sized from its rate.
    for (int retry = 0;
        bytes == null && result.nanos() < BULK_MINIMUM_NANOS && retry < 3;
        retry++) {
      warmups.add(sizeText(result.bytes()));
      target = sizedForTarget(result);
      System.gc();
      result = side.bulk(target, deadline(target));
    }
    report.note(
        String.format(
            Locale.ROOT,
            "bulk over %s: %s (%d bytes) in %.2f s, %d writes of 64 KiB; warm-up %s",
            side.name(),
            sizeText(result.bytes()),
            result.bytes(),
            result.nanos() / 1e9,
            BenchPayloads.bulkWrites(result.bytes()),
            String.join(" + ", warmups)));
    return result;
  }

  /** Bytes (whole writes) that last {@link #BULK_TARGET_NANOS} at {@code run}'s rate. */
  private static long sizedForTarget(BulkResult run) {
    double bytesPerNano = (double) run.bytes() / run.nanos();
    long writes = (long) Math.ceil(bytesPerNano * BULK_TARGET_NANOS / BenchPayloads.CHUNK_SIZE);
    return Math.max(writes, 1) * BenchPayloads.CHUNK_SIZE;
  }

  /** Generous: a transfer slower than 1 MB/s is a stall, not a result. */
  private static Duration deadline(long bytes) {
    return Duration.ofSeconds(60 + bytes / 1_000_000);
  }

  static String sizeText(long bytes) {
    return bytes % MIB == 0
        ? bytes / MIB + " MiB"
        : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }
}
