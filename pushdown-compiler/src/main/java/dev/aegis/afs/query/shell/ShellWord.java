package dev.aegis.afs.query.shell;

import java.util.List;
import java.util.Objects;

/**
 * One word of a command after quote removal, with its 1-based column and the glob characters
 * that stood unquoted in it (a shell would expand those against the current directory).
 */
record ShellWord(String text, int column, List<Glob> globs) {

    /** An unquoted {@code *}, {@code ?} or {@code [}. */
    record Glob(char symbol, int column) {
    }

    ShellWord {
        Objects.requireNonNull(text, "text is null");
        globs = List.copyOf(globs);
    }

    static ShellWord literal(String text, int column) {
        return new ShellWord(text, column, List.of());
    }

    boolean isOption() {
        return text.length() > 1 && text.charAt(0) == '-';
    }
}
