package dev.aegis.afs.query.k8s;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One requirement of a Kubernetes label selector, with the API server's semantics: {@code !=}
 * and {@code notin} also match objects without the label.
 */
public record LabelRequirement(String key, Operator operator, List<String> values) {

    public enum Operator { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, DOES_NOT_EXIST }

    public LabelRequirement {
        Objects.requireNonNull(key, "key is null");
        Objects.requireNonNull(operator, "operator is null");
        values = List.copyOf(Objects.requireNonNull(values, "values is null"));
    }

    public boolean matches(Map<String, String> labels) {
        String value = labels.get(key);
        return switch (operator) {
            case EQUALS, IN -> value != null && values.contains(value);
            case NOT_EQUALS, NOT_IN -> value == null || !values.contains(value);
            case EXISTS -> value != null;
            case DOES_NOT_EXIST -> value == null;
        };
    }

    /** The requirement in the API's syntax, e.g. {@code app=api} or {@code tier in (a,b)}. */
    @Override
    public String toString() {
        return switch (operator) {
            case EQUALS -> key + "=" + values.get(0);
            case NOT_EQUALS -> key + "!=" + values.get(0);
            case IN -> key + " in (" + String.join(",", values) + ")";
            case NOT_IN -> key + " notin (" + String.join(",", values) + ")";
            case EXISTS -> key;
            case DOES_NOT_EXIST -> "!" + key;
        };
    }
}
