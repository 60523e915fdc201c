package dev.aegis.afs.core.redact;

import com.google.re2j.Pattern;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * One kind of sensitive value: a linear-time RE2 pattern, and an optional check on each match
 * (a Luhn check for card numbers) so that look-alikes stay readable.
 */
public record RedactionRule(String kind, Pattern pattern, Predicate<String> accept) {

    public RedactionRule {
        Objects.requireNonNull(kind, "kind is null");
        Objects.requireNonNull(pattern, "pattern is null");
        Objects.requireNonNull(accept, "accept is null");
        if (!kind.matches("[A-Z][A-Z0-9_]*")) {
            throw new IllegalArgumentException("kind '" + kind + "' must be upper case letters, digits and '_'");
        }
    }

    public static RedactionRule of(String kind, String re2) {
        return new RedactionRule(kind, Pattern.compile(re2), m -> true);
    }
}
