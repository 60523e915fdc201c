package dev.aegis.afs.core.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The series text and the three line formats, with hostile label values. */
class MetricFormatTest {

    private static final Series.Sample SAMPLE = new Series.Sample(1767225600500L, "0.25");
    private static final Series HOSTILE = new Series(Map.of("__name__", "m", "z", "tab\there", "a", "q\"b\\s\nnl,c"),
            List.of(SAMPLE));

    @Test
    void seriesTextIsTheTextFormatWithSortedLabelsAndEscapes() {
        assertEquals("m{a=\"q\\\"b\\\\s\\nnl,c\",z=\"tab\there\"}", HOSTILE.text());
        assertEquals("up", new Series(Map.of("__name__", "up"), List.of()).text());
        assertEquals("{job=\"api\"}", new Series(Map.of("job", "api"), List.of()).text());
        assertEquals("{}", new Series(Map.of(), List.of()).text());
    }

    @Test
    void promLinesCarryMillisecondTimestamps() {
        assertEquals("m{a=\"q\\\"b\\\\s\\nnl,c\",z=\"tab\there\"} 0.25 1767225600500",
                MetricFormat.PROM.line(HOSTILE.text(), SAMPLE));
        assertEquals(Optional.empty(), MetricFormat.PROM.header());
    }

    @Test
    void csvQuotesTheSeriesField() {
        assertEquals(Optional.of("time,series,value"), MetricFormat.CSV.header());
        assertEquals("2026-01-01T00:00:00.500Z,\"m{a=\"\"q\\\"\"b\\\\s\\nnl,c\"\",z=\"\"tab\there\"\"}\",0.25",
                MetricFormat.CSV.line(HOSTILE.text(), SAMPLE));
        assertEquals("2026-01-01T00:00:00.500Z,up,0.25", MetricFormat.CSV.line("up", SAMPLE));
    }

    @Test
    void tsvEscapesTabsSoEachLineHasThreeFields() {
        String line = MetricFormat.TSV.line(HOSTILE.text(), SAMPLE);
        assertEquals("2026-01-01T00:00:00.500Z\tm{a=\"q\\\"b\\\\s\\nnl,c\",z=\"tab\\there\"}\t0.25", line);
        assertEquals(3, line.split("\t", -1).length);
    }

    @Test
    void formatIsChosenBySuffix() {
        assertEquals(Optional.of(MetricFormat.CSV), MetricFormat.of("requests.csv"));
        assertEquals(Optional.of(MetricFormat.PROM), MetricFormat.of("a.csv.prom"));
        assertEquals(Optional.empty(), MetricFormat.of(".prom"));
        assertEquals(Optional.empty(), MetricFormat.of("requests.txt"));
    }
}
