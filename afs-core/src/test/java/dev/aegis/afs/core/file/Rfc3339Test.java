package dev.aegis.afs.core.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Line prefix -> instant (empty when the line has no timestamp of its own). */
class Rfc3339Test {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2026-11-21T20:00:00Z INFO x|2026-11-21T20:00:00Z",
        "2026-11-21T20:00:00.123456789Z|2026-11-21T20:00:00.123456789Z",
        "2026-11-21T20:00:00.1234567891Z|2026-11-21T20:00:00.123456789Z",
        "2026-11-21t20:00:00.5z x|2026-11-21T20:00:00.5Z",
        "2026-11-21 20:00:00+01:30 x|2026-11-21T18:30:00Z",
        "2024-02-29T23:59:59-05:00|2024-03-01T04:59:59Z",
        "1969-12-31T23:59:59Z|1969-12-31T23:59:59Z",
        "2023-02-29T00:00:00Z|",
        "2026-13-01T00:00:00Z|",
        "2026-11-21T24:00:00Z|",
        "2026-11-21T20:00:60Z|",
        "2026-11-21T20:00:00 no offset|",
        "2026-11-21T20:00:00.Z|",
        "2026-11-21T20:00:00+0100|",
        "\tat frame|",
        "x2026-11-21T20:00:00Z|",
    })
    void parsesTheLinePrefix(String line, String expected) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        assertEquals(expected == null ? null : Instant.parse(expected), Rfc3339.INSTANCE.parse(b, 0, b.length), line);
    }
}
