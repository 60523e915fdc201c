package dev.aegis.afs.core.evidence;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.evidence.CaptureRecord;
import dev.aegis.afs.evidence.ContentHash;
import dev.aegis.afs.evidence.SignedCapture;
import dev.aegis.afs.evidence.store.CaptureStore;
import dev.aegis.afs.evidence.store.DirCaptureStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What the shared evidence store holds, as a mount's {@code /evidence} and the CLI see it: its
 * listing (kept {@link #LISTING_TTL}, so a readdir does not query the store each time), and a
 * snapshot another mount wrote, fetched on first use into the local directory after its content
 * hashes to its record. The local copy is then the cached, verified result: later reads and
 * {@code ls -l} are served from disk, and the retention sweep expires it like any other.
 */
final class SharedEvidence {

    static final Duration LISTING_TTL = Duration.ofSeconds(2);
    /** After the store failed to answer, how long the last listing is served before it is asked again. */
    static final Duration FAILURE_BACKOFF = Duration.ofSeconds(30);

    /** A listing, served until {@code until}. */
    private record Listing(List<String> ids, Instant until) {
    }

    private final CaptureStore store;
    private final Path localDir;
    private final Clock clock;
    private volatile Listing listing;
    private volatile String lastProblem = "";

    SharedEvidence(CaptureStore store, Path localDir, Clock clock) {
        this.store = requireNonNull(store, "store is null");
        this.localDir = requireNonNull(localDir, "localDir is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Every id in the store, oldest first; the last listing when the store cannot be asked. */
    List<String> ids() {
        Listing l = listing;
        Instant now = clock.instant();
        if (l != null && now.isBefore(l.until())) {
            return l.ids();
        }
        try {
            List<String> ids = List.copyOf(store.ids());
            listing = new Listing(ids, now.plus(LISTING_TTL));
            return ids;
        } catch (IOException e) {
            // asked again only after a back-off: a store that is down must not slow every readdir by its timeout
            lastProblem = "cannot list " + store.describe() + ": " + e.getMessage();
            List<String> last = l == null ? List.of() : l.ids();
            listing = new Listing(last, now.plus(FAILURE_BACKOFF));
            return last;
        }
    }

    /**
     * Copies a snapshot the store holds into the local directory; false when the store has none,
     * cannot be read, or its content does not hash to its record (then nothing is copied).
     */
    boolean fetch(String id) {
        try {
            Optional<SignedCapture> found = store.record(id);
            if (found.isEmpty() || !found.get().record().id().equals(id)) {
                return false;
            }
            CaptureRecord r = found.get().record();
            Path incoming = localDir.resolve(".incoming");
            Files.createDirectories(incoming, EvidenceStore.DIR_MODE);
            Path temp = incoming.resolve(UUID.randomUUID() + ".fetch");
            try {
                try (InputStream in = store.content(r)) {
                    Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
                }
                String actual = ContentHash.sha256(temp);
                if (!actual.equals(r.sha256())) {
                    lastProblem = id + " in " + store.describe() + " hashes to " + actual + ", not the recorded "
                            + r.sha256() + "; not served";
                    return false;
                }
                new DirCaptureStore(localDir).put(found.get(), temp, store.stats(id));
                return true;
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException | RuntimeException e) {
            lastProblem = "cannot fetch " + id + " from " + store.describe() + ": " + e.getMessage();
            return false;
        }
    }

    /** One line for /.afs/status: empty when nothing went wrong. */
    String lastProblem() {
        return lastProblem;
    }
}
