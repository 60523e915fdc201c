package dev.aegis.afs.query.local;

/**
 * How many lines the last grep of a pipeline selected: grep's exit status is 0 when any, else 1
 * (whatever it printed: {@code -q} prints nothing, {@code -L} prints when none).
 */
public final class GrepSelection {

    long selected;

    public long selected() {
        return selected;
    }
}
