package dev.aegis.afs.core.prometheus;

import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * How a metrics file shows samples, chosen by its suffix. Every format writes one sample per
 * line: series in order of their text, each series' samples oldest first.
 * <ul>
 *   <li>{@code .prom}: {@code name{labels} value timestamp_ms}, the Prometheus text format.</li>
 *   <li>{@code .csv}: header {@code time,series,value}; RFC 3339 time; the series field is quoted
 *       (RFC 4180) when it holds a comma or a quote, which label sets usually do.</li>
 *   <li>{@code .tsv}: header {@code time\tseries\tvalue}; a tab inside a label value is written
 *       {@code \t} (backslashes are already escaped in the series text, so this is unambiguous).</li>
 * </ul>
 */
public enum MetricFormat {
    PROM(".prom"), CSV(".csv"), TSV(".tsv");

    private final String suffix;

    MetricFormat(String suffix) {
        this.suffix = suffix;
    }

    public String suffix() {
        return suffix;
    }

    /** The format of a file name, e.g. {@code requests.csv}; empty for other suffixes. */
    public static Optional<MetricFormat> of(String fileName) {
        return Arrays.stream(values()).filter(f -> fileName.endsWith(f.suffix) && fileName.length() > f.suffix.length())
                .findFirst();
    }

    /** The header line, if the format has one. */
    public Optional<String> header() {
        return switch (this) {
            case PROM -> Optional.empty();
            case CSV -> Optional.of("time,series,value");
            case TSV -> Optional.of("time\tseries\tvalue");
        };
    }

    /** One sample as a line. */
    public String line(String seriesText, Series.Sample sample) {
        return switch (this) {
            case PROM -> seriesText + " " + sample.value() + " " + sample.epochMillis();
            case CSV -> time(sample) + "," + csvField(seriesText) + "," + sample.value();
            case TSV -> time(sample) + "\t" + seriesText.replace("\t", "\\t") + "\t" + sample.value();
        };
    }

    private static String time(Series.Sample sample) {
        return Instant.ofEpochMilli(sample.epochMillis()).toString();
    }

    private static String csvField(String text) {
        if (text.indexOf(',') < 0 && text.indexOf('"') < 0 && text.indexOf('\r') < 0 && text.indexOf('\n') < 0) {
            return text;
        }
        return "\"" + text.replace("\"", "\"\"") + "\"";
    }
}
