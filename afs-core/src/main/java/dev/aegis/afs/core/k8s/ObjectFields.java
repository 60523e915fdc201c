package dev.aegis.afs.core.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the common fields of a Kubernetes object held as JSON. */
final class ObjectFields {

    private ObjectFields() {
    }

    static String name(JsonNode object) {
        return object.path("metadata").path("name").asText("");
    }

    static Map<String, String> labels(JsonNode object) {
        Map<String, String> labels = new LinkedHashMap<>();
        object.path("metadata").path("labels").fields()
                .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }

    /** The scalar at a dotted field path ({@code status.phase}), or null when absent. */
    static String field(JsonNode object, String path) {
        JsonNode node = object;
        for (String part : path.split("\\.")) {
            node = node.path(part);
        }
        return node.isValueNode() ? node.asText() : null;
    }

    /** An RFC 3339 time, or null when absent or not a time. */
    static Instant time(JsonNode node) {
        if (node == null || !node.isTextual() || node.asText().isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(node.asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * The object's last known change: the newest of its creation, managed-field updates, condition
     * transitions and container state changes; the epoch when none is known.
     */
    static Instant lastChange(JsonNode object) {
        Instant newest = Instant.EPOCH;
        JsonNode metadata = object.path("metadata");
        newest = later(newest, time(metadata.get("creationTimestamp")));
        for (JsonNode managed : metadata.path("managedFields")) {
            newest = later(newest, time(managed.get("time")));
        }
        for (JsonNode condition : object.path("status").path("conditions")) {
            newest = later(newest, time(condition.get("lastTransitionTime")));
            newest = later(newest, time(condition.get("lastUpdateTime")));
        }
        for (JsonNode status : object.path("status").path("containerStatuses")) {
            for (JsonNode state : new JsonNode[] {status.path("state"), status.path("lastState")}) {
                newest = later(newest, time(state.path("running").get("startedAt")));
                newest = later(newest, time(state.path("terminated").get("finishedAt")));
            }
        }
        newest = later(newest, eventTime(object));
        return newest;
    }

    /** When an event last happened: lastTimestamp, else eventTime, firstTimestamp, creation; null if none. */
    static Instant eventTime(JsonNode event) {
        for (String field : new String[] {"lastTimestamp", "eventTime", "firstTimestamp"}) {
            Instant t = time(event.get(field));
            if (t != null) {
                return t;
            }
        }
        return time(event.path("metadata").get("creationTimestamp"));
    }

    private static Instant later(Instant a, Instant b) {
        return b != null && b.isAfter(a) ? b : a;
    }
}
