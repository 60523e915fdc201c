package dev.aegis.afs.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The reference texts shown in the tree, so a reader finds every term where it reads:
 * {@code metrics/README} and {@code /.afs/help}. Kept as resources beside the code that
 * implements the terms, and updated with it.
 */
public final class Help {

    private Help() {
    }

    /** Every term of a metrics file, with an example. */
    public static String metrics() {
        return load("metrics.txt");
    }

    /** Every term of a log file, with an example. */
    public static String logs() {
        return load("logs.txt");
    }

    /** The text of {@code /.afs/help}: logs, then metrics. */
    public static String all() {
        return logs() + "\n" + metrics();
    }

    private static String load(String name) {
        try (InputStream in = Help.class.getResourceAsStream("help/" + name)) {
            if (in == null) {
                throw new IllegalStateException("help/" + name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
