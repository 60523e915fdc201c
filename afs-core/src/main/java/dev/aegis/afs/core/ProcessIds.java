package dev.aegis.afs.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The real uid and gid of this process, read from /proc (the JDK has no API for them). */
final class ProcessIds {

    private ProcessIds() {
    }

    static int uid() {
        return field("Uid:");
    }

    static int gid() {
        return field("Gid:");
    }

    private static int field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Integer.parseInt(line.substring(name.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through: not Linux, or /proc not mounted
        }
        return -1;
    }
}
