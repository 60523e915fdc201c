package dev.aegis.afs.query;

/** One step of a {@link LogQuery}: keep or drop lines, bound them, or count them. */
public sealed interface Stage permits LineFilter, LineLimit, CountLines {
}
