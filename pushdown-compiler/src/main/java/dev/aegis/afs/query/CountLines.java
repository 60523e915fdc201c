package dev.aegis.afs.query;

/** Replaces the lines by their count, printed as one line ({@code wc -l}, {@code grep -c}). */
public record CountLines() implements Stage {

    @Override
    public String toString() {
        return "wc -l";
    }
}
