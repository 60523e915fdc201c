package dev.aegis.afs.harness.bundle;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.config.ConfigReader;
import dev.aegis.afs.evidence.ContentHash;
import dev.aegis.afs.evidence.PinnedKey;
import dev.aegis.afs.evidence.SignedCapture;
import dev.aegis.afs.harness.ChangeRequest;
import dev.aegis.afs.harness.ChangeRequestParser;
import dev.aegis.afs.harness.Ledger;
import dev.aegis.afs.harness.LedgerCheckpoint;
import dev.aegis.afs.harness.LedgerVerifier;
import dev.aegis.afs.harness.PlanProblems;
import dev.aegis.afs.harness.SigningKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks an unpacked evidence bundle offline against keys the verifier pinned itself: the
 * manifest's signature (ledger key), every snapshot's capture signature and content hash, the
 * ledger slice's chain, entry signatures and signed checkpoint, each plan against the sha256
 * the ledger recorded for it (and its citations against the snapshots), and finally every
 * file's bytes against the manifest. The first problem is named (file, entry, what failed);
 * keys the bundle carries but the verifier did not pin are reported and never trusted.
 */
public final class BundleVerifier {

    /** The outcome: what was verified, keys reported, and the first problem if any. */
    public record Report(List<String> verified, List<String> warnings, Optional<String> problem) {
        public Report {
            verified = List.copyOf(verified);
            warnings = List.copyOf(warnings);
            requireNonNull(problem, "problem is null");
        }

        public boolean ok() {
            return problem.isEmpty();
        }
    }

    /** The first problem: where and what. */
    private static final class Bad extends Exception {
        Bad(String where, String what) {
            super(where + ": " + what);
        }
    }

    private final Map<String, Path> files;
    private final PinnedBundleKeys keys;
    private final List<String> verified = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    private BundleVerifier(Map<String, Path> files, PinnedBundleKeys keys) {
        this.files = files;
        this.keys = keys;
    }

    public static Report verify(BundleArchive archive, PinnedBundleKeys keys) throws IOException {
        return verify(archive.files(), keys);
    }

    /** @param files bundle path to its bytes on disk (as {@link BundleArchive#files()}) */
    public static Report verify(Map<String, Path> files, PinnedBundleKeys keys) throws IOException {
        BundleVerifier v = new BundleVerifier(requireNonNull(files, "files is null"), requireNonNull(keys, "keys is null"));
        v.reportBundledKeys();
        try {
            v.run();
            return new Report(v.verified, v.warnings, Optional.empty());
        } catch (Bad e) {
            return new Report(v.verified, v.warnings, Optional.of(e.getMessage()));
        } catch (RuntimeException e) {
            // a field of a shape the checks above did not foresee: still a bundle that does not verify, never a crash
            return new Report(v.verified, v.warnings, Optional.of("the bundle cannot be checked: " + e.getMessage()));
        }
    }

    private void run() throws Bad, IOException {
        BundleManifest m = manifest();
        for (String listed : m.files().keySet()) {
            if (!files.containsKey(listed)) {
                throw new Bad(listed, "missing: the manifest lists it, the bundle does not hold it (removed after export)");
            }
        }
        for (String held : files.keySet()) {
            if (!held.equals(BundleManifest.MANIFEST) && !held.equals(BundleManifest.SIGNATURE) && !m.files().containsKey(held)) {
                throw new Bad(held, "unexpected: the bundle holds it but the signed manifest does not list it (added after export)");
            }
        }
        Map<String, String> snapshotSha = snapshots(m);
        Map<String, String> planSha = m.ledger().isPresent() ? ledger(m, m.ledger().get()) : Map.of();
        requests(m, planSha, snapshotSha);
        for (Map.Entry<String, BundleManifest.FileDigest> f : m.files().entrySet()) {
            Path p = files.get(f.getKey());
            String sha = ContentHash.sha256(p);
            if (!sha.equals(f.getValue().sha256()) || Files.size(p) != f.getValue().size()) {
                throw new Bad(f.getKey(), "its bytes (sha256 " + sha + ", " + Files.size(p) + " bytes) are not the ones the"
                        + " signed manifest lists (sha256 " + f.getValue().sha256() + ", " + f.getValue().size()
                        + " bytes): the file was changed after export");
            }
        }
        verified.add("every byte of the " + m.files().size() + " files matches the signed manifest"
                + (m.withheldSnapshots() > 0 ? "; " + m.withheldSnapshots() + " snapshot(s) of the incident were withheld"
                + " from the exporter (access lists)" : ""));
    }

