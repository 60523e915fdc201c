package dev.aegis.afs.harness.bundle;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegis.afs.evidence.JsonFields;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an evidence bundle holds ({@code manifest.json}), signed by the harness's ledger key in
 * {@code manifest.sig}: the incident, every file with its sha256 and size, each snapshot with
 * the change requests citing it, the ledger slice and its checkpoint. The signature covers the
 * manifest's exact bytes and the manifest covers every other file's bytes, so no byte of a
 * bundle can change unnoticed.
 */
public record BundleManifest(String incident, String exportedAt, String exportedBy, List<Snapshot> snapshots,
                             List<Request> requests, Optional<Slice> ledger, int withheldSnapshots,
                             Map<String, FileDigest> files) {

    public static final String KIND = "afs-incident-bundle";
    public static final int VERSION = 1;
    public static final String MANIFEST = "manifest.json";
    public static final String SIGNATURE = "manifest.sig";
    public static final String KEYS = "keys.yaml";
    /** Prefixed to the manifest's bytes before signing, so the signature means "bundle manifest" and nothing else. */
    static final byte[] CONTEXT = "afs-incident-bundle/v1\n".getBytes(StandardCharsets.US_ASCII);

    static final ObjectMapper JSON = new ObjectMapper();

    public BundleManifest {
        requireNonNull(incident, "incident is null");
        requireNonNull(exportedAt, "exportedAt is null");
        requireNonNull(exportedBy, "exportedBy is null");
        snapshots = List.copyOf(snapshots);
        requests = List.copyOf(requests);
        requireNonNull(ledger, "ledger is null");
        files = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(files));
    }

    /**
     * One snapshot: its content at {@code content}, its signed record at {@code record}.
     *
     * @param receivedAt when the harness registered it: capture keys are checked for validity at this time
     * @param citedBy    the incident's change requests that cite it
     * @param tagged     read under the incident (AFS_INCIDENT or /incidents/&lt;id&gt;/teams/...)
     */
    public record Snapshot(String id, String team, String env, String sha256, long size, String receivedAt, String content,
                           String record, List<String> citedBy, boolean tagged) {
        public Snapshot {
            requireNonNull(id, "id is null");
            requireNonNull(sha256, "sha256 is null");
            requireNonNull(receivedAt, "receivedAt is null");
            requireNonNull(content, "content is null");
            requireNonNull(record, "record is null");
            citedBy = List.copyOf(citedBy);
        }
    }

    /** A change request of the incident: its plan as submitted (the ledger holds the plan's sha256). */
    public record Request(String id, String team, String env, String state, String document) {
        public Request {
            requireNonNull(id, "id is null");
            requireNonNull(document, "document is null");
        }
    }

    /**
     * Ledger entries {@code from..to} (1-based) in {@code file}, the first following {@code anchor}
     * (the hash of entry from-1; zeros when from is 1), and the signed checkpoint of {@code to} entries.
     */
    public record Slice(String file, String checkpoint, long from, long to, String anchor) {
        public Slice {
            requireNonNull(file, "file is null");
            requireNonNull(checkpoint, "checkpoint is null");
            requireNonNull(anchor, "anchor is null");
        }
    }

    public record FileDigest(String sha256, long size) {
    }

    public byte[] bytes() {
        ObjectNode n = JSON.createObjectNode();
        n.put("v", VERSION);
        n.put("kind", KIND);
        n.put("incident", incident);
        n.put("exported_at", exportedAt);
        n.put("exported_by", exportedBy);
        ArrayNode s = n.putArray("snapshots");
        for (Snapshot x : snapshots) {
            ObjectNode o = s.addObject();
            o.put("id", x.id()).put("team", x.team()).put("env", x.env()).put("sha256", x.sha256()).put("size", x.size())
                    .put("received_at", x.receivedAt()).put("content", x.content()).put("record", x.record());
            x.citedBy().forEach(o.putArray("cited_by")::add);
            o.put("tagged", x.tagged());
        }
        ArrayNode r = n.putArray("requests");
        for (Request x : requests) {
            r.addObject().put("id", x.id()).put("team", x.team()).put("env", x.env()).put("state", x.state())
                    .put("document", x.document());
        }
        ledger.ifPresent(l -> n.putObject("ledger").put("slice", l.file()).put("checkpoint", l.checkpoint())
                .put("from", l.from()).put("to", l.to()).put("anchor", l.anchor()));
        n.put("withheld_snapshots", withheldSnapshots);
        ObjectNode f = n.putObject("files");
        files.forEach((path, d) -> f.putObject(path).put("sha256", d.sha256()).put("size", d.size()));
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot write the manifest", e);
        }
    }

    /** @throws IllegalArgumentException naming the first field that is missing or malformed */
    public static BundleManifest parse(byte[] bytes) {
        JsonNode n;
        try {
            n = JSON.readTree(bytes);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("it is not JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (n == null || !n.isObject() || !KIND.equals(n.path("kind").asText())) {
            throw new IllegalArgumentException("it is not an afs incident bundle manifest (kind is not " + KIND + ")");
        }
        if (n.path("v").asInt() != VERSION) {
            throw new IllegalArgumentException("bundle format " + n.path("v") + " is not supported (this afs reads " + VERSION + ")");
        }
        List<Snapshot> snapshots = new ArrayList<>();
        for (JsonNode o : array(n, "snapshots")) {
            List<String> cited = new ArrayList<>();
            array(o, "cited_by").forEach(c -> cited.add(c.asText()));
            snapshots.add(new Snapshot(text(o, "id"), text(o, "team"), text(o, "env"), text(o, "sha256"), number(o, "size"),
                    text(o, "received_at"), text(o, "content"), text(o, "record"), cited, o.path("tagged").asBoolean()));
        }
        List<Request> requests = new ArrayList<>();
        for (JsonNode o : array(n, "requests")) {
            requests.add(new Request(text(o, "id"), text(o, "team"), text(o, "env"), text(o, "state"), text(o, "document")));
        }
        Optional<Slice> slice = Optional.empty();
        JsonNode l = n.get("ledger");
        if (l != null && !l.isNull()) {
            slice = Optional.of(new Slice(text(l, "slice"), text(l, "checkpoint"), number(l, "from"), number(l, "to"),
                    text(l, "anchor")));
        }
        Map<String, FileDigest> files = new LinkedHashMap<>();
        JsonNode f = n.get("files");
        if (f == null || !f.isObject()) {
            throw new IllegalArgumentException("field files is missing");
        }
        f.fields().forEachRemaining(e -> files.put(e.getKey(), new FileDigest(text(e.getValue(), "sha256"),
                number(e.getValue(), "size"))));
        return new BundleManifest(text(n, "incident"), text(n, "exported_at"), text(n, "exported_by"), snapshots, requests,
                slice, (int) number(n, "withheld_snapshots"), files);
    }

    private static List<JsonNode> array(JsonNode n, String field) {
        JsonNode a = n.get(field);
        if (a == null || !a.isArray()) {
            throw new IllegalArgumentException("field " + field + " is missing or not a list");
        }
        List<JsonNode> out = new ArrayList<>();
        a.forEach(out::add);
        return out;
    }

    private static String text(JsonNode n, String field) {
        return JsonFields.text(n, "field", field);
    }

    private static long number(JsonNode n, String field) {
        return JsonFields.number(n, "field", field);
    }
}
