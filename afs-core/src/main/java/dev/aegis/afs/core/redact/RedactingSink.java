package dev.aegis.afs.core.redact;

import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.local.LineSink;
import dev.aegis.afs.query.local.ReadDeadline;
import java.util.Objects;

/**
 * Redacts each line before the sinks after it see it: put it in front of every local filter,
 * so filters decide on the text as served, never on raw text. Checks the read's time budget on
 * every line a backend delivers.
 */
public record RedactingSink(Redactor redactor, LineSink next) implements LineSink {

    public RedactingSink {
        Objects.requireNonNull(redactor, "redactor is null");
        Objects.requireNonNull(next, "next is null");
    }

    @Override
    public boolean accept(LogLine line) {
        ReadDeadline.check();
        String served = redactor.redact(line.text());
        return next.accept(served == line.text() ? line : new LogLine(line.time(), served));
    }

    @Override
    public void end() {
        next.end();
    }
}
