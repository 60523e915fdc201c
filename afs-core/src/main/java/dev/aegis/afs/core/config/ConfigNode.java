package dev.aegis.afs.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A YAML value that remembers where it was written, so every configuration error can name
 * {@code file:line:column}. Read it with the typed accessors; each names the key and the fix
 * when the value is missing or of the wrong kind. Immutable.
 */
public final class ConfigNode {

    public enum Kind { MAP, LIST, SCALAR, NULL }

    private final Kind kind;
    private final String where;
    private final String scalar;
    private final Map<String, ConfigNode> map;
    private final List<ConfigNode> list;

    ConfigNode(Kind kind, String where, String scalar, Map<String, ConfigNode> map, List<ConfigNode> list) {
        this.kind = kind;
        this.where = where;
        this.scalar = scalar;
        this.map = map == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
        this.list = list == null ? List.of() : List.copyOf(list);
    }

    public Kind kind() {
        return kind;
    }

    /** {@code file:line:column} of this value. */
    public String where() {
        return where;
    }

    public boolean isMap() {
        return kind == Kind.MAP;
    }

    public boolean isNull() {
        return kind == Kind.NULL;
    }

    /** Keys in the order written. */
    public Set<String> keys() {
        return map.keySet();
    }

    public Map<String, ConfigNode> entries() {
        return map;
    }

    public List<ConfigNode> items() {
        requireKind(Kind.LIST, "a list");
        return list;
    }

    /** This map without {@code keys}: the core reads its own keys and hands the rest on. */
    public ConfigNode without(Set<String> keys) {
        requireKind(Kind.MAP, "a map");
        Map<String, ConfigNode> rest = new LinkedHashMap<>(map);
        rest.keySet().removeAll(keys);
        return new ConfigNode(kind, where, null, rest, null);
    }

    public Optional<ConfigNode> get(String key) {
        return Optional.ofNullable(map.get(key)).filter(n -> !n.isNull());
    }

    /** The value under {@code key}; an error naming the key when absent. */
    public ConfigNode require(String key) {
        requireKind(Kind.MAP, "a map");
        return get(key).orElseThrow(() -> error("missing key '" + key + "'; add '" + key + ": ...'"));
    }

    /** Fails on any key not in {@code allowed}, naming the allowed ones (and a close match). */
    public ConfigNode allowOnly(Set<String> allowed) {
        requireKind(Kind.MAP, "a map");
        for (Map.Entry<String, ConfigNode> e : map.entrySet()) {
            if (!allowed.contains(e.getKey())) {
                String hint = closest(e.getKey(), allowed).map(s -> "; did you mean '" + s + "'?").orElse("");
                throw e.getValue().errorAtKey("unknown key '" + e.getKey() + "'" + hint
                        + " (allowed here: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
        return this;
    }

    public String asString() {
        requireKind(Kind.SCALAR, "a string");
        return scalar;
    }

    public String string(String key) {
        return require(key).asString();
    }

    public Optional<String> optString(String key) {
        return get(key).map(ConfigNode::asString);
    }

    public long asLong(long min, long max) {
        requireKind(Kind.SCALAR, "a whole number");
        try {
            long v = Long.parseLong(scalar.trim());
            if (v < min || v > max) {
                throw error("value " + v + " is out of range; use a number from " + min + " to " + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw error("'" + scalar + "' is not a whole number; write e.g. 100");
        }
    }

    public boolean asBoolean() {
        requireKind(Kind.SCALAR, "true or false");
        return switch (scalar.trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw error("'" + scalar + "' is not a boolean; write true or false");
        };
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    /** Durations are written as {@code 500ms}, {@code 30s}, {@code 15m}, {@code 2h} or {@code 7d}. */
    public Duration asDuration() {
        requireKind(Kind.SCALAR, "a duration such as 15m");
        Matcher m = DURATION.matcher(scalar.trim());
        if (!m.matches()) {
            throw error("'" + scalar + "' is not a duration; write e.g. 500ms, 30s, 15m, 2h or 7d");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** A list of strings, or a single string taken as a one-element list. */
    public List<String> asStringList() {
        if (kind == Kind.SCALAR) {
            return List.of(scalar);
        }
        List<String> out = new ArrayList<>();
        for (ConfigNode item : items()) {
            out.add(item.asString());
        }
        return out;
    }

    /** An error at this value's position. */
    public ConfigException error(String message) {
        return new ConfigException(where + ": " + message);
    }

    private ConfigException errorAtKey(String message) {
        return error(message);
    }

    private void requireKind(Kind expected, String what) {
        if (kind != expected) {
            throw error("expected " + what + " here, found " + describe());
        }
    }

    private String describe() {
        return switch (kind) {
            case MAP -> "a map";
            case LIST -> "a list";
            case NULL -> "nothing";
            case SCALAR -> "'" + scalar + "'";
        };
    }

    private static Optional<String> closest(String key, Set<String> allowed) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : allowed) {
            int d = distance(key, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return Optional.ofNullable(best);
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
