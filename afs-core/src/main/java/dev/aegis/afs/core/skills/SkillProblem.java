package dev.aegis.afs.core.skills;

import static java.util.Objects.requireNonNull;

/** One thing wrong with a skill file, at {@code file:line:column}, with what to do about it. */
public record SkillProblem(String where, String message) {

    public SkillProblem {
        requireNonNull(where, "where is null");
        requireNonNull(message, "message is null");
    }

    @Override
    public String toString() {
        return where + ": " + message;
    }
}
