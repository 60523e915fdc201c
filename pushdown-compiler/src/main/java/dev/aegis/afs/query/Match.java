package dev.aegis.afs.query;

import java.util.Objects;

/**
 * One pattern of a filter. {@code text} is either a literal string ({@code literal}) or a
 * regular expression in RE2 syntax (shell-form BRE/ERE is translated before it gets here).
 */
public record Match(String text, boolean literal, boolean ignoreCase) {

    public Match {
        Objects.requireNonNull(text, "text is null");
    }

    public static Match literal(String text) {
        return new Match(text, true, false);
    }

    public static Match regex(String re2) {
        return new Match(re2, false, false);
    }

    /** This pattern as one RE2 expression (literal text quoted, case folding as a flag). */
    public String toRe2() {
        String body = literal ? quote(text) : text;
        return ignoreCase ? "(?i)" + body : body;
    }

    /** Quotes every RE2 metacharacter in {@code text}. */
    public static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }
}
