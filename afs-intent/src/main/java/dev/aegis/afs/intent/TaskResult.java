package dev.aegis.afs.intent;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.jwk.OctetKeyPair;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * What an agent reports for one task, signed with its agent key
 * ({@code POST /v1/tasks/<task>/result}, body: the compact JWS). For an intent that did not
 * verify, only {@code task} and {@code intentSha256} are known; the other ids are then empty.
 */
public record TaskResult(String cluster, String task, String intentSha256, Optional<String> requestId,
                         Optional<String> actionId, Optional<String> idempotencyKey, Outcome outcome, String reason,
                         String message, JsonNode details, Instant finishedAt, String agentVersion) {

    static final JOSEObjectType TYPE = new JOSEObjectType("afs-result+jwt");

    public TaskResult {
        requireNonNull(cluster, "cluster is null");
        requireNonNull(task, "task is null");
        requireNonNull(intentSha256, "intentSha256 is null");
        requireNonNull(requestId, "requestId is null");
        requireNonNull(actionId, "actionId is null");
        requireNonNull(idempotencyKey, "idempotencyKey is null");
        requireNonNull(outcome, "outcome is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(message, "message is null");
        requireNonNull(details, "details is null");
        requireNonNull(finishedAt, "finishedAt is null");
        requireNonNull(agentVersion, "agentVersion is null");
    }

    /**
     * {@code executed}: the change was made and its verify step passed; {@code verify_failed}: made,
     * but the pods did not become ready in time; {@code dry_run}: shadow mode, the server-side dry
     * run passed; {@code refused}: nothing was sent to the API server (reason says why);
     * {@code failed}: the API server refused or errored; {@code interrupted}: the agent restarted
     * during the action and did not run it again ({@code details.applied} says what it found).
     */
    public enum Outcome {
        EXECUTED, VERIFY_FAILED, DRY_RUN, REFUSED, FAILED, INTERRUPTED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Outcome of(String wire) {
            return valueOf(wire.toUpperCase(Locale.ROOT));
        }
    }

    public String sign(OctetKeyPair agentKey) {
        ObjectNode o = IntentClaims.JSON.createObjectNode();
        o.put("iss", "agent:" + cluster);
        o.put("aud", IntentClaims.ISSUER);
        o.put("iat", finishedAt.getEpochSecond());
        o.put("task", task);
        o.put("intent_sha256", intentSha256);
        requestId.ifPresent(v -> o.put("request_id", v));
        actionId.ifPresent(v -> o.put("action_id", v));
        idempotencyKey.ifPresent(v -> o.put("idempotency_key", v));
        o.put("outcome", outcome.wireName());
        o.put("reason", reason);
        o.put("message", message);
        o.set("details", details);
        o.put("agent_version", agentVersion);
        return AgentJws.sign(agentKey, TYPE, o);
    }

    /** Checks {@code compact} against the pinned agent key of {@code cluster} and reads it. */
    public static TaskResult verify(String compact, OctetKeyPair agentPublicKey, String cluster) throws SignatureRefused {
        ObjectNode o = AgentJws.verify(compact, TYPE, agentPublicKey);
        if (!("agent:" + cluster).equals(o.path("iss").asText())) {
            throw new SignatureRefused("result is from " + o.path("iss").asText() + ", not agent:" + cluster);
        }
        try {
            return new TaskResult(cluster, o.path("task").asText(), o.path("intent_sha256").asText(), opt(o, "request_id"),
                    opt(o, "action_id"), opt(o, "idempotency_key"), Outcome.of(o.path("outcome").asText()),
                    o.path("reason").asText(), o.path("message").asText(), o.path("details"),
                    Instant.ofEpochSecond(o.path("iat").asLong()), o.path("agent_version").asText());
        } catch (IllegalArgumentException e) {
            throw new SignatureRefused("result has an unknown outcome '" + o.path("outcome").asText() + "'");
        }
    }

    private static Optional<String> opt(ObjectNode o, String field) {
        return o.hasNonNull(field) ? Optional.of(o.get(field).asText()) : Optional.empty();
    }
}
