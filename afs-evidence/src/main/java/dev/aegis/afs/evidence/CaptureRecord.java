package dev.aegis.afs.evidence;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The immutable record of one capture, as signed by the capture key and registered with the
 * harness (docs/trust-model.md, "Evidence: the record and its content"). The content itself is
 * a blob named by {@code sha256}; this record says what it is, where it came from and who read it.
 *
 * @param v          format version, {@value #VERSION}
 * @param id         {@code <yyyy-MM-dd>/<HHmmss.SSS>-<sha256 prefix>-<name>}, the path under /evidence
 * @param sha256     hex sha256 of the content
 * @param size       content bytes
 * @param lines      content lines
 * @param capturedAt when the read ran, as the mount claims it (the harness measures age from its receipt time)
 * @param team       the team whose data was read
 * @param env        the env whose data was read
 * @param source     the tree path read, with its query
 * @param query      the backend query actually run
 * @param backend    e.g. {@code loki:main}
 * @param truncated  {@code false}, or what was cut and how to widen it
 * @param caller     who read it
 * @param keyId      the capture key that signed this record
 * @param incident   the incident the read was made under ({@link IncidentId}), when the reader named
 *                   one; absent from the JSON otherwise, so records made before the field existed
 *                   canonicalise, and verify, exactly as they were signed
 */
public record CaptureRecord(int v, String id, String sha256, long size, long lines, Instant capturedAt, String team,
                            String env, String source, String query, String backend, String truncated, Reader caller,
                            String keyId, Optional<String> incident) {

    public static final int VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Who read it: a principal as in docs/trust-model.md ({@code unix:1001@web-3}) and the
     * command name of the reading process ({@code /proc/<pid>/comm}, {@code ?} when unknown).
     */
    public record Reader(String principal, String command) {
        public Reader {
            requireNonNull(principal, "principal is null");
            requireNonNull(command, "command is null");
        }

        /** {@code unix:1001@web-3 cat}: the value of {@code user.afs.caller}. */
        @Override
        public String toString() {
            return principal + " " + command;
        }
    }

    public CaptureRecord {
        requireNonNull(id, "id is null");
        requireNonNull(sha256, "sha256 is null");
        requireNonNull(capturedAt, "capturedAt is null");
        requireNonNull(team, "team is null");
        requireNonNull(env, "env is null");
        requireNonNull(source, "source is null");
        requireNonNull(query, "query is null");
        requireNonNull(backend, "backend is null");
        requireNonNull(truncated, "truncated is null");
        requireNonNull(caller, "caller is null");
        requireNonNull(keyId, "keyId is null");
        requireNonNull(incident, "incident is null");
        incident.ifPresent(i -> IncidentId.check(i, "evidence record field incident"));
        capturedAt = capturedAt.truncatedTo(ChronoUnit.MILLIS);
    }

    /** A record made under no incident. */
    public CaptureRecord(int v, String id, String sha256, long size, long lines, Instant capturedAt, String team,
                         String env, String source, String query, String backend, String truncated, Reader caller,
                         String keyId) {
        this(v, id, sha256, size, lines, capturedAt, team, env, source, query, backend, truncated, caller, keyId,
                Optional.empty());
    }

    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("v", v);
        n.put("id", id);
        n.put("sha256", sha256);
        n.put("size", size);
        n.put("lines", lines);
        n.put("captured_at", capturedAt.toString());
        n.put("team", team);
        n.put("env", env);
        n.put("source", source);
        n.put("query", query);
        n.put("backend", backend);
        n.put("truncated", truncated);
        ObjectNode c = n.putObject("caller");
        c.put("principal", caller.principal());
        c.put("command", caller.command());
        n.put("key_id", keyId);
        incident.ifPresent(i -> n.put("incident", i));
        return n;
    }

    /** The bytes that are signed: RFC 8785 canonical JSON of {@link #toJson()}. */
    public byte[] canonical() {
        return Jcs.canonical(toJson());
    }

    /**
     * Reads a record, naming the first field that is missing or malformed.
     *
     * @throws IllegalArgumentException naming the field
     */
    public static CaptureRecord fromJson(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("the evidence record is not a JSON object");
        }
        int v = (int) number(n, "v");
        if (v != VERSION) {
            throw new IllegalArgumentException("evidence record version " + v + " is not supported (this build reads "
                    + VERSION + ")");
        }
        Instant at;
        try {
            at = Instant.parse(text(n, "captured_at"));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("evidence record field captured_at is not an RFC 3339 time");
        }
        JsonNode c = n.get("caller");
        if (c == null || !c.isObject()) {
            throw new IllegalArgumentException("evidence record field caller is missing");
        }
        return new CaptureRecord(v, text(n, "id"), text(n, "sha256"), number(n, "size"), number(n, "lines"), at,
                text(n, "team"), text(n, "env"), text(n, "source"), text(n, "query"), text(n, "backend"),
                text(n, "truncated"), new Reader(text(c, "principal"), text(c, "command")), text(n, "key_id"),
                n.has("incident") ? Optional.of(text(n, "incident")) : Optional.empty());
    }

    private static String text(JsonNode n, String field) {
        return JsonFields.text(n, "evidence record field", field);
    }

    private static long number(JsonNode n, String field) {
        return JsonFields.number(n, "evidence record field", field);
    }
}
