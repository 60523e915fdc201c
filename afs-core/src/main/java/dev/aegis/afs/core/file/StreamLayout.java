package dev.aegis.afs.core.file;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Which files make up a stream, oldest first. The option {@code path} (relative to the root)
 * names one of:
 * <ul>
 *   <li>a file: the file after its rotated siblings ({@code app.log.3.gz, app.log.2.gz,
 *       app.log.1, app.log});</li>
 *   <li>a directory (kubelet's {@code /var/log/pods/<ns>_<pod>_<uid>/<container>/}): every file
 *       in it, grouped by base name in natural order ({@code 0.log} before {@code 1.log} before
 *       {@code 10.log}), each group in rotation order ({@code 0.log.20240101-120000.gz,
 *       0.log.20240101-130000, 0.log});</li>
 *   <li>a glob in the last path element ({@code nginx/*.log}): the matching files and their
 *       rotated siblings, grouped and ordered the same way. Groups are concatenated, not merged
 *       by time.</li>
 * </ul>
 * Nothing outside the root is read: a file or directory whose real path leaves the root is
 * refused. A path that does not exist (yet) is an empty stream.
 */
final class StreamLayout {

    private final Path root;
    private final String spec;
    private final String dir;
    private final String last;
    private final PathMatcher glob;

    private StreamLayout(Path root, String spec, String dir, String last, PathMatcher glob) {
        this.root = root;
        this.spec = spec;
        this.dir = dir;
        this.last = last;
        this.glob = glob;
    }

    /**
     * Checks {@code spec} (the option {@code path}) and builds the layout.
     *
     * @param root the root's real path
     * @throws IllegalArgumentException with the reason and the fix
     */
    static StreamLayout of(Path root, String spec) {
        Objects.requireNonNull(root, "root is null");
        Objects.requireNonNull(spec, "spec is null");
        String trimmed = spec.strip();
        while (trimmed.endsWith("/") && trimmed.length() > 1) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("path is empty; give a file, glob or directory under root, e.g. app.log");
        }
        if (trimmed.startsWith("/") || Path.of(trimmed).isAbsolute()) {
            throw new IllegalArgumentException("path '" + spec + "' is absolute; paths are relative to the backend's root"
                    + " (" + root + "), e.g. nginx/access.log");
        }
        String[] parts = trimmed.split("/");
        for (String part : parts) {
            if (part.equals("..")) {
                throw new IllegalArgumentException("path '" + spec + "' contains '..'; the file backend reads only under"
                        + " its root (" + root + "): point root higher or fix the path");
            }
        }
        int slash = trimmed.lastIndexOf('/');
        String dir = slash < 0 ? "" : trimmed.substring(0, slash);
        String last = trimmed.substring(slash + 1);
        if (isGlob(dir)) {
            throw new IllegalArgumentException("path '" + spec + "' has a glob in a directory; globs are allowed only in"
                    + " the file name, e.g. nginx/*.log");
        }
        PathMatcher glob = null;
        if (isGlob(last)) {
            try {
                glob = root.getFileSystem().getPathMatcher("glob:" + last);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("path '" + spec + "' is not a valid glob: " + e.getMessage());
            }
        }
        return new StreamLayout(root, trimmed, dir, last, glob);
    }

    private static boolean isGlob(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
    }

    /** The path as configured, normalised. */
    String spec() {
        return spec;
    }

    /**
     * Refuses a path that exists and resolves outside the root (a symlink), at config time.
     *
     * @throws IllegalArgumentException naming the path and where it leads
     */
    void checkConfined() {
        Path target = glob == null ? root.resolve(spec) : root.resolve(dir);
        if (Files.exists(target)) {
            try {
                confined(target, glob == null ? spec : dir.isEmpty() ? "." : dir);
            } catch (AfsException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
        }
    }

    /**
     * The stream's files, oldest first, with sizes as they are now.
     *
     * <p>One read asks several times (the lookup's and each stat's modification time, then the
     * fetch), and so does every read of the stream: the directory is listed again only when its
     * own modification time changed (a rotation, a new or removed file) and is not recent enough
     * to hide a second change in the same clock tick; otherwise the files last listed are
     * re-stat'ed for their sizes, a stat per file instead of a listing and a real-path
     * resolution per file.
     */
    List<Segment> segments() throws AfsException {
        Path dirPath = root.resolve(dir);
        if (!Files.exists(dirPath)) {
            return List.of();
        }
        Path realDir = confined(dirPath, dir.isEmpty() ? "." : dir);
        if (glob == null) {
            Path target = realDir.resolve(last);
            if (Files.isDirectory(target)) {
                Path realTarget = confined(target, spec);
                return cached(realTarget, () -> order(listing(realTarget, spec, name -> true)));
            }
            return cached(realDir, () -> order(listing(realDir, dir, name -> RotationName.of(name).base().equals(last))));
        }
        return cached(realDir, () -> order(listing(realDir, dir, name -> glob.matches(Path.of(name))
                || glob.matches(Path.of(RotationName.of(name).base())))));
    }

    /** How many times a directory was listed (for tests: a read should list at most once). */
    long listings() {
        return listings.get();
    }

    /** A directory changed less than this before it was listed may change again unseen in the same tick. */
    private static final Duration RACY = Duration.ofSeconds(2);

    private final AtomicLong listings = new AtomicLong();
    private final AtomicReference<Listed> lastListing = new AtomicReference<>();

    /** The segments listed from {@code directory} when its modification time was {@code modified}. */
    private record Listed(Path directory, FileTime modified, List<Segment> segments) {
    }

    private interface Lister {
        List<Segment> list() throws AfsException;
    }

    private List<Segment> cached(Path directory, Lister lister) throws AfsException {
        FileTime modified;
        try {
            modified = Files.getLastModifiedTime(directory);
        } catch (IOException e) {
            listings.incrementAndGet();
            return lister.list();
        }
        Listed previous = lastListing.get();
        if (previous != null && previous.directory().equals(directory) && previous.modified().equals(modified)) {
            List<Segment> fresh = restat(previous.segments());
            if (fresh != null) {
                return fresh;
            }
        }
        listings.incrementAndGet();
        List<Segment> listed = lister.list();
        boolean racy = Duration.between(modified.toInstant(), Instant.now()).compareTo(RACY) < 0;
        lastListing.set(racy ? null : new Listed(directory, modified, listed));
        return listed;
    }

    /** The same files with their sizes and times now; null when one is gone (list again). */
    private static List<Segment> restat(List<Segment> segments) {
        List<Segment> out = new ArrayList<>(segments.size());
        for (Segment s : segments) {
            try {
                BasicFileAttributes a = Files.readAttributes(s.file(), BasicFileAttributes.class);
                if (!a.isRegularFile()) {
                    return null;
                }
                out.add(new Segment(s.file(), s.name(), s.gzip(), a.size(), a.lastModifiedTime().toInstant(), s.base()));
            } catch (IOException e) {
                return null;
            }
        }
        return out;
    }

    private record Entry(Segment segment, RotationName rotation) {
    }

    private List<Entry> listing(Path realDir, String relDir, java.util.function.Predicate<String> include)
            throws AfsException {
        List<Entry> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(realDir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (!include.test(name)) {
                    continue;
                }
                String rel = relDir.isEmpty() ? name : relDir + "/" + name;
                Path real;
                BasicFileAttributes attributes;
                try {
                    real = confined(file, rel);
                    attributes = Files.readAttributes(real, BasicFileAttributes.class);
                } catch (AfsException e) {
                    if (e.getCause() instanceof NoSuchFileException) {
                        continue; // rotated away while listing
                    }
                    throw e;
                } catch (NoSuchFileException e) {
                    continue;
                }
                if (!attributes.isRegularFile()) {
                    continue;
                }
                RotationName rotation = RotationName.of(name);
                out.add(new Entry(new Segment(real, rel, rotation.gzip(), attributes.size(),
                        attributes.lastModifiedTime().toInstant(), rotation.base()), rotation));
            }
        } catch (AfsException e) {
            throw e;
        } catch (NoSuchFileException | NotDirectoryException e) {
            return List.of();
        } catch (IOException e) {
            throw new AfsException(AfsError.BACKEND_FAILURE, "cannot list " + (relDir.isEmpty() ? "." : relDir)
                    + " under " + root + ": " + e
                    + "; check the directory's permissions", e);
        }
        return out;
    }

    private static List<Segment> order(List<Entry> entries) {
        return entries.stream()
                .sorted(Comparator.comparing((Entry e) -> e.rotation().base(), RotationName.NATURAL)
                        .thenComparing(Entry::rotation, RotationName.OLDEST_FIRST)
                        .thenComparing(e -> e.segment().name()))
                .map(Entry::segment)
                .toList();
    }

    /** The real path of {@code path}, refused when it leaves the root. */
    private Path confined(Path path, String rel) throws AfsException {
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException e) {
            throw new AfsException(AfsError.BACKEND_FAILURE, "cannot resolve " + rel + " under " + root + ": " + e, e);
        }
        if (!real.startsWith(root)) {
            throw new AfsException(AfsError.ACCESS_DENIED, rel + " resolves to " + real + ", outside the file backend's"
                    + " root " + root + "; the file backend reads nothing outside its root: move the file under root"
                    + " or point root at a directory that holds it");
        }
        return real;
    }
}
