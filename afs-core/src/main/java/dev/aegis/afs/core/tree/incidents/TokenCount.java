package dev.aegis.afs.core.tree.incidents;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;

/**
 * What an agent writes to {@code /incidents/<id>/tokens}: one positive count of tokens per line
 * ({@code echo 1500 >> tokens}). The bound is the harness's (a report above it is a mistake, not
 * a budget use), checked here so the refusal names the file the agent wrote.
 */
final class TokenCount {

    static final long MAX = 1_000_000_000L;

    private TokenCount() {
    }

    /** The total of the counts in {@code text} (one per line); refused unless every line is one. */
    static long parse(String file, String text) throws AfsException {
        long total = 0;
        int lines = 0;
        for (String line : text.strip().split("\n")) {
            String s = line.strip();
            if (!s.matches("[0-9]{1,10}") || Long.parseLong(s) < 1 || Long.parseLong(s) > MAX) {
                String shown = (s.length() > 40 ? s.substring(0, 40) + "..." : s).replaceAll("[^\\x20-\\x7e]", "?");
                throw new AfsException(AfsError.INVALID_ARGUMENT, file + ": '" + shown + "' is not a count of tokens;"
                        + " write one whole number from 1 to " + MAX + " per line, e.g. echo 1500 >> " + file);
            }
            total += Long.parseLong(s);
            lines++;
        }
        if (total > MAX) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, file + ": " + lines + " counts add up to " + total
                    + " tokens, above " + MAX + " in one write; report them in several writes");
        }
        return total;
    }
}
