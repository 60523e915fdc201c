package dev.aegis.afs.query.k8s;

import java.util.Objects;
import java.util.function.Function;

/**
 * One requirement of a Kubernetes field selector, e.g. {@code status.phase=Failed}. A field the
 * object does not have counts as the empty string, as on the API server.
 */
public record FieldRequirement(String field, boolean equals, String value) {

    public FieldRequirement {
        Objects.requireNonNull(field, "field is null");
        Objects.requireNonNull(value, "value is null");
    }

    /** @param fields the object's value at a dotted field path, or null when absent */
    public boolean matches(Function<String, String> fields) {
        String actual = fields.apply(field);
        return (actual == null ? "" : actual).equals(value) == equals;
    }

    @Override
    public String toString() {
        return field + (equals ? "=" : "!=") + value;
    }
}
