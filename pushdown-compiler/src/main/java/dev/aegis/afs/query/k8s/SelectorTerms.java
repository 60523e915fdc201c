package dev.aegis.afs.query.k8s;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.path.PathQuery;
import dev.aegis.afs.query.path.PathTerm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Compiles the selector terms of a kind directory or file, e.g. {@code pods?label=app=api&phase=Failed}.
 *
 * <ul>
 *   <li>{@code label=SELECTOR}: a label selector in the API's syntax: {@code app=api},
 *       {@code app!=api}, {@code app}, {@code !app}, {@code tier in (a,b)}, {@code tier notin (a,b)},
 *       requirements separated by commas (write spaces as {@code %20}).</li>
 *   <li>{@code field=SELECTOR}: a field selector, {@code status.phase=Failed} or
 *       {@code spec.nodeName!=n1}, comma separated. Which fields the server accepts depends on
 *       the kind (pods: {@code status.phase}, {@code spec.nodeName}, ...).</li>
 *   <li>Shorthands the caller names, e.g. {@code phase=Failed} for {@code field=status.phase=Failed}.</li>
 * </ul>
 * Every term is ANDed with the others.
 */
public final class SelectorTerms {

    private static final String NAME = "[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?";
    private static final String KEY = "(?:[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?/)?" + NAME;
    private static final Pattern LABEL_NAME_OR_EMPTY = Pattern.compile("(?:" + NAME + ")?");
    private static final Pattern EXISTS = Pattern.compile("\\s*(!?)\\s*(" + KEY + ")\\s*");
    private static final Pattern COMPARE = Pattern.compile("\\s*(" + KEY + ")\\s*(==|=|!=)\\s*([^\\s]*)\\s*");
    private static final Pattern SET = Pattern.compile("\\s*(" + KEY + ")\\s+(in|notin)\\s*\\(([^()]*)\\)\\s*");
    private static final Pattern FIELD = Pattern.compile("([A-Za-z0-9.]+)(==|=|!=)([^,\\\\]*)");

    private final Map<String, String> shorthands;

    /** @param shorthands term key -> field path, e.g. {@code phase -> status.phase} */
    public SelectorTerms(Map<String, String> shorthands) {
        this.shorthands = Map.copyOf(Objects.requireNonNull(shorthands, "shorthands is null"));
    }

    /** The keys these terms take, for messages and for splitting a mixed query. */
    public Set<String> keys() {
        Set<String> keys = new java.util.TreeSet<>(shorthands.keySet());
        keys.add("label");
        keys.add("field");
        return keys;
    }

    /** @throws QuerySyntaxException naming the term's column and the fix */
    public ObjectSelector compile(PathQuery query) {
        Objects.requireNonNull(query, "query is null");
        List<LabelRequirement> labels = new ArrayList<>();
        List<FieldRequirement> fields = new ArrayList<>();
        for (PathTerm term : query.terms()) {
            switch (term.key()) {
                case "label" -> labels.addAll(labelSelector(term));
                case "field" -> fields.addAll(fieldSelector(term));
                default -> {
                    String field = shorthands.get(term.key());
                    if (field == null) {
                        throw new QuerySyntaxException("unknown key '" + term.key() + "'; this listing takes "
                                + String.join(", ", keys()) + ", e.g. label=app=api", term.column());
                    }
                    if (term.value().isEmpty() || term.value().contains(",")) {
                        throw new QuerySyntaxException(term.key() + "= needs one value, e.g. " + term.key()
                                + "=" + example(term.key()) + "; for more, use field=" + field + "!=...", term.column());
                    }
                    fields.add(new FieldRequirement(field, true, term.value()));
                }
            }
        }
        return new ObjectSelector(labels, fields);
    }

    /** Parses a label selector, e.g. {@code app=api,tier in (web,db),!canary}. */
    static List<LabelRequirement> labelSelector(PathTerm term) {
        List<LabelRequirement> out = new ArrayList<>();
        for (String part : splitOutsideParentheses(term.value())) {
            out.add(requirement(part, term));
        }
        return out;
    }

    private static LabelRequirement requirement(String text, PathTerm term) {
        Matcher m = SET.matcher(text);
        if (m.matches()) {
            List<String> values = Arrays.stream(m.group(3).split(",", -1)).map(String::trim).toList();
            for (String v : values) {
                checkValue(v, term);
            }
            LabelRequirement.Operator op = m.group(2).equals("in")
                    ? LabelRequirement.Operator.IN : LabelRequirement.Operator.NOT_IN;
            return new LabelRequirement(m.group(1), op, values);
        }
        m = COMPARE.matcher(text);
        if (m.matches()) {
            checkValue(m.group(3), term);
            LabelRequirement.Operator op = m.group(2).equals("!=")
                    ? LabelRequirement.Operator.NOT_EQUALS : LabelRequirement.Operator.EQUALS;
            return new LabelRequirement(m.group(1), op, List.of(m.group(3)));
        }
        m = EXISTS.matcher(text);
        if (m.matches()) {
            LabelRequirement.Operator op = m.group(1).isEmpty()
                    ? LabelRequirement.Operator.EXISTS : LabelRequirement.Operator.DOES_NOT_EXIST;
            return new LabelRequirement(m.group(2), op, List.of());
        }
        throw new QuerySyntaxException("'" + text.trim() + "' is not a label requirement; write key=value,"
                + " key!=value, key, !key, key%20in%20(a,b) or key%20notin%20(a,b), e.g. label=app=payment-api",
                term.column());
    }

    private static void checkValue(String value, PathTerm term) {
        if (value.length() > 63 || !LABEL_NAME_OR_EMPTY.matcher(value).matches()) {
            throw new QuerySyntaxException("'" + value + "' is not a label value; a value is at most 63 letters,"
                    + " digits, '-', '_' or '.', starting and ending with a letter or digit", term.column());
        }
    }

    /** Parses a field selector, e.g. {@code status.phase=Failed,spec.nodeName!=n1}. */
    static List<FieldRequirement> fieldSelector(PathTerm term) {
        List<FieldRequirement> out = new ArrayList<>();
        for (String part : term.value().split(",", -1)) {
            Matcher m = FIELD.matcher(part);
            if (!m.matches()) {
                throw new QuerySyntaxException("'" + part + "' is not a field requirement; write path=value or"
                        + " path!=value, e.g. field=status.phase=Failed (commas separate requirements;"
                        + " backslash escapes are not supported)", term.column());
            }
            out.add(new FieldRequirement(m.group(1), !m.group(2).equals("!="), m.group(3)));
        }
        return out;
    }

    private static List<String> splitOutsideParentheses(String text) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(text.substring(start));
        return parts;
    }

    private String example(String key) {
        return switch (key) {
            case "phase" -> "Failed";
            case "type" -> "Warning";
            default -> "VALUE";
        };
    }
}