    private BundleManifest manifest() throws Bad, IOException {
        Path manifest = files.get(BundleManifest.MANIFEST);
        Path sig = files.get(BundleManifest.SIGNATURE);
        if (manifest == null) {
            throw new Bad(BundleManifest.MANIFEST, "missing: without it nothing in the bundle can be checked");
        }
        if (sig == null) {
            throw new Bad(BundleManifest.SIGNATURE, "missing: the manifest's signature is gone, so nothing in the bundle is "
                    + "attested by the harness");
        }
        byte[] bytes = Files.readAllBytes(manifest);
        byte[] signed = new byte[BundleManifest.CONTEXT.length + bytes.length];
        System.arraycopy(BundleManifest.CONTEXT, 0, signed, 0, BundleManifest.CONTEXT.length);
        System.arraycopy(bytes, 0, signed, BundleManifest.CONTEXT.length, bytes.length);
        byte[] signature;
        String text = Files.readString(sig, StandardCharsets.ISO_8859_1);
        try {
            signature = Base64.getDecoder().decode(text.endsWith("\n") ? text.substring(0, text.length() - 1) : text);
        } catch (IllegalArgumentException e) {
            throw new Bad(BundleManifest.SIGNATURE, "not a base64 signature: the file was changed");
        }
        // exactly as written: base64 ignores the low bits of its last character, a byte nobody may change either
        if (!text.equals(Base64.getEncoder().encodeToString(signature) + "\n")) {
            throw new Bad(BundleManifest.SIGNATURE, "not the signature as the harness wrote it (one base64 line): the file was"
                    + " changed");
        }
        if (!SigningKey.verify(keys.ledgerKeyHex(), signed, signature)) {
            throw new Bad(BundleManifest.MANIFEST, "its signature (" + BundleManifest.SIGNATURE + ") does not verify under the"
                    + " ledger key you pinned: the manifest or its signature was changed, or the bundle comes from a harness"
                    + " whose key you did not pin");
        }
        BundleManifest m;
        try {
            m = BundleManifest.parse(bytes);
        } catch (IllegalArgumentException e) {
            throw new Bad(BundleManifest.MANIFEST, e.getMessage());
        }
        verified.add("incident " + m.incident() + ", exported " + m.exportedAt() + " by " + m.exportedBy()
                + ": manifest signed by the pinned ledger key");
        return m;
    }

    /** Every snapshot: record signed by a pinned capture key, content hashing to the record. Returns id to sha256. */
    private Map<String, String> snapshots(BundleManifest m) throws Bad, IOException {
        Map<String, String> out = new HashMap<>();
        Set<String> keyIds = new TreeSet<>();
        for (BundleManifest.Snapshot s : m.snapshots()) {
            SignedCapture capture;
            try {
                capture = SignedCapture.parse(Files.readAllBytes(listed(m, s.record())));
            } catch (IllegalArgumentException e) {
                throw new Bad(s.record(), "not a signed capture record (" + e.getMessage() + ")");
            }
            var r = capture.record();
            if (!r.id().equals(s.id()) || !r.sha256().equals(s.sha256()) || !r.team().equals(s.team()) || !r.env().equals(s.env())) {
                throw new Bad(s.record(), "the record is of " + r.id() + " (" + r.team() + "/" + r.env() + ", sha256 " + r.sha256()
                        + ") but the manifest lists it as " + s.id() + " (" + s.team() + "/" + s.env() + ", sha256 " + s.sha256() + ")");
            }
            Instant received;
            try {
                received = Instant.parse(s.receivedAt());
            } catch (DateTimeParseException e) {
                throw new Bad(BundleManifest.MANIFEST, "snapshot " + s.id() + " has no valid received_at time");
            }
            Optional<String> bad = keys.captureKeys().problem(capture, received);
            if (bad.isPresent()) {
                throw new Bad(s.record(), "the capture signature fails: " + bad.get());
            }
            Path content = listed(m, s.content());
            String sha = ContentHash.sha256(content);
            if (!sha.equals(r.sha256())) {
                throw new Bad(s.content(), "the content hashes to " + sha + " but its signed record says " + r.sha256()
                        + ": the snapshot was changed after it was captured");
            }
            if (Files.size(content) != r.size()) {
                throw new Bad(s.content(), "the content is " + Files.size(content) + " bytes but its signed record says " + r.size());
            }
            keyIds.add(r.keyId());
            out.put(s.id(), sha);
        }
        verified.add(m.snapshots().size() + " snapshot(s): content hashes match their records, capture signatures verify"
                + (keyIds.isEmpty() ? "" : " under pinned key(s) " + String.join(", ", keyIds)));
        return out;
    }

