package dev.aegis.afs.core.prometheus;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A successful Prometheus API response.
 *
 * @param resultType    matrix, vector, scalar or string
 * @param series        the result, in the order Prometheus sent it (a scalar is one series without labels)
 * @param warnings      Prometheus' warnings, if any
 * @param bytesReceived size of the response body
 * @param took          wall time, retries included
 */
public record QueryResult(String resultType, List<Series> series, List<String> warnings, long bytesReceived,
                          Duration took) {

    public QueryResult {
        Objects.requireNonNull(resultType, "resultType is null");
        series = List.copyOf(Objects.requireNonNull(series, "series is null"));
        warnings = List.copyOf(Objects.requireNonNull(warnings, "warnings is null"));
        Objects.requireNonNull(took, "took is null");
    }

    public long points() {
        return series.stream().mapToLong(s -> s.samples().size()).sum();
    }
}
