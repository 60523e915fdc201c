package dev.aegis.afs.intent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegis.afs.intent.Action.Mode;
import dev.aegis.afs.intent.Action.Target;
import dev.aegis.afs.intent.IntentRefused.Reason;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The intent's JWS payload, both ways. Field names are the wire contract of
 * docs/execution-plane.md; whole numbers come back as {@code Long} (what CEL calls int).
 */
final class IntentClaims {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String ISSUER = "afs-control-plane";

    private IntentClaims() {
    }

    static byte[] write(Action a, String jti, Instant iat, Instant exp) {
        ObjectNode o = JSON.createObjectNode();
        o.put("iss", ISSUER);
        o.put("aud", a.cluster());
        o.put("jti", jti);
        o.put("iat", iat.getEpochSecond());
        o.put("exp", exp.getEpochSecond());
        o.put("request_id", a.requestId());
        o.put("action_id", a.actionId());
        o.put("action", a.tool());
        ObjectNode t = o.putObject("target");
        t.put("kind", a.target().kind());
        t.put("namespace", a.target().namespace());
        t.put("name", a.target().name());
        a.target().container().ifPresent(c -> t.put("container", c));
        o.set("parameters", JSON.valueToTree(a.parameters()));
        o.put("mode", a.mode().wireName());
        o.put("evidence_hash", a.evidenceHash());
        o.put("idempotency_key", a.idempotencyKey());
        try {
            return JSON.writeValueAsBytes(o);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("intent parameters are not JSON: " + e.getMessage(), e);
        }
    }

    static Intent read(String payload, String compact) throws IntentRefused {
        JsonNode o;
        try {
            o = JSON.readTree(payload);
        } catch (JsonProcessingException e) {
            throw malformed("the payload is not JSON");
        }
        if (o == null || !o.isObject()) {
            throw malformed("the payload is not a JSON object");
        }
        JsonNode t = o.path("target");
        String mode = text(o, "mode");
        Action a = new Action(text(o, "aud"), text(o, "request_id"), text(o, "action_id"), text(o, "action"),
                new Target(text(t, "kind"), text(t, "namespace"), text(t, "name"),
                        t.hasNonNull("container") ? Optional.of(t.get("container").asText()) : Optional.empty()),
                parameters(o.path("parameters")),
                Mode.of(mode).orElseThrow(() -> malformed("mode '" + mode + "' is neither shadow nor execute")),
                text(o, "evidence_hash"), text(o, "idempotency_key"));
        return new Intent(a, text(o, "jti"), Instant.ofEpochSecond(number(o, "iat")), Instant.ofEpochSecond(number(o, "exp")),
                compact);
    }

    private static Map<String, Object> parameters(JsonNode p) throws IntentRefused {
        if (!p.isObject()) {
            throw malformed("parameters is not an object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) JsonValues.plain(p);
        return m;
    }

    private static String text(JsonNode o, String field) throws IntentRefused {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw malformed("claim '" + field + "' is missing or not a string");
        }
        return v.asText();
    }

    private static long number(JsonNode o, String field) throws IntentRefused {
        JsonNode v = o.get(field);
        if (v == null || !v.isIntegralNumber()) {
            throw malformed("claim '" + field + "' is missing or not a whole number of seconds");
        }
        return v.asLong();
    }

    private static IntentRefused malformed(String why) {
        return new IntentRefused(Reason.MALFORMED, "intent refused: " + why);
    }
}
