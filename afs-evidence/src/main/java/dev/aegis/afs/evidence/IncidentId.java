package dev.aegis.afs.evidence;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An incident id, e.g. {@code INC-7}: what a read is tagged with ({@code AFS_INCIDENT} in the
 * reader's environment, or a read through {@code /incidents/<id>/teams/...}), what change
 * requests name in {@code incident:}, and the directory name under {@code /incidents}. One to 64
 * of {@code A-Z a-z 0-9 . _ -}, and not {@code .} or {@code ..} (it is a path segment).
 */
public final class IncidentId {

    /** The shape every component checks against. */
    public static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private IncidentId() {
    }

    /** Whether {@code id} is a valid incident id. */
    public static boolean valid(String id) {
        return id != null && PATTERN.matcher(id).matches() && !id.equals(".") && !id.equals("..");
    }

    /**
     * {@code id} itself when it is valid.
     *
     * @param what where the id came from, for the message (e.g. {@code AFS_INCIDENT})
     * @throws IllegalArgumentException naming what is wrong and the shape that is accepted
     */
    public static String check(String id, String what) {
        Optional<String> problem = problem(id);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(what + " " + problem.get());
        }
        return id;
    }

    /** Why {@code id} is not an incident id (for a message after the value's name); empty when it is one. */
    public static Optional<String> problem(String id) {
        if (id == null || id.isEmpty()) {
            return Optional.of("is empty; an incident id is 1 to 64 of A-Z a-z 0-9 . _ - (e.g. INC-7)");
        }
        if (valid(id)) {
            return Optional.empty();
        }
        String shown = id.length() > 80 ? id.substring(0, 80) + "..." : id;
        shown = shown.replaceAll("[^\\x20-\\x7e]", "?");
        if (id.length() > 64) {
            return Optional.of("'" + shown + "' is " + id.length() + " characters long; an incident id has at most 64 (e.g. INC-7)");
        }
        return Optional.of("'" + shown + "' is not an incident id: use 1 to 64 of A-Z a-z 0-9 . _ - (not . or ..), e.g. INC-7");
    }
}
