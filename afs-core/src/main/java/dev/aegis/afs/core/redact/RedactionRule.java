package dev.aegis.afs.core.redact;

import com.google.re2j.Pattern;
import dev.aegis.afs.query.RegexBudget;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * One kind of sensitive value: a cheap precheck most lines fail (a literal or a character test,
 * so the regex runs only on lines that can hold the value), a linear-time RE2 pattern, the group
 * that holds the value (0 = the whole match; a password rule keeps {@code password=} and
 * replaces what follows), and a check on each match in its line (Luhn and digit context for
 * card numbers) so look-alikes stay readable.
 */
public record RedactionRule(String kind, Predicate<String> precheck, Pattern pattern, int group, MatchCheck accept) {

    /** Whether the match {@code [start, end)} of {@code line} is really a value of this kind. */
    @FunctionalInterface
    public interface MatchCheck {
        boolean accept(String line, int start, int end);
    }

    public RedactionRule {
        Objects.requireNonNull(kind, "kind is null");
        Objects.requireNonNull(precheck, "precheck is null");
        Objects.requireNonNull(pattern, "pattern is null");
        Objects.requireNonNull(accept, "accept is null");
        if (!kind.matches("[A-Z][A-Z0-9_]*")) {
            throw new IllegalArgumentException("kind '" + kind + "' must be upper case letters, digits and '_'");
        }
        if (group < 0 || group > pattern.groupCount()) {
            throw new IllegalArgumentException("rule " + kind + " has no group " + group);
        }
    }

    /** A custom rule from namespaces.yaml: no precheck, the whole match replaced; checked by {@link RegexBudget}. */
    public static RedactionRule of(String kind, String re2) {
        return new RedactionRule(kind, line -> true, RegexBudget.compile(re2), 0, (l, s, e) -> true);
    }
}
