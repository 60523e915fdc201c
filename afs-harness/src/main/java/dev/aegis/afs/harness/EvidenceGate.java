package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.evidence.EvidenceStore;
import dev.aegis.afs.harness.ChangeRequest.EvidencePointer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every evidence pointer must resolve to a stored snapshot whose recomputed sha256 matches both
 * the pointer and the store, cite lines inside it, and be younger than the maximum age.
 *
 * <p>Re-hashing is the cost (10 MB is tens of ms without SHA instructions), and agents cite the
 * same snapshots across many plans. A snapshot that verified is remembered with its inode,
 * size and ctime; the next check re-hashes only if one of them changed. ctime cannot be set by
 * a user (unlike mtime), and any write or chmod of the file moves it, so tampering still forces
 * a re-hash.
 */
public final class EvidenceGate {

    private static final int REMEMBERED = 10_000;

    /** What a verified snapshot looked like on disk, and the hash it verified with. */
    private record Stamp(Object inode, Object ctime, long size, String sha256) {
    }

    private final Map<String, Stamp> verified = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Stamp> eldest) {
                    return size() > REMEMBERED;
                }
            });

    private final EvidenceStore store;
    private final Duration maxAge;
    private final Clock clock;

    public EvidenceGate(EvidenceStore store, Duration maxAge, Clock clock) {
        this.store = requireNonNull(store, "store is null");
        this.maxAge = requireNonNull(maxAge, "maxAge is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Problems, one per bad pointer; empty when all hold. */
    public List<String> check(List<EvidencePointer> pointers) {
        List<String> out = new ArrayList<>();
        Instant now = clock.instant();
        for (EvidencePointer p : pointers) {
            check(p, now).ifPresent(problem -> out.add(p.field() + " (/evidence/" + p.id() + "): " + problem));
        }
        return out;
    }

    /**
     * Pointers whose snapshot was captured from another team/env than the plan's: a plan for
     * payments/prod may cite only what was read under /teams/payments/prod.
     */
    public List<String> fromOtherEnvs(String team, String env, List<EvidencePointer> pointers) {
        List<String> out = new ArrayList<>();
        String prefix = "/teams/" + team + "/" + env + "/";
        for (EvidencePointer p : pointers) {
            store.find(p.id()).filter(r -> !r.source().startsWith(prefix)).ifPresent(r -> out.add(p.field() + " (/evidence/"
                    + p.id() + "): captured from " + r.source() + ", not from " + team + "/" + env
                    + "; a plan may cite only evidence read in its own team/env"));
        }
        return out;
    }

    private static Optional<Stamp> stamp(EvidenceRecord r) {
        try {
            Map<String, Object> a = java.nio.file.Files.readAttributes(r.file(), "unix:ino,ctime,size");
            return Optional.of(new Stamp(a.get("ino"), a.get("ctime"), ((Number) a.get("size")).longValue(), r.sha256()));
        } catch (java.io.IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private Optional<String> check(EvidencePointer p, Instant now) {
        Optional<EvidenceRecord> found = store.find(p.id());
        if (found.isEmpty()) {
            return Optional.of("no such snapshot in the evidence store; cite the user.afs.evidence path of a file you read");
        }
        EvidenceRecord r = found.get();
        if (!r.sha256().equals(p.sha256())) {
            return Optional.of("sha256 " + p.sha256() + " differs from the stored " + r.sha256()
                    + "; copy the snapshot's user.afs.sha256 xattr");
        }
        if (p.capturedAt().isPresent() && !p.capturedAt().get().equals(r.capturedAt())) {
            return Optional.of("captured_at " + p.capturedAt().get() + " differs from the stored " + r.capturedAt()
                    + "; copy the snapshot's user.afs.captured_at xattr");
        }
        Optional<Stamp> stamp = stamp(r);
        String key = r.file().toString();
        if (stamp.isEmpty() || !stamp.get().equals(verified.get(key))) {
            EvidenceStore.Verification v = store.verify(r);
            if (!v.ok()) {
                verified.remove(key);
                return Optional.of("snapshot failed verification: " + v.problem().get());
            }
            stamp.ifPresent(s -> verified.put(key, s));
        }
        if (p.lastLine() > r.lines()) {
            return Optional.of("lines " + p.firstLine() + "-" + p.lastLine() + " lie outside the snapshot, which has "
                    + r.lines() + " lines; cite lines that exist");
        }
        Duration age = Duration.between(r.capturedAt(), now);
        if (age.compareTo(maxAge) > 0) {
            return Optional.of("captured " + age.toMinutes() + " min ago, older than the maximum age of "
                    + maxAge.toMinutes() + " min; read the source again and cite the new snapshot");
        }
        if (age.isNegative() && age.abs().compareTo(Duration.ofMinutes(1)) > 0) {
            return Optional.of("captured_at lies in the future; the snapshot metadata was changed");
        }
        return Optional.empty();
    }
}
