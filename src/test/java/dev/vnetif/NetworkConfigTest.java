package dev.vnetif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.vnetif.link.SwitchSettings;
import dev.vnetif.link.SwitchStats;
import dev.vnetif.stack.ArpSettings;
import dev.vnetif.tcp.CongestionControlFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The {@code vnetif} config keys reach the network they configure. */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NetworkConfigTest {

  @JUnit5TestKit public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

  static Config withOverrides(String hocon) {
    return ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference());
  }

  @Test
  void defaultsAreTheDocumentedTableBounds() {
    NetworkConfig config = NetworkConfig.fromConfig(ConfigFactory.defaultReference());
    assertEquals(SwitchSettings.DEFAULT_MAC_AGEING_TIME, config.macAgeingTime());
    assertEquals(SwitchSettings.DEFAULT_MAC_TABLE_LIMIT, config.macTableLimit());
    assertEquals(ArpSettings.DEFAULT_MAX_ENTRIES, config.arp().maxEntries());
  }

  @Test
  void tableBoundsAreReadFromTheirKeys() {
    NetworkConfig config =
        NetworkConfig.fromConfig(
            withOverrides(
                "vnetif.switch.mac-ageing-time = 20s\n"
                    + "vnetif.switch.mac-table-limit = 16\n"
                    + "vnetif.host.arp.max-entries = 32"));
    assertEquals(Duration.ofSeconds(20), config.macAgeingTime());
    assertEquals(16, config.macTableLimit());
    assertEquals(32, config.arp().maxEntries());
    // A copy made by another with-method keeps them.
    assertEquals(16, config.withSeed(9).macTableLimit());
    assertEquals(Duration.ofSeconds(20), config.withDefaultMtu(9000).macAgeingTime());
  }

  @Test
  void congestionControlIsCubicByDefaultAndNewRenoByName() {
    NetworkConfig defaults = NetworkConfig.fromConfig(ConfigFactory.defaultReference());
    assertEquals(CongestionControlFactory.CUBIC, defaults.tcp().congestionControl());
    NetworkConfig reno =
        NetworkConfig.fromConfig(withOverrides("vnetif.tcp.congestion-control = newreno"));
    assertEquals(CongestionControlFactory.NEW_RENO, reno.tcp().congestionControl());
    NetworkConfig upper =
        NetworkConfig.fromConfig(withOverrides("vnetif.tcp.congestion-control = CUBIC"));
    assertEquals(CongestionControlFactory.CUBIC, upper.tcp().congestionControl());
  }

  @Test
  void unknownCongestionControlNamesKeyAndValue() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> NetworkConfig.fromConfig(withOverrides("vnetif.tcp.congestion-control = bbr")));
    assertTrue(e.getMessage().contains("vnetif.tcp.congestion-control"), e.getMessage());
    assertTrue(e.getMessage().contains("'bbr'"), e.getMessage());
  }

  @Test
  void badTableBoundsNameTheirKey() {
    IllegalArgumentException limit =
        assertThrows(
            IllegalArgumentException.class,
            () -> NetworkConfig.fromConfig(withOverrides("vnetif.switch.mac-table-limit = 0")));
    assertTrue(limit.getMessage().contains("vnetif.switch.mac-table-limit"), limit.getMessage());
    IllegalArgumentException ageing =
        assertThrows(
            IllegalArgumentException.class,
            () -> NetworkConfig.fromConfig(withOverrides("vnetif.switch.mac-ageing-time = 0s")));
    assertTrue(ageing.getMessage().contains("vnetif.switch.mac-ageing-time"), ageing.getMessage());
    IllegalArgumentException arp =
        assertThrows(
            IllegalArgumentException.class,
            () -> NetworkConfig.fromConfig(withOverrides("vnetif.host.arp.max-entries = 0")));
    assertTrue(arp.getMessage().contains("max-entries"), arp.getMessage());
  }

  /** The switch a network creates has the configured limit: a third MAC is refused, yet works. */
  @Test
  void theSwitchHonoursTheConfiguredTableLimit() throws Exception {
    NetworkConfig config =
        NetworkConfig.fromConfig(withOverrides("vnetif.switch.mac-table-limit = 2"));
    VirtualNetwork net = VirtualNetwork.create(testKit.system(), config);
    try {
      Stack a = net.createStack("10.0.0.2/24").toCompletableFuture().get(5, TimeUnit.SECONDS);
      Stack b = net.createStack("10.0.0.3/24").toCompletableFuture().get(5, TimeUnit.SECONDS);
      RawPort raw = net.attachRawPort("spoofer").toCompletableFuture().get(5, TimeUnit.SECONDS);
      // Both hosts announce themselves at start (gratuitous ARP), filling the table; the ping
      // makes sure they have, then one frame from the raw port's own MAC cannot be learned.
      a.ping(b.address(), Duration.ofSeconds(5)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      byte[] frame = new byte[60];
      for (int i = 0; i < 6; i++) {
        frame[i] = (byte) 0xff;
      }
      System.arraycopy(raw.mac().toBytes(), 0, frame, 6, 6);
      frame[12] = (byte) 0x88;
      frame[13] = (byte) 0xb5; // IEEE local experimental EtherType: nobody answers it
      raw.send(ByteString.fromArray(frame));
      a.ping(b.address(), Duration.ofSeconds(5)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      SwitchStats stats = net.switchStats().toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertEquals(2, stats.macTableEntries(), stats.toString());
      assertTrue(stats.macLearnsRefused() >= 1, stats.toString());
    } finally {
      net.shutdown().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
