package dev.aegis.afs.query;

import java.util.Objects;
import java.util.Optional;

/**
 * How one grep command prints what it selected, as GNU grep 3.8 does for one input: the lines
 * (with {@code -o} only their matches, with {@code -n} their numbers, with {@code -A -B -C}
 * context and {@code --} between groups), their count ({@code -c}), the input's name if any line
 * ({@code -l}) or no line ({@code -L}) was selected, or nothing ({@code -q}).
 *
 * <p>When the output depends only on the selected lines, the selection itself is compiled as a
 * {@link LineFilter} (and {@code -m N} as a {@link LineLimit}) before this stage, so backends can
 * push it down, and {@code select} is empty: every line reaching this stage is selected. Line
 * numbers and context need every line of the input, so then {@code select} holds the filter and
 * this stage sees them all. Always applied locally.
 *
 * @param select      the filter this stage applies itself (with -n or context); empty when lines arrive selected
 * @param matches     the patterns, for -o (the filter as written, without -v)
 * @param mode        what is printed
 * @param maxCount    -m: stop after this many selected lines; -1 for no limit (only with {@code select})
 * @param onlyMatching -o
 * @param lineNumbers -n (only with {@code select})
 * @param before      -B lines of leading context, -1 when no context option was given (only with {@code select})
 * @param after       -A lines of trailing context, -1 likewise; any context option, even -C 0, separates groups
 * @param label       -H: the name printed before each line or count; empty for none
 * @param inputName   the name -l and -L print: the file operand as written, or {@code (standard input)}
 */
public record GrepOutput(Optional<LineFilter> select, LineFilter matches, Mode mode, long maxCount,
                         boolean onlyMatching, boolean lineNumbers, int before, int after,
                         Optional<String> label, String inputName) implements Stage {

    /** What grep prints; -q wins over -l and -L, which win over -c. */
    public enum Mode { LINES, COUNT, FILES_WITH_MATCHES, FILES_WITHOUT_MATCH, QUIET }

    public GrepOutput {
        Objects.requireNonNull(select, "select is null");
        Objects.requireNonNull(matches, "matches is null");
        Objects.requireNonNull(mode, "mode is null");
        Objects.requireNonNull(label, "label is null");
        Objects.requireNonNull(inputName, "inputName is null");
        if (select.isEmpty() && (lineNumbers || before >= 0 || after >= 0 || maxCount >= 0)) {
            throw new IllegalArgumentException("line numbers, context and -m need the selecting filter");
        }
        if (before < -1 || after < -1) {
            throw new IllegalArgumentException("context must be >= 0, or -1 for none");
        }
    }

    /** True when this stage prints every line it receives unchanged (plain grep output). */
    public boolean isPassThrough() {
        return select.isEmpty() && mode == Mode.LINES && !onlyMatching && label.isEmpty();
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("grep-print");
        select.ifPresent(f -> out.append(" [").append(f).append(']'));
        switch (mode) {
            case COUNT -> out.append(" -c");
            case FILES_WITH_MATCHES -> out.append(" -l");
            case FILES_WITHOUT_MATCH -> out.append(" -L");
            case QUIET -> out.append(" -q");
            default -> { }
        }
        if (maxCount >= 0) {
            out.append(" -m ").append(maxCount);
        }
        if (onlyMatching) {
            out.append(" -o");
        }
        if (lineNumbers) {
            out.append(" -n");
        }
        if (before >= 0) {
            out.append(" -B ").append(before);
        }
        if (after >= 0) {
            out.append(" -A ").append(after);
        }
        label.ifPresent(l -> out.append(" -H"));
        return out.toString();
    }
}
