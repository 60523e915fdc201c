package dev.aegis.afs.core.source;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.query.LogQuery;
import dev.aegis.afs.query.TimeRange;
import dev.aegis.afs.query.local.LineSink;
import dev.aegis.afs.query.pushdown.BackendQuery;
import dev.aegis.afs.query.pushdown.Pushdown;
import java.time.Instant;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * One configured log stream on one backend. The core calls {@link #plan} (pure) and then
 * {@link #fetch}, and applies the plan's residual to the lines fetched; see {@link Pushdown}.
 */
public interface LogSource<Q extends BackendQuery> {

    /** Compiles {@code query} into this backend's query and the residual. No I/O. */
    Pushdown<Q> plan(LogQuery query);

    /**
     * For a source that can decide filters on the served (redacted) text itself, exactly: the
     * whole plan compiled with {@code served} (what a raw line becomes when served) applied
     * before every filter, so limits stay pushed. Empty (the default) when it cannot; the core
     * then asks {@link dev.aegis.afs.query.pushdown.RawPushdown} what may run on raw data.
     * The lines fetched are still raw: the core redacts them.
     */
    default Optional<Pushdown<Q>> planOnServedText(LogQuery query, UnaryOperator<String> served) {
        return Optional.empty();
    }

    /**
     * Runs the pushed-down query and passes the lines to {@code sink}, oldest first, stopping
     * early when the sink returns false. Does not call {@link LineSink#end()}; the caller does.
     *
     * @throws AfsException BACKEND_FAILURE (or UNAVAILABLE) with backend, host, status and the
     *                      first line of the body; never a credential
     */
    ReadStats fetch(Pushdown<Q> plan, LineSink sink) throws AfsException;

    /**
     * True when this source can count only some entries ({@link #fetch(Pushdown, LineSink, EntryCount)}),
     * so that with redaction it may be given a raw prefilter ({@code RawPushdown}).
     */
    default boolean countsServedEntries() {
        return false;
    }

    /**
     * As {@link #fetch(Pushdown, LineSink)}, but every entry still passes to {@code sink} while only
     * those {@code count} accepts count toward {@code max_entries}, truncation and
     * {@link ReadStats#entries()}. Sources that say {@link #countsServedEntries()} implement it.
     */
    default ReadStats fetch(Pushdown<Q> plan, LineSink sink, EntryCount count) throws AfsException {
        throw new UnsupportedOperationException(backend() + " cannot count entries on served text");
    }

    /** When the stream last changed, for {@code stat}; {@link Instant#EPOCH} if unknown. */
    Instant lastModified();

    /** The backend's configured name and type, e.g. {@code file:demo}, for evidence. */
    String backend();

    /**
     * Whether lines are served with their time in front ({@link TimestampMode}). Sources whose
     * lines carry their own time (files) keep the default, {@code none}.
     */
    default TimestampMode timestampMode() {
        return TimestampMode.NONE;
    }

    /** True when lines come from several labelled streams (Loki), shown with {@code labels=1}. */
    default boolean hasLabels() {
        return false;
    }

    /**
     * {@code range} with both ends absolute, as this backend will be asked for them at
     * {@code now}: an open end is now, an open start the backend's lookback before the end.
     * Evidence then records the bounds actually sent, so the read can be replayed. Sources that
     * read a fixed file leave the range as it is.
     */
    default TimeRange absolute(TimeRange range, Instant now) {
        return range;
    }
}
