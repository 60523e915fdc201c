package dev.aegis.afs.core.file;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.source.FollowableSource;
import dev.aegis.afs.core.source.LineCursor;
import dev.aegis.afs.core.source.LogSource;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.CountLines;
import dev.aegis.afs.query.LineLimit;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.Stage;
import dev.aegis.afs.query.TimeRange;
import dev.aegis.afs.query.local.LineMatcher;
import dev.aegis.afs.query.local.LineSink;
import dev.aegis.afs.query.pushdown.Pushdown;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A log stream read from files under a file backend's root (see {@link StreamLayout} for which
 * files, {@link StreamScan} for how they are read).
 *
 * <p>Pushdown: the time range, the leading filters, and the first limit or count when every
 * stage before it is pushed; the residual is the rest. Lines are decoded as UTF-8 (malformed
 * bytes become U+FFFD); a line longer than 1 MiB is cut to its first 1 MiB, and the fetch's
 * {@link ReadStats#truncation()} says how many were.
 */
public final class FileLogSource implements LogSource<ScanPlan>, FollowableSource {

    private final String backend;
    private final Path root;
    private final StreamLayout layout;
    private final LineFormat format;
    private final TimestampFormat timestamps;

    FileLogSource(String backend, Path root, StreamLayout layout, LineFormat format, TimestampFormat timestamps) {
        this.backend = Objects.requireNonNull(backend, "backend is null");
        this.root = Objects.requireNonNull(root, "root is null");
        this.layout = Objects.requireNonNull(layout, "layout is null");
        this.format = Objects.requireNonNull(format, "format is null");
        this.timestamps = Objects.requireNonNull(timestamps, "timestamps is null");
    }

    @Override
    public Pushdown<ScanPlan> plan(LogQuery query) {
        return plan(query, Optional.empty());
    }

    /** The scanner decides every filter on the served text itself, so limits stay pushed (tail reads backward). */
    @Override
    public Optional<Pushdown<ScanPlan>> planOnServedText(LogQuery query, UnaryOperator<String> served) {
        return Optional.of(plan(query, Optional.of(served)));
    }

    private Pushdown<ScanPlan> plan(LogQuery query, Optional<UnaryOperator<String>> served) {
        List<LineFilter> filters = query.leadingFilters();
        filters.forEach(LineMatcher::of); // an invalid pattern fails here, before any I/O
        List<Stage> rest = query.stages().subList(filters.size(), query.stages().size());
        // a grep's output stage is never pushed: only a tail, head or count
        boolean pushLimit = !rest.isEmpty() && (rest.get(0) instanceof LineLimit || rest.get(0) instanceof CountLines);
        Optional<Stage> limit = pushLimit ? Optional.of(rest.get(0)) : Optional.empty();
        List<Stage> residual = pushLimit ? rest.subList(1, rest.size()) : rest;
        ScanPlan scan = new ScanPlan(layout.spec(), query.range(), filters, limit, served);
        return new Pushdown<>(scan, new LogQuery(TimeRange.ALL, residual));
    }

    @Override
    public ReadStats fetch(Pushdown<ScanPlan> plan, LineSink sink) throws AfsException {
        Objects.requireNonNull(plan, "plan is null");
        Objects.requireNonNull(sink, "sink is null");
        long started = System.nanoTime();
        List<Segment> segments = segments();
        StreamScan scan = new StreamScan(segments, plan.query(), format, timestamps);
        try {
            scan.run(sink);
        } catch (IOException e) {
            throw new AfsException(AfsError.BACKEND_FAILURE, backend() + ": cannot read " + layout.spec() + " under "
                    + root + ": " + e + "; check that the files are readable", e);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        Optional<String> truncation = scan.cutLines() == 0 ? Optional.empty()
                : Optional.of(scan.cutLines() + " line(s) longer than " + LineReader.MAX_LINE
                        + " bytes were cut to their first " + LineReader.MAX_LINE + " bytes (the rest of each was"
                        + " not read); read the file directly for the full lines");
        return new ReadStats(scan.bytesRead(), scan.delivered(), took, truncation);
    }

    @Override
    public LineCursor follow() throws AfsException {
        segments(); // the root must exist
        return new FileTail(layout, format, backend());
    }

    @Override
    public Instant lastModified() {
        try {
            return segments().stream().map(Segment::modified).max(Instant::compareTo).orElse(Instant.EPOCH);
        } catch (AfsException e) {
            return Instant.EPOCH;
        }
    }

    @Override
    public String backend() {
        return "file:" + backend;
    }

    /** How many times the stream's directory was listed (a read lists it at most once). */
    long listings() {
        return layout.listings();
    }

    /** The files the stream is made of now, oldest first, relative to the root (for evidence and messages). */
    public List<String> files() throws AfsException {
        return segments().stream().map(Segment::name).toList();
    }

    private List<Segment> segments() throws AfsException {
        if (!Files.isDirectory(root)) {
            throw new AfsException(AfsError.BACKEND_FAILURE, backend() + ": root " + root + " does not exist or is not"
                    + " a directory; create it or fix the backend's root in namespaces.yaml");
        }
        return layout.segments();
    }

    @Override
    public String toString() {
        return backend() + " " + layout.spec();
    }
}
