package dev.aegis.afs.query.logql;

/** Writes text as a LogQL string literal whose value is exactly that text (Go string rules). */
public final class LogQlStrings {

    private LogQlStrings() {
    }

    /** A raw {@code `...`} string when that reads better and is exact, else a double-quoted one. */
    public static String quote(String text) {
        if (text.indexOf('\\') >= 0 && text.indexOf('`') < 0 && !hasControl(text)) {
            return "`" + text + "`";
        }
        return doubleQuoted(text);
    }

    /** Always a double-quoted Go string. */
    public static String doubleQuoted(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static boolean hasControl(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }
}
