package dev.aegis.afs.core.tree.logs;

import dev.aegis.afs.core.redact.Redactor;
import dev.aegis.afs.core.source.EntryCount;
import dev.aegis.afs.query.LineFilter;
import dev.aegis.afs.query.local.LineMatcher;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Counts a backend entry only when one of its lines, as served (redacted by its own redactor,
 * which sees every entry in the order the backend returns them), passes every raw prefilter the
 * backend was given. So {@code max_entries}, truncation and {@code user.afs.stats.entries} are
 * what the served text alone decides, and {@link #servedBytes()} (reported as
 * {@code bytes_received}) is the served size of the counted entries: a raw line that matched a
 * prefilter only inside a redacted value leaves no trace. See {@code RawPushdown}.
 */
final class ServedEntryCount implements EntryCount {

    private final Redactor redactor;
    private final List<LineMatcher> prefilters;
    private long servedBytes;

    ServedEntryCount(Redactor redactor, List<LineFilter> prefilters) {
        this.redactor = Objects.requireNonNull(redactor, "redactor is null");
        this.prefilters = prefilters.stream().map(LineMatcher::of).toList();
    }

    @Override
    public boolean counts(Instant time, String text) {
        String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        boolean counted = false;
        long bytes = 0;
        for (String line : body.split("\n", -1)) { // as Entries serves them: one line each
            String served = redactor.redact(line);
            bytes += served.getBytes(StandardCharsets.UTF_8).length + 1L;
            counted |= prefilters.stream().allMatch(m -> m.keeps(served));
        }
        if (counted) {
            servedBytes += bytes;
        }
        return counted;
    }

    long servedBytes() {
        return servedBytes;
    }
}
