package dev.aegis.afs.core.redact;

/**
 * When digits are a card number: 13 to 19 digits (single spaces or dashes between groups), the
 * Luhn check passes, and the number stands alone. Never a fragment of a longer number: not
 * after or before another digit, not the fraction of a decimal ({@code 16817.4111111111111111}),
 * not the integer part of one. Card numbers start with 2-6 (the pattern says so), so epoch
 * milliseconds ({@code 1732190400000}) are never taken for one.
 */
final class Cards {

    private Cards() {
    }

    static boolean accept(String line, int start, int end) {
        if (start > 0) {
            char before = line.charAt(start - 1);
            if (BuiltinRules.isDigit(before) || before == '.' || before == ',' && start > 1
                    && BuiltinRules.isDigit(line.charAt(start - 2))) {
                return false;
            }
        }
        if (end < line.length()) {
            char after = line.charAt(end);
            if (BuiltinRules.isDigit(after) || (after == '.' || after == ',') && end + 1 < line.length()
                    && BuiltinRules.isDigit(line.charAt(end + 1))) {
                return false;
            }
        }
        return luhn(line, start, end);
    }

    /** The Luhn checksum of the digits in {@code [start, end)}, which must be 13 to 19. */
    static boolean luhn(CharSequence candidate, int start, int end) {
        int sum = 0;
        boolean twice = false;
        int digits = 0;
        for (int i = end - 1; i >= start; i--) {
            char c = candidate.charAt(i);
            if (c < '0' || c > '9') {
                continue;
            }
            int d = c - '0';
            if (twice) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            twice = !twice;
            digits++;
        }
        return digits >= 13 && digits <= 19 && sum % 10 == 0;
    }
}
