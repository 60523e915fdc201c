/**
 * Compiles a {@link dev.aegis.afs.query.LogQuery} into a Loki {@code query_range} request.
 *
 * <p>What is pushed, and why it is exact:
 * <ul>
 *   <li>The leading filters become LogQL line filters. A single case-sensitive literal is
 *       {@code |= "x"} / {@code != "x"}; anything else (regex, ignore-case, several patterns of
 *       one filter ORed) is one RE2 expression, {@code |~ "re"} / {@code !~ "re"}. Loki matches
 *       with Go's RE2 and RE2J implements the same syntax and semantics, so these are exact.</li>
 *   <li>The first limit after them: {@code tail -n N} is {@code limit=N&direction=backward}
 *       (the fetcher re-orders the entries oldest first), {@code head -n N} is
 *       {@code limit=N&direction=forward}. A count stays local.</li>
 *   <li>The time range becomes {@code start} (inclusive) and {@code end} (exclusive) in
 *       nanoseconds, Loki's own semantics. An open start reads the backend's lookback.</li>
 * </ul>
 * Strings are written as LogQL (Go) strings: a raw {@code `...`} string when the text has a
 * backslash but no backtick and no control character (raw strings keep regexes readable; Go
 * drops carriage returns from raw strings, so those are never raw), otherwise a double-quoted
 * string with {@code \\}, {@code \"}, {@code \n}, {@code \r}, {@code \t} and {@code \xHH}
 * escapes.
 *
 * <p>Known difference: Loki filters a whole entry; an entry holding a newline is one line to
 * Loki but several to a reader. Entries are normally single lines.
 */
package dev.aegis.afs.query.logql;
