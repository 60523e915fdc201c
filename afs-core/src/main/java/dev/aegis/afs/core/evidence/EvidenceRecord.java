package dev.aegis.afs.core.evidence;

import dev.aegis.afs.evidence.CaptureRecord;
import dev.aegis.afs.evidence.SignedCapture;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One immutable snapshot of a live read, as stored under the evidence directory and shown at
 * {@code /evidence/<id>}: the signed record of the capture and where its content is on disk.
 *
 * @param file   the record's name in the evidence directory: a hard link to its content blob
 * @param signed the signed capture record (sha256, captured_at, source, query, caller ...)
 * @param stats  backend stats: bytes received, entries, duration, redactions (not signed: they
 *               describe the read's cost, not what it returned)
 */
public record EvidenceRecord(Path file, SignedCapture signed, Map<String, String> stats) {

    public EvidenceRecord {
        Objects.requireNonNull(file, "file is null");
        Objects.requireNonNull(signed, "signed is null");
        stats = Map.copyOf(stats);
    }

    public CaptureRecord record() {
        return signed.record();
    }

    /** {@code <yyyy-MM-dd>/<HHmmss.SSS>-<sha256 prefix>-<name>}, the path under /evidence. */
    public String id() {
        return record().id();
    }

    public String sha256() {
        return record().sha256();
    }

    public Instant capturedAt() {
        return record().capturedAt();
    }

    public long size() {
        return record().size();
    }

    public long lines() {
        return record().lines();
    }

    /** The tree path read, with its query, e.g. {@code /teams/p/prod/logs/api.log?tail=50}. */
    public String source() {
        return record().source();
    }

    public String backend() {
        return record().backend();
    }

    /** The backend query actually run. */
    public String query() {
        return record().query();
    }

    /** What was cut and how to widen it; empty when nothing was. */
    public Optional<String> truncation() {
        String t = record().truncated();
        return t.equals("false") ? Optional.empty() : Optional.of(t);
    }

    public String team() {
        return record().team();
    }

    public String env() {
        return record().env();
    }

    /** {@code unix:1001@web-3 cat}: who read it. */
    public String caller() {
        return record().caller().toString();
    }

    /** The incident the read was made under, when the reader named one. */
    public Optional<String> incident() {
        return record().incident();
    }

    public String keyId() {
        return record().keyId();
    }

    public String signature() {
        return signed.signature();
    }

    /** The path in the mount, e.g. {@code /evidence/2026-11-21/213800.123-ab12cd34ef56-api.log}. */
    public String treePath() {
        return "/evidence/" + id();
    }
}
