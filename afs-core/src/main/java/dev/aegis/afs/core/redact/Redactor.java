package dev.aegis.afs.core.redact;

import com.google.re2j.Matcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Replaces sensitive values in backend output by {@code [REDACTED_<KIND>]}, or with blinding by
 * a stable pseudonym per tenant ({@code [IPV4_3f9a1c02]}), before anything is served or stored.
 * Lines between {@code -----BEGIN ... PRIVATE KEY-----} and its END line are replaced whole.
 * Not thread-safe: one instance per read ({@link #forRead()}).
 */
public final class Redactor {

    /** Redacts nothing: for envs that turn redaction off. */
    public static final Redactor NONE = new Redactor(List.of(), Optional.empty());

    private final List<RedactionRule> rules;
    private final Optional<Blinding> blinding;
    private final Map<String, Long> counts = new TreeMap<>();
    private boolean inPrivateKey;

    public Redactor(List<RedactionRule> rules, Optional<Blinding> blinding) {
        this.rules = List.copyOf(rules);
        this.blinding = Objects.requireNonNull(blinding, "blinding is null");
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

    public String redact(String line) {
        if (rules.isEmpty()) {
            return line;
        }
        if (inPrivateKey) {
            if (line.contains("-----END") && line.contains("PRIVATE KEY-----")) {
                inPrivateKey = false;
            }
            count("PRIVATE_KEY");
            return "[REDACTED_PRIVATE_KEY]";
        }
        String out = line;
        for (RedactionRule rule : rules) {
            out = apply(rule, out);
        }
        return out;
    }

    private String apply(RedactionRule rule, String line) {
        Matcher m = rule.pattern().matcher(line);
        if (!m.find()) {
            return line;
        }
        StringBuilder out = new StringBuilder(line.length());
        int last = 0;
        do {
            String value = m.group();
            if (!rule.accept().test(value)) {
                continue;
            }
            out.append(line, last, m.start()).append(replacement(rule.kind(), value));
            last = m.end();
            count(rule.kind());
            if (rule.kind().equals("PRIVATE_KEY") && !value.contains("-----END")) {
                inPrivateKey = true; // the key's body follows on the next lines: drop them up to END
                return out.toString();
            }
        } while (m.find());
        return out.append(line, last, line.length()).toString();
    }

    private String replacement(String kind, String value) {
        return blinding.map(b -> "[" + kind + "_" + b.pseudonym(kind, value) + "]").orElse("[REDACTED_" + kind + "]");
    }

    private void count(String kind) {
        counts.merge(kind, 1L, Long::sum);
    }

    /** How many values of each kind this read replaced. */
    public Map<String, Long> counts() {
        return Map.copyOf(counts);
    }
}
