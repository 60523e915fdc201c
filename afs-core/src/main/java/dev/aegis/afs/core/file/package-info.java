/**
 * The file backend ({@code type: file}): log streams read from local files under a root.
 *
 * <p>Public: {@link dev.aegis.afs.core.file.FileBackendType} (registered by the core),
 * {@link dev.aegis.afs.core.file.FileLogSource} (the stream) and
 * {@link dev.aegis.afs.core.file.ScanPlan} (its backend query). Everything else is package-private.
 *
 * <p>Decisions a reader can notice:
 * <ul>
 *   <li>Which files and in which order: {@link dev.aegis.afs.core.file.StreamLayout}. A glob or
 *       a directory with several base names is their concatenation (by name), not a merge by
 *       time; time-based skipping is then off and a range is checked line by line.</li>
 *   <li>Timestamps: a line that does not start with one belongs to the line before (same
 *       time); lines before the first timestamp have none. Seeking by time assumes timestamps
 *       do not decrease within a base name, as the local evaluator does.</li>
 *   <li>{@code format: cri}: the served line is the CRI message (see
 *       {@link dev.aegis.afs.core.file.LineFormat}); partial chunks are not joined.</li>
 *   <li>Lines are decoded as UTF-8 (malformed bytes become U+FFFD). A line over 1 MiB is cut to
 *       its first 1 MiB and the rest is neither served nor searched; the fetch's
 *       {@code ReadStats.truncation} says how many lines were cut.</li>
 *   <li>{@code ReadStats.bytesReceived} counts bytes read from disk (compressed bytes for
 *       {@code .gz} files).</li>
 *   <li>The newest lines of a tail whose timestamp is more than 1 MiB further back (a huge
 *       stack trace at the start of the result) are served with no time when no range is set.</li>
 * </ul>
 */
package dev.aegis.afs.core.file;
