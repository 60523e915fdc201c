package dev.aegis.afs.query.logql;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.util.Objects;

/**
 * A LogQL stream selector such as {@code {app="payment-api",env="prod"}}: one or more label
 * matchers ({@code =}, {@code !=}, {@code =~}, {@code !~}) with double-quoted or raw values.
 */
public record StreamSelector(String text) {

    private static final String VALUE = "(?:\"(?:[^\"\\\\\\n]|\\\\.)*\"|`[^`]*`)";
    private static final String MATCHER = "\\s*[a-zA-Z_][a-zA-Z0-9_]*\\s*(?:=~|!~|!=|=)\\s*" + VALUE + "\\s*";
    private static final Pattern SHAPE = Pattern.compile("\\{" + MATCHER + "(?:," + MATCHER + ")*\\}");
    private static final Pattern NON_EMPTY = Pattern.compile("[a-zA-Z0-9_\\s](?:=~|=)\\s*(?:\"[^\"]|`[^`])");

    public StreamSelector {
        Objects.requireNonNull(text, "text is null");
        text = text.strip();
        Matcher m = SHAPE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a LogQL stream selector;"
                    + " write label matchers in braces, e.g. {app=\"payment-api\",env=\"prod\"}");
        }
        if (!NON_EMPTY.matcher(text).find()) {
            throw new IllegalArgumentException("stream selector '" + text + "' matches every stream;"
                    + " Loki needs at least one positive matcher with a non-empty value, e.g. app=\"payment-api\"");
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
