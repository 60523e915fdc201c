package dev.aegis.afs.core.tree.logs;

import dev.aegis.afs.core.source.TimestampMode;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.TimePrefix;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A followed line as a read of the same path serves it: {@code <time> [<labels>] <text>} by the
 * stream's {@link TimestampMode} (decided once for the stream; a follow that starts before any
 * read decides from its first line) and the read's {@code raw=1} / {@code labels=1}. The
 * follower's filters see this text, after redaction, as they would in a read.
 */
record FollowedLine(TimestampMode mode, boolean labels, AtomicReference<TimestampMode> detected) {

    FollowedLine {
        Objects.requireNonNull(mode, "mode is null");
        Objects.requireNonNull(detected, "detected is null");
    }

    /** Lines that arrive as they are served (pod logs, shaped by their own file). */
    static final FollowedLine AS_SERVED = new FollowedLine(TimestampMode.NONE, false, new AtomicReference<>());

    static FollowedLine of(LogStream stream, LineShape shape) {
        return new FollowedLine(shape.raw() ? TimestampMode.NONE : stream.source().timestampMode(),
                shape.labels() && stream.source().hasLabels(), stream.detected());
    }

    String text(LogLine line, String streamLabels) {
        TimestampMode m = mode;
        if (m == TimestampMode.AUTO) {
            detected.compareAndSet(null, TimestampMode.detect(List.of(line.text())));
            m = detected.get();
        }
        boolean prefix = m == TimestampMode.PREFIX && line.time() != null;
        boolean withLabels = labels && streamLabels != null;
        if (!prefix && !withLabels) {
            return line.text();
        }
        StringBuilder text = new StringBuilder(line.text().length() + 64);
        if (prefix) {
            text.append(TimePrefix.format(line.time())).append(' ');
        }
        if (withLabels) {
            text.append(streamLabels).append(' ');
        }
        return text.append(line.text()).toString();
    }
}
