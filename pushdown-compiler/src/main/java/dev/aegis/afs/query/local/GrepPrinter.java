package dev.aegis.afs.query.local;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import dev.aegis.afs.query.GrepOutput;
import dev.aegis.afs.query.LogLine;
import dev.aegis.afs.query.RegexBudget;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * Prints one input as GNU grep 3.8 prints it for a {@link GrepOutput}: {@code -o} matches are
 * leftmost-longest (POSIX), empty matches are skipped, context groups are separated by
 * {@code --}, and after {@code -m N} selected lines only the trailing context is still read.
 */
final class GrepPrinter implements LineSink {

    private record Numbered(long number, LogLine line) {
    }

    private final GrepOutput spec;
    private final LineSink next;
    private final LineMatcher select;
    private final Pattern only;
    private final GrepSelection selection;
    private final ArrayDeque<Numbered> before = new ArrayDeque<>();
    private final boolean context;
    private long number;
    private long selected;
    private long lastPrinted;
    private long afterLeft;
    private boolean maxReached;
    private boolean ended;

    GrepPrinter(GrepOutput spec, LineSink next, GrepSelection selection) {
        this.spec = Objects.requireNonNull(spec, "spec is null");
        this.next = Objects.requireNonNull(next, "next is null");
        this.select = spec.select().map(LineMatcher::of).orElse(null);
        // -o prints the matches of every printed line: none in lines selected by -v, those of its context lines
        this.only = spec.onlyMatching() ? RegexBudget.compile(spec.matches().toRe2(), Pattern.LONGEST_MATCH) : null;
        this.selection = selection;
        this.context = spec.before() >= 0 || spec.after() >= 0; // even -C 0 separates groups with --
        this.maxReached = spec.maxCount() == 0;
    }

    @Override
    public boolean accept(LogLine line) {
        number++;
        if (maxReached) {
            if (afterLeft > 0 && spec.mode() == GrepOutput.Mode.LINES) {
                afterLeft--;
                return print(number, line, false) && afterLeft > 0;
            }
            return false;
        }
        boolean chosen = select == null || select.keeps(line.text());
        if (chosen) {
            selected++;
            if (selection != null) {
                selection.selected = selected;
            }
            if (spec.mode() == GrepOutput.Mode.LINES) {
                for (Numbered held : before) {
                    if (!print(held.number(), held.line(), false)) {
                        return false;
                    }
                }
                before.clear();
                if (!print(number, line, true)) {
                    return false;
                }
                afterLeft = Math.max(0, spec.after());
            } else if (spec.mode() != GrepOutput.Mode.COUNT) {
                return false; // -q, -l, -L: one selected line decides
            }
            if (spec.maxCount() >= 0 && selected >= spec.maxCount()) {
                maxReached = true;
                return afterLeft > 0 && spec.mode() == GrepOutput.Mode.LINES;
            }
            return true;
        }
        if (spec.mode() == GrepOutput.Mode.LINES && context) {
            if (afterLeft > 0) {
                afterLeft--;
                return print(number, line, false);
            }
            if (spec.before() > 0) {
                if (before.size() == spec.before()) {
                    before.removeFirst();
                }
                before.addLast(new Numbered(number, line));
            }
        }
        return true;
    }

    private boolean print(long n, LogLine line, boolean isSelected) {
        if (context && lastPrinted > 0 && n > lastPrinted + 1 && !next.accept(new LogLine(line.time(), "--"))) {
            return false;
        }
        lastPrinted = n;
        char separator = isSelected ? ':' : '-';
        StringBuilder prefix = new StringBuilder();
        spec.label().ifPresent(l -> prefix.append(l).append(separator));
        if (spec.lineNumbers()) {
            prefix.append(n).append(separator);
        }
        if (!spec.onlyMatching()) {
            return next.accept(new LogLine(line.time(), prefix + line.text()));
        }

        Matcher m = only.matcher(line.text());
        int from = 0;
        String text = line.text();
        while (from <= text.length() && m.find(from)) {
            if (m.end() == m.start()) {
                if (m.end() >= text.length()) {
                    break;
                }
                from = text.offsetByCodePoints(m.end(), 1); // grep skips an empty match
                continue;
            }
            if (!next.accept(new LogLine(line.time(), prefix + m.group()))) {
                return false;
            }
            from = m.end();
        }
        return true;
    }

    @Override
    public void end() {
        if (ended) {
            return;
        }
        ended = true;
        boolean silent = spec.maxCount() == 0; // grep -m 0 stops before reading: no count, no lines
        switch (spec.mode()) {
            case COUNT -> {
                if (!silent) {
                    next.accept(new LogLine(null, spec.label().map(l -> l + ":").orElse("") + selected));
                }
            }
            case FILES_WITH_MATCHES -> {
                if (selected > 0) {
                    next.accept(new LogLine(null, spec.inputName()));
                }
            }
            case FILES_WITHOUT_MATCH -> {
                if (selected == 0) {
                    next.accept(new LogLine(null, spec.inputName()));
                }
            }
            default -> { }
        }
        next.end();
    }
}
