package dev.aegis.afs.core;

/**
 * The one place that makes caller-controlled text safe for the daemon log and
 * {@code /.afs/errors}: a path or query may hold a newline or an escape sequence, and written
 * raw it would start a forged entry or recolour a terminal. Control characters become
 * {@code \n}, {@code \r}, {@code \t} or {@code \xHH}; Unicode line and paragraph separators
 * become {@code \u2028} / {@code \u2029}. Everything else, backslashes included, is left as is
 * (a reader copying a pattern back from the log gets the pattern).
 */
public final class LogText {

    private LogText() {
    }

    public static String escape(String text) {
        if (text == null) {
            return "null";
        }
        int i = 0;
        while (i < text.length() && !special(text.charAt(i))) {
            i++;
        }
        if (i == text.length()) {
            return text; // the common case: nothing to escape, no copy
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!special(c)) {
                out.append(c);
                continue;
            }
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\u2028' -> out.append("\\u2028");
                case '\u2029' -> out.append("\\u2029");
                default -> out.append(String.format("\\x%02x", (int) c));
            }
        }
        return out.toString();
    }

    private static boolean special(char c) {
        return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029';
    }
}
