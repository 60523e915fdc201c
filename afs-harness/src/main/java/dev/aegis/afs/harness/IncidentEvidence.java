package dev.aegis.afs.harness;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The snapshots of one incident, as the timeline and the evidence bundle both count them: those
 * registered with the incident's tag (oldest receipt first), then those its change requests cite
 * that were read without the tag. A citation of a snapshot never registered has no entry.
 *
 * @param reads   snapshot id to its registration
 * @param citedBy snapshot id to the requests citing it
 */
record IncidentEvidence(Map<String, EvidenceRegistry.Registered> reads, Map<String, Set<String>> citedBy) {

    static IncidentEvidence of(String incident, List<StoredRequest> requests, EvidenceRegistry registry) throws SQLException {
        Map<String, Set<String>> citedBy = new LinkedHashMap<>();
        for (StoredRequest r : requests) {
            for (ChangeRequest.EvidencePointer p : plan(r).map(ChangeRequest::evidence).orElse(List.of())) {
                citedBy.computeIfAbsent(p.id(), k -> new LinkedHashSet<>()).add(r.id());
            }
        }
        Map<String, EvidenceRegistry.Registered> reads = new LinkedHashMap<>();
        for (EvidenceRegistry.Registered reg : registry.forIncident(incident)) {
            reads.put(reg.record().id(), reg);
        }
        for (String cited : citedBy.keySet()) {
            if (!reads.containsKey(cited)) {
                registry.find(cited).ifPresent(reg -> reads.put(cited, reg)); // read for the plan, not tagged
            }
        }
        return new IncidentEvidence(reads, citedBy);
    }

    /** Whether the snapshot was read under the incident's tag (rather than only cited). */
    boolean tagged(String id, String incident) {
        EvidenceRegistry.Registered r = reads.get(id);
        return r != null && r.record().incident().filter(incident::equals).isPresent();
    }

    /** The request's plan; empty when its document no longer parses (its ledger entries still count). */
    static Optional<ChangeRequest> plan(StoredRequest r) {
        try {
            return Optional.of(ChangeRequestParser.parse("change-request " + r.id(), r.document().getBytes(StandardCharsets.UTF_8)));
        } catch (PlanProblems | RuntimeException e) {
            return Optional.empty();
        }
    }
}
