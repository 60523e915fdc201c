package dev.aegis.afs.intent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code jti}s already accepted, on disk so that a restarted verifier still refuses a
 * replay. Each accepted jti is appended (one line: jti, expiry in epoch seconds) and forced to
 * disk before the intent is let through. An entry is needed only until its intent expires
 * (an expired intent is refused anyway), so the file is rewritten without those now and then.
 */
public final class ReplayCache implements ReplayGuard, AutoCloseable {

    private static final int COMPACT_AFTER = 10_000;

    private final Path file;
    private final Map<String, Long> seen = new HashMap<>();
    private FileChannel out;
    private int appended;

    private ReplayCache(Path file) {
        this.file = file;
    }

    /** Opens (creating 0600) the cache at {@code file} and loads what it remembers. */
    public static ReplayCache open(Path file) throws IOException {
        ReplayCache c = new ReplayCache(file);
        if (!Files.exists(file)) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            String[] parts = line.split(" ");
            if (parts.length == 2) {
                try {
                    c.seen.put(parts[0], Long.parseLong(parts[1]));
                } catch (NumberFormatException e) {
                    // a torn last line after a crash: that jti was never let through
                }
            }
        }
        c.appended = c.seen.size();
        c.out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        return c;
    }

    /**
     * Remembers {@code jti} (valid until {@code expiresAt}) and returns true, or returns false when
     * it was seen before. Returns only after the jti is on disk.
     */
    @Override
    public synchronized boolean remember(String jti, Instant expiresAt, Instant now) {
        if (jti.contains(" ") || jti.contains("\n")) {
            return false;
        }
        if (seen.containsKey(jti)) {
            return false;
        }
        try {
            if (appended >= COMPACT_AFTER) {
                compact(now);
            }
            out.write(ByteBuffer.wrap((jti + " " + expiresAt.getEpochSecond() + "\n").getBytes(StandardCharsets.US_ASCII)));
            out.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record jti in " + file + "; refusing the intent", e);
        }
        seen.put(jti, expiresAt.getEpochSecond());
        appended++;
        return true;
    }

    public synchronized int size() {
        return seen.size();
    }

    /** Drops entries whose intent expired more than a minute before {@code now}. */
    private void compact(Instant now) throws IOException {
        long keepAfter = now.getEpochSecond() - 60;
        seen.values().removeIf(exp -> exp < keepAfter);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        StringBuilder sb = new StringBuilder();
        seen.forEach((j, e) -> sb.append(j).append(' ').append(e).append('\n'));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.US_ASCII)));
            ch.force(false);
        }
        out.close();
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        appended = seen.size();
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }

    List<String> jtis() {
        return List.copyOf(seen.keySet());
    }
}
