package dev.aegis.afs.query.promql;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.aegis.afs.query.QuerySyntaxException;
import java.util.Map;
import java.util.Objects;

/**
 * One PromQL label matcher, e.g. {@code job="api"} or {@code code=~"5.."}. Regular expressions
 * use RE2 syntax (Prometheus uses Go's RE2, RE2J implements the same) and, as in Prometheus,
 * must match the whole value.
 */
public record LabelMatcher(String label, Op op, String value) {

    public enum Op {
        EQ("="), NEQ("!="), RE("=~"), NRE("!~");

        private final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }

        public boolean isRegex() {
            return this == RE || this == NRE;
        }
    }

    public LabelMatcher {
        Objects.requireNonNull(label, "label is null");
        Objects.requireNonNull(op, "op is null");
        Objects.requireNonNull(value, "value is null");
        if (!PromQlStrings.isLabelName(label)) {
            throw new QuerySyntaxException("'" + label + "' is not a label name; a label name is a letter or _"
                    + " followed by letters, digits and _, e.g. job");
        }
        if (op.isRegex()) {
            compile(value);
        }
    }

    public static LabelMatcher eq(String label, String value) {
        return new LabelMatcher(label, Op.EQ, value);
    }

    /**
     * Parses the value of a {@code match=} term: {@code label=value}, {@code label!=value},
     * {@code label=~regex} or {@code label!~regex}. The value is taken as written (no quotes).
     */
    public static LabelMatcher parse(String text) {
        Objects.requireNonNull(text, "text is null");
        int end = 0;
        while (end < text.length() && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_')) {
            end++;
        }
        String label = text.substring(0, end);
        String rest = text.substring(end);
        for (Op op : new Op[] {Op.RE, Op.NRE, Op.NEQ, Op.EQ}) {
            if (rest.startsWith(op.symbol())) {
                if (label.isEmpty()) {
                    break;
                }
                return new LabelMatcher(label, op, rest.substring(op.symbol().length()));
            }
        }
        throw new QuerySyntaxException("'" + text + "' is not a label matcher; write label=value, label!=value,"
                + " label=~regex or label!~regex, e.g. match=code=~5..");
    }

    /** This matcher in PromQL, e.g. {@code job="api"}. */
    public String toPromQl() {
        return label + op.symbol() + PromQlStrings.quote(value);
    }

    /** Whether a series with {@code labels} passes, with Prometheus' semantics (a missing label is ""). */
    public boolean matches(Map<String, String> labels) {
        String actual = labels.getOrDefault(label, "");
        return switch (op) {
            case EQ -> actual.equals(value);
            case NEQ -> !actual.equals(value);
            case RE -> compile(value).matches(actual);
            case NRE -> !compile(value).matches(actual);
        };
    }

    private static Pattern compile(String regex) {
        try {
            // Prometheus anchors label regexes and lets '.' match newlines
            return dev.aegis.afs.query.RegexBudget.compile("^(?s:" + regex + ")$");
        } catch (PatternSyntaxException e) {
            throw new QuerySyntaxException("invalid regular expression '" + regex + "': " + e.getDescription()
                    + "; label regexes use RE2 syntax and match the whole value, e.g. 5..");
        }
    }

    @Override
    public String toString() {
        return toPromQl();
    }
}
