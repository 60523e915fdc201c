package dev.aegis.afs.query.promql;

import java.util.regex.Pattern;

/** Writes PromQL string literals and checks names, so any label value round-trips exactly. */
public final class PromQlStrings {

    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private PromQlStrings() {
    }

    /**
     * A double-quoted PromQL string whose value is exactly {@code text}. PromQL unquotes with Go's
     * rules: {@code \\}, {@code \"}, {@code \n}, {@code \r}, {@code \t} are escaped, other C0
     * controls and DEL as {@code \xHH}, C1 controls as {@code \}{@code uHHHH}; everything else is
     * written as itself (UTF-8 on the wire).
     */
    public static String quote(String text) {
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
                    } else if (c >= 0x80 && c <= 0x9f) {
                        // \xHH would be a lone byte (invalid UTF-8) in Go; a \\u escape is the rune
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    public static boolean isLabelName(String name) {
        return name != null && LABEL_NAME.matcher(name).matches();
    }

    public static boolean isMetricName(String name) {
        return name != null && METRIC_NAME.matcher(name).matches();
    }
}
