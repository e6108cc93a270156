package dev.vnetif.cli;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * One object of a scenario file being read, under its path ({@code scenario.traffic[1]}). It
 * remembers which keys were read, so that {@link #checkNoOtherKeys()} can name a misspelt one, and
 * every error it raises names the file, the key, the line and the bad value:
 *
 * <pre>
 * bad scenario lossy.conf: scenario.conditions[0].loss = 150% (line 12): '150%' is more than 100%
 * </pre>
 */
final class ConfigSection {
  private final ConfigObject object;
  private final String path;
  private final String file;
  private final Set<String> read = new LinkedHashSet<>();

  ConfigSection(ConfigObject object, String path, String file) {
    this.object = object;
    this.path = path;
    this.file = file;
  }

  String path() {
    return path;
  }

  boolean has(String key) {
    read.add(key);
    ConfigValue v = object.get(key);
    return v != null && v.valueType() != ConfigValueType.NULL;
  }

  /** Whether {@code key} holds an object rather than a single value or a list. */
  boolean isObject(String key) {
    return object.get(key) instanceof ConfigObject;
  }

  /** The keys present, in the file's order where HOCON keeps it. */
  Set<String> keys() {
    return new LinkedHashSet<>(object.keySet());
  }

  /** A single value as text ({@code 1%}, {@code 50ms}, {@code 20}), required. */
  String text(String key) {
    ConfigValue v = required(key);
    if (v.valueType() == ConfigValueType.LIST || v.valueType() == ConfigValueType.OBJECT) {
      throw error(key, "expected a single value, got " + kind(v) + " " + render(v));
    }
    return String.valueOf(v.unwrapped()).strip();
  }

  /** A single value parsed by {@code parse}, whose error message is put behind the key. */
  <T> T value(String key, Function<String, T> parse) {
    String text = text(key);
    try {
      return parse.apply(text);
    } catch (IllegalArgumentException e) {
      throw error(key, e.getMessage());
    }
  }

  /** Likewise, or null when the key is absent. */
  <T> T optional(String key, Function<String, T> parse) {
    return has(key) ? value(key, parse) : null;
  }

  /** Likewise, or {@code fallback} when the key is absent. */
  <T> T optional(String key, Function<String, T> parse, T fallback) {
    return has(key) ? value(key, parse) : fallback;
  }

  /** A list of single values as text, e.g. {@code cut = [a, b]}. */
  List<String> texts(String key) {
    ConfigValue v = required(key);
    if (!(v instanceof ConfigList list)) {
      throw error(key, "expected a list such as [a, b], got " + kind(v) + " " + render(v));
    }
    List<String> out = new ArrayList<>();
    for (ConfigValue item : list) {
      if (item.valueType() == ConfigValueType.LIST || item.valueType() == ConfigValueType.OBJECT) {
        throw error(key, "expected a list of names, got " + render(v));
      }
      out.add(String.valueOf(item.unwrapped()).strip());
    }
    return out;
  }

  /** An object, e.g. {@code slot { min = 2ms }}. */
  ConfigSection section(String key) {
    ConfigValue v = required(key);
    if (!(v instanceof ConfigObject o)) {
      throw error(key, "expected an object { ... }, got " + kind(v) + " " + render(v));
    }
    return new ConfigSection(o, child(key), file);
  }

  /** A list of objects; a single object counts as a list of one. Absent: an empty list. */
  List<ConfigSection> sections(String key) {
    if (!has(key)) {
      return List.of();
    }
    ConfigValue v = object.get(key);
    if (v instanceof ConfigObject) {
      return List.of(section(key));
    }
    if (!(v instanceof ConfigList list)) {
      throw error(key, "expected a list of objects [ { ... } ], got " + kind(v) + " " + render(v));
    }
    List<ConfigSection> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof ConfigObject o)) {
        throw error(
            key + "[" + i + "]", "expected an object { ... }, got " + render(list.get(i)), list);
      }
      out.add(new ConfigSection(o, child(key) + "[" + i + "]", file));
    }
    return out;
  }

  /**
   * Fails on a key nothing read, naming it and the keys this object takes (a misspelt {@code los =
   * 1%} must not pass silently as a link without loss).
   */
  void checkNoOtherKeys() {
    for (String key : object.keySet()) {
      if (!read.contains(key)) {
        throw error(
            key,
            "unknown key '"
                + key
                + "'"
                + (read.isEmpty()
                    ? ""
                    : "; known here: " + String.join(", ", new TreeSet<>(read))));
      }
    }
  }

  /** An error about {@code key} of this object, with the file, path, line and value. */
  IllegalArgumentException error(String key, String message) {
    return error(key, message, object.get(key));
  }

  /** An error about this object as a whole. */
  IllegalArgumentException error(String message) {
    return new IllegalArgumentException(
        "bad scenario " + file + ": " + path + line(object) + ": " + message);
  }

  private IllegalArgumentException error(String key, String message, ConfigValue value) {
    String shown =
        value == null
            ? ""
            : value.valueType() == ConfigValueType.OBJECT
                    || value.valueType() == ConfigValueType.LIST
                ? ""
                : " = " + render(value);
    return new IllegalArgumentException(
        "bad scenario "
            + file
            + ": "
            + child(key)
            + shown
            + line(value == null ? object : value)
            + ": "
            + message);
  }

  private String child(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private ConfigValue required(String key) {
    read.add(key);
    ConfigValue v = object.get(key);
    if (v == null || v.valueType() == ConfigValueType.NULL) {
      throw new IllegalArgumentException(
          "bad scenario " + file + ": " + path + line(object) + ": missing key '" + key + "'");
    }
    return v;
  }

  private static String line(ConfigValue v) {
    int line = v.origin().lineNumber();
    return line > 0 ? " (line " + line + ")" : "";
  }

  private static String kind(ConfigValue v) {
    return switch (v.valueType()) {
      case LIST -> "a list";
      case OBJECT -> "an object";
      default -> "a value";
    };
  }

  private static String render(ConfigValue v) {
    return v.valueType() == ConfigValueType.STRING
        ? String.valueOf(v.unwrapped())
        : v.render(com.typesafe.config.ConfigRenderOptions.concise());
  }
}
