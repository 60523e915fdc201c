package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.access.AccessPolicy;
import dev.aegis.afs.core.access.Principal;
import dev.aegis.afs.evidence.CaptureRecord;
import dev.aegis.afs.evidence.ContentHash;
import dev.aegis.afs.evidence.IncidentId;
import dev.aegis.afs.evidence.Keys;
import dev.aegis.afs.evidence.PinnedKey;
import dev.aegis.afs.harness.bundle.BundleWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds an incident's evidence bundle ({@code GET /v1/incidents/<id>/bundle}) as one caller may
 * see it. It runs in the harness because only the harness holds what a bundle must carry: the
 * registered records with their receipt times, the ledger and its signed checkpoint, and the
 * ledger key that signs the manifest; the mount and the CLI hold none of it.
 *
 * <p>What goes in: the snapshots tagged with the incident (the record's signed {@code incident}
 * field) and those its change requests cite, each only when the caller may read its team/env
 * (the others are counted as withheld); the plans of the requests the caller may read; the
 * ledger from the incident's first entry to the newest checkpoint, entries of the incident in
 * envs the caller may read in full and every other entry as its hash and signature only.
 * Every snapshot is re-hashed on the way out: a snapshot changed since its registration stops
 * the export rather than leaving in a bundle that would not verify.
 */
final class IncidentExport {

    private static final int PAGE = 10_000;

    private final RequestStore store;
    private final Ledger ledger;
    private final AccessPolicy access;
    private final EvidenceGate evidence;
    private final Clock clock;
    private final Path workDir;

