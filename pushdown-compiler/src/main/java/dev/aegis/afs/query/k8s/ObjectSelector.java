package dev.aegis.afs.query.k8s;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Which objects of a kind a listing shows: label and field requirements, all ANDed. Sent to the
 * API server as {@code labelSelector} and {@code fieldSelector}; {@link #matches} is the same
 * test done locally (the reference semantics, and a re-check of what the server returned).
 */
public record ObjectSelector(List<LabelRequirement> labels, List<FieldRequirement> fields) {

    public static final ObjectSelector ALL = new ObjectSelector(List.of(), List.of());

    public ObjectSelector {
        labels = List.copyOf(Objects.requireNonNull(labels, "labels is null"));
        fields = List.copyOf(Objects.requireNonNull(fields, "fields is null"));
    }

    public boolean isAll() {
        return labels.isEmpty() && fields.isEmpty();
    }

    /** This selector with {@code other}'s requirements added. */
    public ObjectSelector and(ObjectSelector other) {
        List<LabelRequirement> l = new ArrayList<>(labels);
        l.addAll(other.labels);
        List<FieldRequirement> f = new ArrayList<>(fields);
        f.addAll(other.fields);
        return new ObjectSelector(l, f);
    }

    /** The {@code labelSelector} value, empty when there is no label requirement. */
    public String labelSelector() {
        return labels.stream().map(LabelRequirement::toString).collect(Collectors.joining(","));
    }

    /** The {@code fieldSelector} value, empty when there is no field requirement. */
    public String fieldSelector() {
        return fields.stream().map(FieldRequirement::toString).collect(Collectors.joining(","));
    }

    /** The query string a list call sends, e.g. {@code labelSelector=app%3Dapi}; empty when none. */
    public String query() {
        List<String> parts = new ArrayList<>(2);
        if (!labels.isEmpty()) {
            parts.add("labelSelector=" + encode(labelSelector()));
        }
        if (!fields.isEmpty()) {
            parts.add("fieldSelector=" + encode(fieldSelector()));
        }
        return String.join("&", parts);
    }

    /**
     * @param objectLabels the object's labels
     * @param objectFields the object's value at a dotted field path, or null when absent
     */
    public boolean matches(Map<String, String> objectLabels, Function<String, String> objectFields) {
        return labels.stream().allMatch(r -> r.matches(objectLabels))
                && fields.stream().allMatch(r -> r.matches(objectFields));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
