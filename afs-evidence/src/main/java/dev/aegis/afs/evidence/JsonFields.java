package dev.aegis.afs.evidence;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads required fields of signed JSON documents, naming the field that is missing or of the wrong type. */
public final class JsonFields {

    private JsonFields() {
    }

    /**
     * @param what how a message names the document's fields, e.g. {@code evidence record field}
     * @throws IllegalArgumentException naming the field
     */
    public static String text(JsonNode n, String what, String field) {
        JsonNode f = n.get(field);
        if (f == null || !f.isTextual()) {
            throw new IllegalArgumentException(what + " " + field + " is missing or not a string");
        }
        return f.asText();
    }

    /** @throws IllegalArgumentException naming the field */
    public static long number(JsonNode n, String what, String field) {
        JsonNode f = n.get(field);
        if (f == null || !f.isIntegralNumber()) {
            throw new IllegalArgumentException(what + " " + field + " is missing or not an integer");
        }
        return f.asLong();
    }
}