    /**
     * The slice: consecutive entries from the anchor to the checkpoint's head, every full entry
     * re-hashed, every hash signed by the pinned ledger key, every link checked; then the
     * checkpoint's signature, count and head. Returns each request's newest plan sha256.
     */
    private Map<String, String> ledger(BundleManifest m, BundleManifest.Slice slice) throws Bad, IOException {
        Path file = listed(m, slice.file());
        String prev = slice.anchor();
        if (slice.from() == 1 && !prev.equals(Ledger.GENESIS)) {
            throw new Bad(BundleManifest.MANIFEST, "the ledger slice starts at entry 1 but is anchored on " + prev
                    + " instead of the genesis hash");
        }
        Map<String, String> plans = new HashMap<>();
        long seq = slice.from() - 1;
        int full = 0;
        int hidden = 0;
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String at = slice.file() + ", line " + (i + 1);
            JsonNode e;
            try {
                e = BundleManifest.JSON.readTree(lines.get(i));
            } catch (IOException x) {
                throw new Bad(at, "not JSON: the line was edited");
            }
            if (e == null || !e.isObject()) {
                throw new Bad(at, "not a ledger entry");
            }
            seq++;
            at = slice.file() + ", entry " + seq + " (line " + (i + 1) + ")";
            if (e.path("seq").asLong(-1) != seq) {
                throw new Bad(at, "carries seq " + e.path("seq") + ": entries were removed, added or reordered");
            }
            String hash = e.path("hash").asText("");
            if (e.has("hidden")) {
                hidden++;
            } else {
                full++;
                if (!Ledger.hash(e).equals(hash)) {
                    throw new Bad(at, "its content does not match its hash: the entry was changed");
                }
            }
            if (!LedgerVerifier.signed(keys.ledgerKeyHex(), hash, e.path("sig").asText(""))) {
                throw new Bad(at, "its hash is not signed by the pinned ledger key: the entry was forged or re-hashed");
            }
            if (!e.path("prev").asText("").equals(prev)) {
                throw new Bad(at, "does not follow entry " + (seq - 1) + " (prev hash differs): entries were removed or reordered");
            }
            prev = hash;
            if (!e.has("hidden") && e.path("detail").has("document_sha256")) {
                plans.put(e.path("request").asText(), e.path("detail").path("document_sha256").asText());
            }
        }
        if (seq != slice.to()) {
            throw new Bad(slice.file(), "holds entries " + slice.from() + ".." + seq + " but the manifest says it runs to "
                    + slice.to() + ": entries were removed or added");
        }
        Path cpFile = listed(m, slice.checkpoint());
        Optional<LedgerCheckpoint> cp = LedgerCheckpoint.parse(Files.readString(cpFile, StandardCharsets.UTF_8));
        if (cp.isEmpty()) {
            throw new Bad(slice.checkpoint(), "not a ledger checkpoint");
        }
        if (!cp.get().verifies(keys.ledgerKeyHex())) {
            throw new Bad(slice.checkpoint(), "its signature does not verify under the pinned ledger key: it was changed");
        }
        if (cp.get().count() != seq || !cp.get().head().equals(prev)) {
            throw new Bad(slice.checkpoint(), "it signs " + cp.get().count() + " entries with head " + cp.get().head()
                    + " but the slice ends at entry " + seq + " with hash " + prev + ": the ledger was rewritten");
        }
        verified.add("ledger entries " + slice.from() + ".." + slice.to() + " (" + full + " in full, " + hidden
                + " of other envs or incidents as hashes only): hashes, signatures and links intact, ending at the head of"
                + " the checkpoint of " + cp.get().count() + " entries (" + cp.get().at() + ") signed by the pinned ledger key");
        return plans;
    }

    /** Each plan hashes to what the ledger recorded for it, and cites only snapshots in the bundle. */
    private void requests(BundleManifest m, Map<String, String> planSha, Map<String, String> snapshots) throws Bad, IOException {
        int cited = 0;
        int elsewhere = 0;
        for (BundleManifest.Request r : m.requests()) {
            byte[] doc = Files.readAllBytes(listed(m, r.document()));
            String sha = java.util.HexFormat.of().formatHex(ContentHash.digest().digest(doc));
            String recorded = planSha.get(r.id());
            if (recorded == null) {
                throw new Bad(r.document(), "no ledger entry in the slice records the plan of request " + r.id());
            }
            if (!recorded.equals(sha)) {
                throw new Bad(r.document(), "the plan hashes to " + sha + " but the ledger recorded " + recorded
                        + " for request " + r.id() + ": the plan was changed");
            }
            if (dev.aegis.afs.harness.LibraryChange.isLibraryChange(doc)) {
                continue; // a skill or guardrail change (kind:) cites no evidence; its hash was checked above
            }
            ChangeRequest plan;
            try {
                plan = ChangeRequestParser.parse(r.id(), doc);
            } catch (PlanProblems e) {
                throw new Bad(r.document(), "cannot be read as a plan: " + e.getMessage());
            }
            for (ChangeRequest.EvidencePointer p : plan.evidence()) {
                String held = snapshots.get(p.id());
                if (held == null) {
                    elsewhere++; // never registered (the gate refused the plan), or withheld from the exporter
                } else if (!held.equals(p.sha256())) {
                    throw new Bad(r.document(), p.field() + " cites /evidence/" + p.id() + " with sha256 " + p.sha256()
                            + " but the bundle's snapshot of that id hashes to " + held);
                } else {
                    cited++;
                }
            }
        }
        verified.add(m.requests().size() + " change request(s): plans match the sha256 the ledger recorded; their " + cited
                + " citation(s) are snapshots in the bundle" + (elsewhere == 0 ? "" : ", " + elsewhere + " cite snapshots it"
                + " does not hold (never registered, or withheld)"));
    }

    /** A file the manifest names, which must also be in its files list (so its bytes are covered). */
    private Path listed(BundleManifest m, String path) throws Bad {
        Path p = files.get(path);
        if (p == null || !m.files().containsKey(path)) {
            throw new Bad(path, "missing: the manifest names it but the bundle does not hold it");
        }
        return p;
    }

    /** Keys the bundle carries that the verifier did not pin: reported, never used. */
    private void reportBundledKeys() {
        Path file = files.get(BundleManifest.KEYS);
        if (file == null) {
            return;
        }
        Set<String> notPinned = new LinkedHashSet<>();
        try {
            bundled(ConfigReader.parse(BundleManifest.KEYS, Files.readString(file, StandardCharsets.UTF_8)), notPinned);
        } catch (IOException | RuntimeException e) {
            warnings.add(BundleManifest.KEYS + ": cannot be read (" + e.getMessage() + "); bundled keys are never trusted anyway");
            return;
        }
        notPinned.forEach(k -> warnings.add("the bundle carries " + k + ", which you did not pin: not trusted (pin it in"
                + " --keys only after checking it with its owner)"));
    }

    private void bundled(ConfigNode root, Set<String> notPinned) {
        root.get("ledger").flatMap(l -> l.get("public_key")).map(ConfigNode::asString).ifPresent(k -> {
            if (!SigningKey.publicKeyHex(k).equals(Optional.of(keys.ledgerKeyHex()))) {
                notPinned.add("ledger key " + k);
            }
        });
        root.get("evidence").flatMap(e -> e.get("capture_keys")).filter(n -> !n.isNull()).map(ConfigNode::items)
                .orElse(List.of()).forEach(k -> {
                    String id = k.optString("key_id").orElse("?");
                    String pk = k.optString("public_key").orElse("");
                    if (keys.captureKeys().find(id).map(PinnedKey::publicKey).filter(pk::equals).isEmpty()) {
                        notPinned.add("capture key " + id);
                    }
                });
    }
}
