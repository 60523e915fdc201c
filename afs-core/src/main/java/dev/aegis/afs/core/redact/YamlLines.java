package dev.aegis.afs.core.redact;

/** Where the value of a YAML line starts ({@code key: value}, {@code - value}), and whether it is a number. */
final class YamlLines {

    private YamlLines() {
    }

    /**
     * The index where the value begins, {@code line.length()} for a key with no inline value,
     * or -1 when the line is not a {@code key:} or {@code - } line (a block scalar's text).
     */
    static int valueStart(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) == ' ') {
            i++;
        }
        while (line.startsWith("- ", i)) {
            i += 2; // list items: "- value", "- key: value"
        }
        if (i == line.length() || (line.charAt(i) == '-' && i + 1 == line.length())) {
            return line.length();
        }
        int keyEnd = keyEnd(line, i);
        if (keyEnd < 0) {
            return i > 0 && line.startsWith("- ", i - 2) ? i : -1;
        }
        int v = keyEnd + 1;
        while (v < line.length() && line.charAt(v) == ' ') {
            v++;
        }
        return v;
    }

    /** The index of the ':' that ends a plain or quoted key starting at {@code i}, else -1. */
    private static int keyEnd(String line, int i) {
        char first = line.charAt(i);
        if (first == '"' || first == '\'') {
            int close = line.indexOf(first, i + 1);
            return close > 0 && close + 1 < line.length() && line.charAt(close + 1) == ':'
                    && (close + 2 == line.length() || line.charAt(close + 2) == ' ') ? close + 1 : -1;
        }
        for (int k = i; k < line.length(); k++) {
            char c = line.charAt(k);
            if (c == ':' && (k + 1 == line.length() || line.charAt(k + 1) == ' ')) {
                return k;
            }
            if (c == ' ' || c == '"' || c == '\'' || c == '#') {
                return -1; // keys written by Jackson's YAML have no spaces
            }
        }
        return -1;
    }

    /** A plain or quoted integer or decimal, e.g. {@code 3}, {@code "8080"}, {@code 0.25}. */
    static boolean isNumber(String line, int at) {
        String v = line.substring(at).strip();
        if (v.length() >= 2 && (v.charAt(0) == '"' || v.charAt(0) == '\'') && v.charAt(v.length() - 1) == v.charAt(0)) {
            v = v.substring(1, v.length() - 1);
        }
        return !v.isEmpty() && v.length() <= 40 && v.matches("[-+]?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?");
    }
}
