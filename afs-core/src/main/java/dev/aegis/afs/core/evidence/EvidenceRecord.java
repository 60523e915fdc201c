package dev.aegis.afs.core.evidence;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One immutable snapshot of a live read, as stored under the evidence directory and shown at
 * {@code /evidence/<id>}.
 *
 * @param id         {@code <yyyy-MM-dd>/<HHmmss.SSS>-<sha256 prefix>-<name>}, the path under /evidence
 * @param file       where the bytes are on disk
 * @param sha256     hex sha256 of the content
 * @param capturedAt when the read ran (UTC, ms)
 * @param size       bytes
 * @param lines      lines
 * @param source     the tree path read, with its query, e.g. {@code /teams/p/prod/logs/api.log?tail=50}
 * @param backend    e.g. {@code file:demo}
 * @param query      the backend query actually run
 * @param truncation what was cut and how to widen it; empty when nothing was
 * @param stats      backend stats: bytes received, entries, duration, redactions ...
 */
public record EvidenceRecord(String id, Path file, String sha256, Instant capturedAt, long size, long lines,
                             String source, String backend, String query, Optional<String> truncation,
                             Map<String, String> stats) {

    public EvidenceRecord {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(file, "file is null");
        Objects.requireNonNull(sha256, "sha256 is null");
        Objects.requireNonNull(capturedAt, "capturedAt is null");
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(backend, "backend is null");
        Objects.requireNonNull(query, "query is null");
        Objects.requireNonNull(truncation, "truncation is null");
        stats = Map.copyOf(stats);
    }

    /** The path in the mount, e.g. {@code /evidence/2026-11-21/213800.123-ab12cd34ef56-api.log}. */
    public String treePath() {
        return "/evidence/" + id;
    }
}
