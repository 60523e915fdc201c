package dev.aegis.afs.evidence;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * A record and its signature: what the sidecar beside a snapshot holds and what the mount
 * registers with the harness ({@code {"record": {...}, "signature": "<base64url>"}}).
 */
public record SignedCapture(CaptureRecord record, String signature) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public SignedCapture {
        requireNonNull(record, "record is null");
        requireNonNull(signature, "signature is null");
    }

    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.set("record", record.toJson());
        n.put("signature", signature);
        return n;
    }

    /** @throws IllegalArgumentException naming what is missing or malformed */
    public static SignedCapture fromJson(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("a signed capture must be a JSON object {\"record\": {...}, \"signature\": \"...\"}");
        }
        JsonNode sig = n.get("signature");
        if (sig == null || !sig.isTextual() || sig.asText().isEmpty()) {
            throw new IllegalArgumentException("the signed capture has no signature");
        }
        return new SignedCapture(CaptureRecord.fromJson(n.get("record")), sig.asText());
    }

    /** @throws IllegalArgumentException when {@code bytes} are not a signed capture */
    public static SignedCapture parse(byte[] bytes) {
        try {
            return fromJson(JSON.readTree(bytes));
        } catch (IOException e) {
            throw new IllegalArgumentException("the signed capture is not JSON: " + e.getMessage(), e);
        }
    }
}
