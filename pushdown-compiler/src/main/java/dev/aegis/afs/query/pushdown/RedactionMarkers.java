package dev.aegis.afs.query.pushdown;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What the text between a redaction marker's brackets can be: one of {@code fixed} followed by
 * {@code hexDigits} lower-case hex digits ({@code REDACTED_EMAIL} and no digits; with blinding
 * {@code EMAIL_} and 8 digits, as in {@code [EMAIL_3f9a1c02]}).
 */
public record RedactionMarkers(List<String> fixed, int hexDigits) {

    public RedactionMarkers {
        fixed = List.copyOf(Objects.requireNonNull(fixed, "fixed is null"));
        if (hexDigits < 0) {
            throw new IllegalArgumentException("hexDigits is negative: " + hexDigits);
        }
    }

    /**
     * True when {@code text} can occur inside some marker's bracketed text (compared with ASCII
     * case folded, and the Kelvin sign and long s read as k and s, under {@code ignoreCase}).
     */
    public boolean canOccurInside(String text, boolean ignoreCase) {
        String t = ignoreCase ? fold(text) : text;
        for (String f : fixed) {
            String inner = ignoreCase ? fold(f) : f;
            if (inner.contains(t)) {
                return true;
            }
            if (hexDigits == 0) {
                continue;
            }
            // t = (a suffix of inner, possibly empty) + (1..hexDigits hex digits)
            for (int k = 0; k < t.length(); k++) {
                String rest = t.substring(k);
                if (rest.length() <= hexDigits && inner.endsWith(t.substring(0, k)) && isHex(rest)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isHex(String s) {
        return s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }

    private static String fold(String s) {
        return s.replace('\u212a', 'k').replace('\u017f', 's').toLowerCase(Locale.ROOT);
    }
}
