package dev.aegis.afs.query.promql;

import dev.aegis.afs.query.LineFilter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The immutable plan of one metrics read, from the path terms of a metrics file.
 *
 * @param evaluation    a range ({@code window=}, {@code step=}) or one instant ({@code at=})
 * @param function      {@code fn=}, applied to each series first
 * @param sumBy         {@code by=}: sum the series by these labels (empty list: sum them all)
 * @param matchers      {@code match=} terms, ANDed; they select the series read, before any
 *                      function or sum
 * @param seriesFilters {@code grep=}/{@code grep-v=} on the series text of the result, e.g.
 *                      {@code name{labels}}, ANDed; always applied locally (some are also pushed as
 *                      matchers, see the package documentation)
 */
public record MetricQuery(Evaluation evaluation, Optional<RangeFunction> function, Optional<List<String>> sumBy,
                          List<LabelMatcher> matchers, List<LineFilter> seriesFilters) {

    public MetricQuery {
        Objects.requireNonNull(evaluation, "evaluation is null");
        Objects.requireNonNull(function, "function is null");
        sumBy = Objects.requireNonNull(sumBy, "sumBy is null").map(List::copyOf);
        matchers = List.copyOf(Objects.requireNonNull(matchers, "matchers is null"));
        seriesFilters = List.copyOf(Objects.requireNonNull(seriesFilters, "seriesFilters is null"));
    }

    /** When the query is evaluated. */
    public sealed interface Evaluation {
    }

    /**
     * A range query from {@code start} to {@code end} (both inclusive) every {@code step}.
     * {@code defaultWindow} is true when the reader gave no {@code from=}, {@code to=} or
     * {@code window=}, so the default window decided how far back the read goes.
     */
    public record Range(Instant start, Instant end, Duration step, boolean defaultWindow) implements Evaluation {

        public Range(Instant start, Instant end, Duration step) {
            this(start, end, step, false);
        }

        public Range {
            Objects.requireNonNull(start, "start is null");
            Objects.requireNonNull(end, "end is null");
            Objects.requireNonNull(step, "step is null");
            if (end.isBefore(start)) {
                throw new IllegalArgumentException("range ends (" + end + ") before it starts (" + start + ")");
            }
            if (step.toMillis() <= 0) {
                throw new IllegalArgumentException("step must be at least 1ms, was " + step);
            }
        }

        /**
         * The range with start and end rounded down to a multiple of the step (since the epoch), so
         * that two reads of the same span give the same sample times, whenever they run.
         */
        public Range aligned() {
            long stepMillis = step.toMillis();
            return new Range(floor(start, stepMillis), floor(end, stepMillis), step, defaultWindow);
        }

        private static Instant floor(Instant t, long stepMillis) {
            return Instant.ofEpochMilli(Math.floorDiv(t.toEpochMilli(), stepMillis) * stepMillis);
        }

        /** Points per series Prometheus evaluates: one at start, then every step up to end. */
        public long points() {
            return Duration.between(start, end).toMillis() / step.toMillis() + 1;
        }
    }

    /** An instant query at {@code time}. */
    public record At(Instant time) implements Evaluation {
        public At {
            Objects.requireNonNull(time, "time is null");
        }
    }
}
