package dev.aegis.afs.evidence.store;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.evidence.ContentHash;
import dev.aegis.afs.evidence.PinnedKeys;
import dev.aegis.afs.evidence.SignedCapture;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Copies every snapshot of one store into another ({@code afs evidence migrate}) and verifies each
 * where it arrived: the record and signature read back unchanged, the content read back hashes to
 * the record's sha256, and (with pinned keys) the signature verifies. Copying again is safe: a
 * snapshot already there with the same record is only verified.
 */
public final class EvidenceMigration {

    /** What happened to one snapshot: {@code problem} empty when it is in the target and verified. */
    public record Outcome(String id, boolean copied, Optional<String> problem) {
        public boolean ok() {
            return problem.isEmpty();
        }
    }

    /** Totals of a run. */
    public record Summary(int copied, int present, int failed) {
    }

    private final CaptureStore from;
    private final CaptureStore to;
    private final Optional<PinnedKeys> keys;
    private final Path scratch;

    /** @param scratch a private directory for content on its way (streamed from the source, then put) */
    public EvidenceMigration(CaptureStore from, CaptureStore to, Optional<PinnedKeys> keys, Path scratch) {
        this.from = requireNonNull(from, "from is null");
        this.to = requireNonNull(to, "to is null");
        this.keys = requireNonNull(keys, "keys is null");
        this.scratch = requireNonNull(scratch, "scratch is null");
    }

    public Summary run(Consumer<Outcome> report) throws IOException {
        int copied = 0;
        int present = 0;
        int failed = 0;
        for (String id : from.ids()) {
            Outcome o = one(id);
            report.accept(o);
            if (!o.ok()) {
                failed++;
            } else if (o.copied()) {
                copied++;
            } else {
                present++;
            }
        }
        return new Summary(copied, present, failed);
    }

    Outcome one(String id) {
        try {
            Optional<SignedCapture> source = from.record(id);
            if (source.isEmpty()) {
                return new Outcome(id, false, Optional.of("its record is missing in " + from.describe()));
            }
            SignedCapture c = source.get();
            if (keys.isPresent()) {
                Optional<String> bad = keys.get().problem(c, c.record().capturedAt());
                if (bad.isPresent()) {
                    return new Outcome(id, false, Optional.of("not copied: " + bad.get()));
                }
            }
            boolean already = to.record(id).isPresent();
            if (!already) {
                Path temp = Files.createTempFile(scratch, "migrate-", ".part");
                try {
                    try (InputStream in = from.content(c.record())) {
                        Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
                    }
                    to.put(c, temp, from.stats(id));
                } finally {
                    Files.deleteIfExists(temp);
                }
            }
            SignedCapture arrived = to.record(id).orElse(null);
            if (arrived == null || !Arrays.equals(arrived.record().canonical(), c.record().canonical())
                    || !arrived.signature().equals(c.signature())) {
                return new Outcome(id, !already, Optional.of("the record in " + to.describe() + " differs from the one in "
                        + from.describe()));
            }
            String actual;
            try (InputStream in = to.content(arrived.record())) {
                MessageDigest digest = ContentHash.digest();
                byte[] buffer = new byte[1 << 20];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, n);
                }
                actual = HexFormat.of().formatHex(digest.digest());
            }
            if (!actual.equals(c.record().sha256())) {
                return new Outcome(id, !already, Optional.of("its content in " + to.describe() + " hashes to " + actual
                        + ", not the recorded " + c.record().sha256()));
            }
            return new Outcome(id, !already, Optional.empty());
        } catch (IOException | RuntimeException e) {
            return new Outcome(id, false, Optional.of(String.valueOf(e.getMessage())));
        }
    }
}
