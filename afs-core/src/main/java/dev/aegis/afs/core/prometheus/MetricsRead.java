package dev.aegis.afs.core.prometheus;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.CaptureInfo;
import dev.aegis.afs.core.evidence.SnapshotOutput;
import dev.aegis.afs.core.evidence.SnapshotProducer;
import dev.aegis.afs.core.redact.Redactor;
import dev.aegis.afs.core.source.ReadStats;
import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.QuerySyntaxException;
import dev.aegis.afs.query.local.LineMatcher;
import dev.aegis.afs.query.path.PathQuery;
import dev.aegis.afs.query.promql.MetricPlan;
import dev.aegis.afs.query.promql.MetricQueryCompiler;
import dev.aegis.afs.query.promql.PromQlEmitter;
import dev.aegis.afs.query.promql.SeriesDefinition;
import dev.aegis.afs.query.promql.MetricQuery;
import dev.aegis.afs.query.promql.PromDuration;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One read of a metrics file: compiles the path terms against the clock at read time (a range
 * ends when it is read), runs the query, filters and sorts the series, writes them in the
 * file's format and says what ran.
 */
final class MetricsRead implements SnapshotProducer {

    private final String path;
    private final PrometheusBackend backend;
    private final SeriesDefinition series;
    private final MetricFormat format;
    private final PathQuery query;
    private final Clock clock;

    MetricsRead(String path, PrometheusBackend backend, SeriesDefinition series, MetricFormat format,
                PathQuery query, Clock clock) {
        this.path = Objects.requireNonNull(path, "path is null");
        this.backend = Objects.requireNonNull(backend, "backend is null");
        this.series = Objects.requireNonNull(series, "series is null");
        this.format = Objects.requireNonNull(format, "format is null");
        this.query = Objects.requireNonNull(query, "query is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
    }

    /** Compiles the terms now; INVALID_QUERY naming the file, the column and the fix. */
    MetricPlan plan() throws AfsException {
        try {
            return new PromQlEmitter(series, backend.maxPointsPerSeries())
                    .emit(new MetricQueryCompiler(clock).compile(query));
        } catch (QuerySyntaxException e) {
            throw new AfsException(AfsError.INVALID_QUERY, path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public CaptureInfo produce(SnapshotOutput out) throws AfsException {
        MetricPlan plan = plan();
        QueryResult result = backend.client().query(plan.query());
        List<LineMatcher> filters = new ArrayList<>();
        for (LineFilter f : plan.seriesFilters()) {
            filters.add(LineMatcher.of(f));
        }
        // Only the series text (name and labels) is redacted; values and timestamps never pass
        // through redaction. grep= and the sort order see the series as served, never raw labels.
        Redactor redactor = out.redactor();
        List<Map.Entry<String, Series>> kept = new ArrayList<>();
        for (Series s : result.series()) {
            if (plan.localMatchers().stream().allMatch(m -> m.matches(s.labels()))) {
                String text = redactor.redact(s.text());
                if (filters.stream().allMatch(f -> f.keeps(text))) {
                    kept.add(Map.entry(text, s));
                }
            }
        }
        kept.sort(Map.Entry.comparingByKey(Comparator.naturalOrder()));
        if (format.header().isPresent()) {
            out.line(format.header().get());
        }
        long points = 0;
        for (Map.Entry<String, Series> e : kept) {
            List<Series.Sample> samples = new ArrayList<>(e.getValue().samples());
            samples.sort(Comparator.comparingLong(Series.Sample::epochMillis));
            for (Series.Sample sample : samples) {
                out.servedLine(format.line(e.getKey(), sample));
                points++;
            }
        }
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("series", Long.toString(result.series().size()));
        extra.put("series_shown", Long.toString(kept.size()));
        extra.put("points", Long.toString(result.points()));
        extra.put("points_shown", Long.toString(points));
        if (!result.warnings().isEmpty()) {
            extra.put("warnings", String.join("; ", result.warnings()));
        }
        ReadStats stats = ReadStats.complete(result.bytesReceived(), result.points(), result.took());
        Optional<String> truncation = plan.adjustment();
        if (plan.defaultWindow().isPresent() && reachesStart(kept, plan.defaultWindow().get())) {
            MetricQuery.Range range = plan.defaultWindow().get();
            String cut = "default window cut older samples: a read without from=, to= or window= shows the "
                    + PromDuration.format(Duration.between(range.start(), range.end())) + " from " + range.start()
                    + " to " + range.end() + " at step " + PromDuration.format(range.step())
                    + "; widen with from=-2h (or window=2h), or from=<RFC 3339>&to=<RFC 3339>";
            truncation = Optional.of(truncation.map(t -> t + "; " + cut).orElse(cut));
        }
        return new CaptureInfo(backend.label(), plan.query().text(), truncation, stats, extra);
    }

    /** True when some series has a sample at the range's first step: older samples likely exist. */
    private static boolean reachesStart(List<Map.Entry<String, Series>> kept, MetricQuery.Range range) {
        long start = range.start().toEpochMilli();
        return kept.stream().anyMatch(e -> e.getValue().samples().stream().anyMatch(s -> s.epochMillis() == start));
    }
}