    IncidentExport(RequestStore store, Ledger ledger, AccessPolicy access, EvidenceGate evidence, Clock clock, Path workDir) {
        this.store = requireNonNull(store, "store is null");
        this.ledger = requireNonNull(ledger, "ledger is null");
        this.access = requireNonNull(access, "access is null");
        this.evidence = requireNonNull(evidence, "evidence is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.workDir = requireNonNull(workDir, "workDir is null");
    }

    /**
     * Writes the bundle to a new 0600 file in the work directory and returns it; the caller
     * sends and deletes it.
     */
    Path export(String incident, Principal caller) throws AfsException, IOException, SQLException {
        Optional<String> badId = IncidentId.problem(incident);
        if (badId.isPresent()) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "the incident id " + badId.get());
        }
        BundleWriter bundle = new BundleWriter(incident, clock.instant(), caller.id());
        List<StoredRequest> requests = store.ofIncident(incident);
        Set<String> requestIds = new TreeSet<>();
        requests.forEach(r -> requestIds.add(r.id()));
        requestIds.add(IncidentTimeline.feedbackRequest(incident)); // feedback on its steps is ledgered under this name
        int visibleRequests = 0;
        for (StoredRequest r : requests) {
            if (access.canRead(caller, r.team(), r.env())) {
                visibleRequests++;
                bundle.request(r.id(), r.team(), r.env(), r.state().name(), r.document().getBytes(StandardCharsets.UTF_8));
            }
        }
        IncidentEvidence snapshots = IncidentEvidence.of(incident, requests, evidence.registry());
        int withheld = 0;
        Set<String> keyIds = new TreeSet<>();
        List<Path> temp = new ArrayList<>();
        Path out = Files.createTempFile(workDir, "bundle-", ".tar.gz");
        try {
            for (EvidenceRegistry.Registered r : snapshots.reads().values()) {
                CaptureRecord rec = r.record();
                if (!access.canRead(caller, rec.team(), rec.env())) {
                    withheld++;
                    continue;
                }
                Path content = copyVerified(rec, temp);
                bundle.snapshot(r.capture(), content, r.receivedAt(),
                        List.copyOf(snapshots.citedBy().getOrDefault(rec.id(), Set.of())), snapshots.tagged(rec.id(), incident));
                keyIds.add(rec.keyId());
            }
            boolean fullEntries = slice(bundle, incident, requestIds, caller);
            if (visibleRequests == 0 && snapshots.reads().size() == withheld && !fullEntries) {
                throw new AfsException(AfsError.NOT_FOUND, "no incident " + incident + " among what you may read: no change"
                        + " request, snapshot or ledger entry of it is in a team/env your access lists allow");
            }
            List<PinnedKey> used = evidence.registry().keys().keys().stream().filter(k -> keyIds.contains(k.keyId())).toList();
            bundle.keys(Keys.base64url(HexFormat.of().parseHex(ledger.publicKeyHex())), used).withheld(withheld);
            try (OutputStream o = Files.newOutputStream(out)) {
                bundle.write(o, ledger::signStatement);
            }
            return out;
        } catch (IOException | SQLException | RuntimeException e) {
            Files.deleteIfExists(out);
            throw e;
        } finally {
            for (Path p : temp) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * The ledger from the incident's first entry to the newest signed checkpoint; whether any
     * entry is shown in full. Without an incident entry the slice is the head entry alone, so
     * the bundle still shows the ledger's state at export.
     */
    private boolean slice(BundleWriter bundle, String incident, Set<String> requestIds, Principal caller)
            throws IOException, SQLException {
        Optional<LedgerCheckpoint> cp = ledger.checkpoint();
        if (cp.isEmpty() || cp.get().count() == 0) {
            return false;
        }
        long count = cp.get().count();
        List<String> lines = new ArrayList<>();
        long from = -1;
        String anchor = "";
        boolean anyFull = false;
        for (long seq = 1; seq <= count; ) {
            List<RequestStore.LedgerRow> page = store.ledgerRows(seq, (int) Math.min(PAGE, count - seq + 1));
            if (page.isEmpty()) {
                throw new IOException("the ledger database ends before entry " + seq + " of the checkpoint's " + count
                        + "; run afs ledger verify");
            }
            for (RequestStore.LedgerRow row : page) {
                JsonNode entry = Ledger.JSON.readTree(row.line());
                boolean member = requestIds.contains(entry.path("request").asText())
                        || incident.equals(entry.path("detail").path("incident").asText(null));
                if (from < 0 && (member || row.seq() == count)) {
                    from = row.seq();
                    anchor = entry.path("prev").asText();
                }
                if (from >= 0) {
                    boolean full = member && (caller.isRoot() || (!row.team().isEmpty()
                            && access.canRead(caller, row.team(), row.env())));
                    lines.add(full ? row.line() : row.hiddenLine());
                    anyFull |= full;
                }
                seq = row.seq() + 1;
            }
        }
        bundle.ledger(lines, from, anchor, cp.get());
        return anyFull;
    }

    /** Copies a snapshot's content from the evidence store, refusing one that no longer hashes to its record. */
    private Path copyVerified(CaptureRecord rec, List<Path> temp) throws IOException, AfsException {
        Path copy = Files.createTempFile(workDir, "snapshot-", ".part");
        temp.add(copy);
        MessageDigest digest = ContentHash.digest();
        try (InputStream in = evidence.store().content(rec);
             OutputStream o = new DigestOutputStream(Files.newOutputStream(copy), digest)) {
            in.transferTo(o);
        } catch (NoSuchFileException e) {
            throw new AfsException(AfsError.NOT_FOUND, "snapshot " + rec.id() + " is registered but no longer in the evidence"
                    + " store (" + evidence.store().describe() + "; retention?), so the bundle would be incomplete; nothing was"
                    + " exported");
        }
        String sha = HexFormat.of().formatHex(digest.digest());
        if (!sha.equals(rec.sha256())) {
            throw new AfsException(AfsError.INTERNAL, "snapshot " + rec.id() + " in the evidence store hashes to " + sha
                    + " but was registered with " + rec.sha256() + ": it was changed after registration; nothing was exported");
        }
        return copy;
    }
}
