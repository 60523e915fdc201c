package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.evidence.CaptureRecord;
import dev.aegis.afs.evidence.ContentHash;
import dev.aegis.afs.evidence.SignedCapture;
import dev.aegis.afs.evidence.store.CaptureStore;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import dev.aegis.afs.harness.ChangeRequest.EvidencePointer;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The evidence gate, run at submit and again right before each action: every pointer must name
 * a snapshot that a mount registered (with a record signed by a pinned capture key), captured
 * from the request's own team/env, whose content in the evidence store (the shared store every
 * mount writes to, or the local directory by default) still hashes to the registered sha256,
 * whose record in the store is the registered one, whose cited lines exist, and which the harness
 * received no longer ago than the maximum age. A snapshot a mount spooled while the store was
 * unreachable is refused until it has arrived in the store.
 *
 * <p>Every check re-hashes the content: there is no cache keyed on inode, size, mtime or ctime,
 * since root can rewrite a file and reset them. At about 1 GB/s this is ~10 ms per 10 MB.
 */
public final class EvidenceGate {

    private final CaptureStore store;
    private final EvidenceRegistry registry;
    private final Duration maxAge;
    private final Duration registrationGrace;
    private final Clock clock;

    /**
     * @param registrationGrace how long to wait for a registration still on its way from the
     *                          mount (which registers asynchronously) before calling a snapshot unregistered
     */
    public EvidenceGate(CaptureStore store, EvidenceRegistry registry, Duration maxAge, Duration registrationGrace,
                        Clock clock) {
        this.store = requireNonNull(store, "store is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.maxAge = requireNonNull(maxAge, "maxAge is null");
        this.registrationGrace = requireNonNull(registrationGrace, "registrationGrace is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public EvidenceRegistry registry() {
        return registry;
    }

    /** Where the snapshots' content is read from. */
    public CaptureStore store() {
        return store;
    }

    /**
     * Problems, one per bad pointer, each {@code "<field> (/evidence/<id>): <reason>"}; empty
     * when every pointer holds for a change to {@code team}/{@code env}.
     */
    public List<String> check(String team, String env, List<EvidencePointer> pointers) {
        List<String> out = new ArrayList<>();
        verify(team, env, pointers).forEach(v -> v.problem().ifPresent(out::add));
        return out;
    }

    /**
     * One pointer's verdict: its problem ({@code "<field> (/evidence/<id>): <reason>"}), or what
     * was verified and when (shown gate by gate in a request's status).
     */
    public record Verdict(EvidencePointer pointer, Optional<String> problem, String verified, Optional<Instant> capturedAt) {
    }

    /** Every pointer's verdict, in the pointers' order. */
    public List<Verdict> verify(String team, String env, List<EvidencePointer> pointers) {
        Instant now = clock.instant();
        // Re-hashing is the cost, so snapshots are checked in parallel (in the pointers' order)
        return (pointers.size() > 1 ? pointers.parallelStream() : pointers.stream()).map(p -> {
            Object[] verified = new Object[2]; // what was verified, and the registered capture time
            Optional<String> problem = check(team, env, p, now, verified)
                    .map(x -> p.field() + " (/evidence/" + p.id() + "): " + x);
            return new Verdict(p, problem, problem.isPresent() ? "" : (String) verified[0],
                    Optional.ofNullable((Instant) verified[1]));
        }).toList();
    }

    /**
     * Lines {@code first}..{@code last} (1-based) of a snapshot, at most {@code max} of them, for
     * a reader to see what a plan cites; call it only for a pointer that {@link #verify} passed.
     */
    public List<String> lines(String id, long first, long last, int max) throws IOException {
        Optional<EvidenceRegistry.Registered> reg;
        try {
            reg = registry.find(id, Duration.ZERO);
        } catch (SQLException e) {
            throw new IOException("the evidence registry cannot be read: " + e.getMessage(), e);
        }
        if (reg.isEmpty()) {
            throw new java.nio.file.NoSuchFileException(id, null, "not registered with the harness");
        }
        try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                store.content(reg.get().record()), java.nio.charset.StandardCharsets.UTF_8))) {
            return in.lines().skip(Math.max(0, first - 1)).limit(Math.min(Math.max(0, last - first + 1), max)).toList();
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private Optional<String> check(String team, String env, EvidencePointer p, Instant now, Object[] verified) {
        Optional<EvidenceRegistry.Registered> found;
        try {
            found = registry.find(p.id(), registrationGrace);
        } catch (SQLException e) {
            return Optional.of("the evidence registry cannot be read (" + e.getMessage() + "), so nothing is trusted; retry");
        }
        if (found.isEmpty()) {
            boolean stored;
            try {
                stored = store.record(p.id()).isPresent();
            } catch (IOException e) {
                stored = false;
            }
            return Optional.of(stored
                    ? "not registered with the harness: no mount with a pinned capture key reported this capture"
                    + " (a forged or re-signed snapshot, or one read while the harness was down); read the source"
                    + " again through the mount and cite the new snapshot"
                    : "no such snapshot in the evidence store; cite the user.afs.evidence path of a file you read");
        }
        EvidenceRegistry.Registered reg = found.get();
        CaptureRecord r = reg.record();
        Optional<String> bad = registry.keys().problem(reg.capture(), reg.receivedAt());
        if (bad.isPresent()) {
            return Optional.of("refused: " + bad.get());
        }
        if (!r.team().equals(team) || !r.env().equals(env)) {
            return Optional.of("captured from " + r.team() + "/" + r.env() + ", not " + team + "/" + env
                    + ": a change for " + team + "/" + env + " must cite evidence read from " + team + "/" + env);
        }
        if (!r.sha256().equals(p.sha256())) {
            return Optional.of("sha256 " + p.sha256() + " differs from the sha256 " + r.sha256() + " registered at "
                    + reg.receivedAt() + ": a re-hashed or forged snapshot is refused; copy the snapshot's user.afs.sha256 xattr");
        }
        if (p.capturedAt().isPresent() && !p.capturedAt().get().equals(r.capturedAt())) {
            return Optional.of("captured_at " + p.capturedAt().get() + " differs from the registered " + r.capturedAt()
                    + "; copy the snapshot's user.afs.captured_at xattr");
        }
        Optional<SignedCapture> stored;
        try {
            stored = store.record(r.id());
        } catch (IOException | RuntimeException e) {
            return Optional.of("the evidence store " + store.describe() + " cannot be read (" + e.getMessage()
                    + "), so it cannot be verified; retry when the store is back");
        }
        if (stored.isEmpty()) {
            return Optional.of("not in the evidence store " + store.describe() + " yet: the mount spooled it while the store"
                    + " was unreachable (user.afs.replicated=false on the snapshot), or it expired; cite it once"
                    + " user.afs.replicated is true, or read the source again");
        }
        if (!Arrays.equals(stored.get().record().canonical(), r.canonical())
                || !stored.get().signature().equals(reg.capture().signature())) {
            return Optional.of("its record in the evidence store differs from the one registered at " + reg.receivedAt()
                    + ": the record was rewritten or re-signed after registration");
        }
        String actual;
        try (InputStream in = store.content(r)) {
            actual = sha256(in);
        } catch (dev.aegis.afs.evidence.store.PurgeableStore.PurgedException e) {
            return Optional.of("its content was " + e.purge().describe() + "; it can no longer be cited, read the source"
                    + " again");
        } catch (NoSuchFileException e) {
            return Optional.of("its content is gone from the evidence store (expired or deleted); read the source again");
        } catch (IOException e) {
            return Optional.of("its content cannot be read (" + e.getMessage() + "), so it cannot be verified");
        }
        if (!actual.equals(r.sha256())) {
            return Optional.of("content sha256 " + actual + " differs from the sha256 " + r.sha256() + " registered at "
                    + reg.receivedAt() + ": the snapshot was changed "
                    + (store instanceof dev.aegis.afs.evidence.store.DirCaptureStore ? "on disk" : "in " + store.describe())
                    + " after it was registered");
        }
        if (p.firstLine() < 1 || p.lastLine() > r.lines() || p.firstLine() > p.lastLine()) {
            return Optional.of("lines " + p.firstLine() + "-" + p.lastLine() + " lie outside the snapshot, which has "
                    + r.lines() + " lines; cite lines that exist");
        }
        Duration age = Duration.between(reg.receivedAt(), now);
        if (age.compareTo(maxAge) > 0) {
            return Optional.of("registered " + age.toMinutes() + " min ago, older than the maximum age of "
                    + maxAge.toMinutes() + " min; read the source again and cite the new snapshot");
        }
        verified[0] = p.field() + " /evidence/" + p.id() + " sha256 " + actual + " verified at " + clock.instant()
                + " (lines " + p.firstLine() + "-" + p.lastLine() + " of " + r.lines() + "; captured from " + r.team() + "/"
                + r.env() + " at " + r.capturedAt() + ", signed by capture key " + r.keyId()
                + ", registered " + reg.receivedAt() + ")";
        verified[1] = r.capturedAt();
        return Optional.empty();
    }

    private static String sha256(InputStream in) throws IOException {
        MessageDigest digest = ContentHash.digest();
        byte[] buffer = new byte[1 << 20];
        for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
