package dev.aegis.afs.query;

/**
 * One step of a {@link LogQuery}: keep or drop lines, bound them, count them, or print them as
 * one grep command does ({@link GrepOutput}, never pushed to a backend).
 */
public sealed interface Stage permits LineFilter, LineLimit, CountLines, GrepOutput {
}
