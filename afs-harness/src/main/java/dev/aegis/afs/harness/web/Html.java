package dev.aegis.afs.harness.web;

/**
 * HTML text. Everything that did not come from this code (hypotheses, evidence lines, plan
 * text, user and request names) goes through {@link #esc} once, where it is written into the
 * page; together with the Content-Security-Policy that allows script only from /web/static,
 * a stored {@code <script>} is shown as text and never runs.
 */
final class Html {

    private final StringBuilder b = new StringBuilder();

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** Markup written by this code: never pass anything agent- or user-written here. */
    Html raw(String markup) {
        b.append(markup);
        return this;
    }

    /** Text from anywhere: escaped. */
    Html text(Object s) {
        b.append(esc(String.valueOf(s)));
        return this;
    }

    /** {@code <tag class="cls">text</tag>}, the text escaped. */
    Html el(String tag, String cls, Object text) {
        b.append('<').append(tag);
        if (cls != null) {
            b.append(" class=\"").append(cls).append('"');
        }
        b.append('>').append(esc(String.valueOf(text))).append("</").append(tag).append('>');
        return this;
    }

    @Override
    public String toString() {
        return b.toString();
    }
}
