package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.evidence.SignedCapture;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The evidence endpoints, both for the mount and both authenticated by the client token:
 * <pre>
 * POST /v1/evidence         body {"record": {...}, "signature": "..."}: register a capture
 * GET  /v1/evidence/holds   {"holds": [ids]}: snapshots cited by open change requests
 * </pre>
 */
final class EvidenceRoutes {

    /** The evidence ids open change requests cite. */
    interface OpenRequests {
        List<StoredRequest> open() throws AfsException;
    }

    private final EvidenceRegistry registry;
    private final CallerToken token;
    private final OpenRequests requests;
    private final Registered registered;

    /** Told of each capture registered (its signed record), e.g. to charge it to its incident. */
    interface Registered {
        void accept(com.fasterxml.jackson.databind.JsonNode record) throws SQLException;
    }

    EvidenceRoutes(EvidenceRegistry registry, CallerToken token, OpenRequests requests) {
        this(registry, token, requests, record -> { });
    }

    EvidenceRoutes(EvidenceRegistry registry, CallerToken token, OpenRequests requests, Registered registered) {
        this.registered = requireNonNull(registered, "registered is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.token = requireNonNull(token, "token is null");
        this.requests = requireNonNull(requests, "requests is null");
    }

    ObjectNode register(String presentedToken, byte[] body) throws AfsException {
        authenticate(presentedToken);
        SignedCapture capture;
        try {
            capture = SignedCapture.parse(body);
        } catch (IllegalArgumentException e) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, e.getMessage());
        }
        try {
            EvidenceRegistry.Registered r = registry.register(capture);
            try {
                registered.accept(capture.toJson().path("record"));
            } catch (SQLException | RuntimeException e) {
                // the capture is registered and citable; only its charge to an incident was lost
                org.slf4j.LoggerFactory.getLogger(EvidenceRoutes.class).warn("capture {} registered, but not charged to its "
                        + "incident: {}", r.record().id(), e.getMessage());
            }
            ObjectNode out = Ledger.JSON.createObjectNode();
            out.put("id", r.record().id());
            out.put("received_at", r.receivedAt().toString());
            return out;
        } catch (EvidenceRegistry.Refused e) {
            throw new AfsException(AfsError.ACCESS_DENIED, e.getMessage());
        } catch (SQLException e) {
            throw new AfsException(AfsError.UNAVAILABLE, "the evidence registry cannot store the capture: " + e.getMessage(), e);
        }
    }

    ObjectNode holds(String presentedToken) throws AfsException {
        authenticate(presentedToken);
        ObjectNode out = Ledger.JSON.createObjectNode();
        ArrayNode list = out.putArray("holds");
        held(requests.open()).forEach(list::add);
        return out;
    }

    /** The evidence ids {@code open} change requests cite: what no retention sweep may delete. */
    static Set<String> held(List<StoredRequest> open) {
        Set<String> held = new TreeSet<>();
        for (StoredRequest r : open) {
            try {
                ChangeRequestParser.parse(r.id(), r.document().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .evidence().forEach(p -> held.add(p.id()));
            } catch (PlanProblems e) {
                // stored requests parsed once already; one that no longer parses cites nothing we can name
            }
        }
        return held;
    }

    void close() {
        registry.close();
    }

    private void authenticate(String presented) throws AfsException {
        if (!token.matches(presented)) {
            throw new AfsException(AfsError.ACCESS_DENIED, "the evidence endpoints answer only the afs mount: send the"
                    + " client token (" + token.file() + ") in " + CallerToken.HEADER);
        }
    }
}
