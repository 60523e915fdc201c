package dev.aegis.afs.core.redact;

import com.google.re2j.Matcher;
import dev.aegis.afs.query.pushdown.RedactionMarkers;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Replaces sensitive values by {@code [REDACTED_<KIND>]}, or with blinding by a stable pseudonym
 * per tenant ({@code [IPV4_3f9a1c02]}), before anything is filtered, served or stored. Lines
 * between {@code -----BEGIN ... PRIVATE KEY-----} and its END line are replaced whole.
 *
 * <p>Counts are taken from what is served ({@link #countMarkers}), never from what was looked at:
 * a count over lines a filter then dropped would tell a reader what the raw lines held.
 * Not thread-safe: one instance per read ({@link #forRead()}).
 */
public final class Redactor {

    /** Redacts nothing: for envs that turn redaction off. */
    public static final Redactor NONE = new Redactor(List.of(), Optional.empty());

    private final List<RedactionRule> rules;
    private final Optional<Blinding> blinding;
    private final Set<String> kinds;
    private final Map<String, Long> counts = new TreeMap<>();
    private boolean inPrivateKey;

    public Redactor(List<RedactionRule> rules, Optional<Blinding> blinding) {
        this.rules = List.copyOf(rules);
        this.blinding = Objects.requireNonNull(blinding, "blinding is null");
        Set<String> k = new LinkedHashSet<>();
        this.rules.forEach(r -> k.add(r.kind()));
        this.kinds = Set.copyOf(k);
    }

    /** The built-in rules followed by {@code custom}. */
    public static Redactor withBuiltins(List<RedactionRule> custom, Optional<Blinding> blinding) {
        List<RedactionRule> all = new ArrayList<>(BuiltinRules.ALL);
        all.addAll(custom);
        return new Redactor(all, blinding);
    }

    /** A fresh instance with the same rules and zero counts. */
    public Redactor forRead() {
        return new Redactor(rules, blinding);
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /**
     * What the markers this redactor writes hold between their brackets: {@code REDACTED_<KIND>},
     * or with blinding {@code <KIND>_} and 8 hex digits. A literal that cannot occur there (nor
     * holds a bracket) cannot match in or across a marker, which is what lets a backend prefilter
     * raw lines with it ({@code RawPushdown}).
     */
    public RedactionMarkers markers() {
        List<String> fixed = new ArrayList<>();
        for (String kind : kinds) {
            fixed.add(blinding.isPresent() ? kind + "_" : "REDACTED_" + kind);
        }
        return new RedactionMarkers(fixed, blinding.isPresent() ? 8 : 0);
    }

    /** A log line as it may be served. Returns {@code line} itself when nothing in it is sensitive. */
    public String redact(String line) {
        if (rules.isEmpty()) {
            return line;
        }
        if (inPrivateKey) {
            if (line.contains("-----END") && line.contains("PRIVATE KEY-----")) {
                inPrivateKey = false;
            }
            return marker("PRIVATE_KEY", line);
        }
        String out = line;
        for (RedactionRule rule : rules) {
            if (rule.precheck().test(out)) {
                out = apply(rule, out);
            }
        }
        return out;
    }

    /**
     * A line of Kubernetes YAML: only values are redacted, never keys, and a value that is a
     * plain number stays (replicas, ports, sizes are what an agent reasons on).
     */
    public String redactYaml(String line) {
        if (rules.isEmpty()) {
            return line;
        }
        int valueAt = YamlLines.valueStart(line);
        if (valueAt < 0) {
            return redact(line); // a block-scalar or other text line: all of it is value
        }
        if (valueAt == line.length() || YamlLines.isNumber(line, valueAt)) {
            return line;
        }
        // The whole line first, so a key gives context (password: x); if that touched the key,
        // keep the key as it is and redact the value alone.
        String key = line.substring(0, valueAt);
        String whole = redact(line);
        if (whole.startsWith(key)) {
            return whole;
        }
        return key + redact(line.substring(valueAt));
    }

    private String apply(RedactionRule rule, String line) {
        Matcher m = rule.pattern().matcher(line);
        if (!m.find()) {
            return line;
        }
        StringBuilder out = null;
        int last = 0;
        do {
            int group = rule.group();
            while (group > 0 && group < rule.pattern().groupCount() && m.start(group) < 0) {
                group++; // alternatives: the first group that took part holds the value
            }
            int start = m.start(group);
            int end = m.end(group);
            if (start < 0 || !rule.accept().accept(line, m.start(), m.end())) {
                continue;
            }
            String value = line.substring(start, end);
            if (out == null) {
                out = new StringBuilder(line.length());
            }
            out.append(line, last, start).append(replacement(rule.kind(), value));
            last = end;
            if (rule.kind().equals("PRIVATE_KEY") && !value.contains("-----END")) {
                inPrivateKey = true; // the key's body follows on the next lines: drop them up to END
                return out.toString();
            }
        } while (m.find());
        return out == null ? line : out.append(line, last, line.length()).toString();
    }

    private String marker(String kind, String value) {
        return replacement(kind, value);
    }

    private String replacement(String kind, String value) {
        return blinding.map(b -> "[" + kind + "_" + b.pseudonym(kind, value) + "]").orElse("[REDACTED_" + kind + "]");
    }

    /**
     * Counts the markers in a line about to be served (the only counts a reader sees).
     * A raw line that already held {@code [REDACTED_EMAIL]} counts too; that is the price of
     * counting only what is served.
     */
    public void countMarkers(String served) {
        if (rules.isEmpty() || served.indexOf('[') < 0) {
            return;
        }
        if (blinding.isEmpty()) {
            for (int i = served.indexOf("[REDACTED_"); i >= 0; i = served.indexOf("[REDACTED_", i + 1)) {
                int close = served.indexOf(']', i);
                if (close > 0) {
                    String kind = served.substring(i + "[REDACTED_".length(), close);
                    if (kinds.contains(kind)) {
                        counts.merge(kind, 1L, Long::sum);
                    }
                }
            }
            return;
        }
        for (String kind : kinds) {
            String open = "[" + kind + "_";
            for (int i = served.indexOf(open); i >= 0; i = served.indexOf(open, i + 1)) {
                int hex = i + open.length();
                if (hex + 9 <= served.length() && served.charAt(hex + 8) == ']'
                        && served.substring(hex, hex + 8).chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                    counts.merge(kind, 1L, Long::sum);
                }
            }
        }
    }

    /** How many values of each kind were served by this read. */
    public Map<String, Long> counts() {
        return Map.copyOf(counts);
    }
}
