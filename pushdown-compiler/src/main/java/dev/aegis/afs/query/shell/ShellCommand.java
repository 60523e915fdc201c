package dev.aegis.afs.query.shell;

import dev.aegis.afs.query.QuerySyntaxException;
import java.util.List;

/** One simple command of a pipeline: its name and arguments, as words. */
record ShellCommand(List<ShellWord> words) {

    ShellCommand {
        words = List.copyOf(words);
        if (words.isEmpty()) {
            throw new IllegalArgumentException("a command has at least one word");
        }
    }

    String name() {
        return words.get(0).text();
    }

    List<ShellWord> args() {
        return words.subList(1, words.size());
    }

    /**
     * Refuses unquoted globs a shell would expand. In the file argument {@code file} (may be
     * null) a {@code ?} is allowed: it starts the {@code file?terms} of a path query.
     */
    void refuseGlobs(ShellWord file) {
        for (ShellWord word : words) {
            for (ShellWord.Glob glob : word.globs()) {
                if (word == file && glob.symbol() == '?') {
                    continue;
                }
                String where = word == file ? "in a file name " : "";
                throw new QuerySyntaxException("unquoted '" + glob.symbol() + "' " + where
                        + "would be expanded by a shell as a file glob; quote the word, e.g. '"
                        + word.text() + "'", glob.column());
            }
        }
    }
}
