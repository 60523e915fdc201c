package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.evidence.CaptureRecord;
import dev.aegis.afs.evidence.PinnedKeys;
import dev.aegis.afs.evidence.SignedCapture;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The captures the harness has seen registered, each with the harness's own receipt time
 * ({@code data_dir/evidence.db}, 0600). A snapshot is citable only once registered, and only
 * as registered: a record re-signed later, even with the real key, does not match and is
 * refused. Evidence age is measured from the receipt time, never from the claimed captured_at.
 */
public final class EvidenceRegistry implements AutoCloseable {

    /** A registration the harness refused, with the reason. */
    public static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    /** A registered capture and when the harness received it. */
    public record Registered(SignedCapture capture, Instant receivedAt) {
        public CaptureRecord record() {
            return capture.record();
        }
    }

    private final CaptureTable table;
    private final PinnedKeys keys;
    private final Clock clock;

    /** The embedded registry in {@code file} (SQLite, 0600). */
    public EvidenceRegistry(Path file, PinnedKeys keys, Clock clock) throws IOException {
        this(CaptureTable.sqlite(file), keys, clock);
    }

    public EvidenceRegistry(CaptureTable table, PinnedKeys keys, Clock clock) {
        this.table = requireNonNull(table, "table is null");
        this.keys = requireNonNull(keys, "keys is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public PinnedKeys keys() {
        return keys;
    }

    /**
     * Registers a capture: its signature must verify under a pinned key valid now, and an id
     * registered before must come with the very same record and signature (then this is a
     * repeat and the first receipt time stands).
     *
     * @throws Refused naming why
     */
    public synchronized Registered register(SignedCapture capture) throws Refused, SQLException {
        Instant now = clock.instant();
        Optional<String> bad = keys.problem(capture, now);
        if (bad.isPresent()) {
            throw new Refused("capture " + capture.record().id() + " refused: " + bad.get());
        }
        Optional<Registered> earlier = find(capture.record().id());
        if (earlier.isEmpty() && !table.insert(capture.record(), capture.signature(), now.toEpochMilli())) {
            // another replica registered this id a moment ago: compare with what it stored
            earlier = find(capture.record().id());
        }
        if (earlier.isPresent()) {
            if (same(earlier.get().capture(), capture)) {
                return earlier.get();
            }
            throw new Refused("capture " + capture.record().id() + " refused: a different record was registered under this id at "
                    + earlier.get().receivedAt() + "; a snapshot is registered once, so a re-signed or rewritten record is not accepted");
        }
        notifyAll();
        return new Registered(capture, now);
    }

    private static boolean same(SignedCapture a, SignedCapture b) {
        return Arrays.equals(a.record().canonical(), b.record().canonical()) && a.signature().equals(b.signature());
    }

    public synchronized Optional<Registered> find(String id) throws SQLException {
        Optional<CaptureTable.Row> row = table.find(id);
        return row.isEmpty() ? Optional.empty() : Optional.of(registered(row.get(), id));
    }

    /** The captures read under {@code incident} (their signed tag), in the order they were registered. */
    public synchronized List<Registered> forIncident(String incident) throws SQLException {
        List<Registered> out = new ArrayList<>();
        for (CaptureTable.Row row : table.forIncident(incident)) {
            out.add(registered(row, "a capture of incident " + incident));
        }
        return out;
    }

    /** Every incident captures were read under, with the team/env read: {@code [incident, team, env]}. */
    public synchronized List<List<String>> incidentEnvs() throws SQLException {
        return table.incidentEnvs();
    }

    private static Registered registered(CaptureTable.Row row, String what) throws SQLException {
        try {
            SignedCapture c = new SignedCapture(CaptureRecord.fromJson(Ledger.JSON.readTree(row.record())), row.signature());
            return new Registered(c, Instant.ofEpochMilli(row.receivedMillis()));
        } catch (IOException | IllegalArgumentException e) {
            throw new SQLException("the registered record of " + what + " is not a record: " + e.getMessage(), e);
        }
    }

    /**
     * As {@link #find(String)}, waiting up to {@code grace} for a registration on its way: the
     * mount registers asynchronously, so a plan written right after a read may arrive first.
     */
    public synchronized Optional<Registered> find(String id, Duration grace) throws SQLException {
        long deadline = System.nanoTime() + grace.toNanos();
        Optional<Registered> found = find(id);
        while (found.isEmpty() && System.nanoTime() < deadline) {
            try {
                // woken by a registration here; another replica's shows up at the next look, at most 50 ms on
                wait(Math.max(1, Math.min(50, (deadline - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
            found = find(id);
        }
        return found;
    }

    @Override
    public synchronized void close() {
        table.close();
    }
}
