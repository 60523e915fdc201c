package dev.aegis.afs.harness.bundle;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * A bundle unpacked into a private temporary directory, refusing what a hostile archive could
 * do: a path that leaves the directory ({@code ..}, absolute, backslashes), a link, device or
 * other non-regular entry, the same path twice, an entry or a whole archive over the limits,
 * too many entries. The archive is read once, front to back; nothing outside the directory is
 * ever written. {@link #close()} deletes it.
 */
public final class BundleArchive implements AutoCloseable {

    /** How large a bundle may be. */
    public record Limits(long maxEntryBytes, long maxTotalBytes, int maxEntries) {
        /** 1 GiB per file, 8 GiB in all, 100,000 files: far above any incident, far below a full disk. */
        public static final Limits DEFAULT = new Limits(1L << 30, 8L << 30, 100_000);

        public Limits {
            if (maxEntryBytes <= 0 || maxTotalBytes <= 0 || maxEntries <= 0) {
                throw new IllegalArgumentException("bundle limits must be positive");
            }
        }
    }

    /** The bundle cannot be read safely: names the entry and what is wrong. */
    public static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }

    /** One path segment: no empty, "." or ".." segment, nothing that is not portable. */
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");

    private final Path dir;
    private final String root;
    private final Map<String, Path> files;

    private BundleArchive(Path dir, String root, Map<String, Path> files) {
        this.dir = dir;
        this.root = root;
        this.files = Collections.unmodifiableMap(files);
    }

    /** Unpacks {@code bundle} under a fresh 0700 directory in {@code tmp}. */
    public static BundleArchive open(Path bundle, Path tmp, Limits limits) throws IOException {
        requireNonNull(limits, "limits is null");
        byte[] header = new byte[BundleWriter.GZIP_HEADER.length];
        try (InputStream raw = Files.newInputStream(bundle)) {
            if (raw.readNBytes(header, 0, header.length) != header.length || !java.util.Arrays.equals(header, BundleWriter.GZIP_HEADER)) {
                throw new Refused("it does not start with the gzip header afs writes (no time, no name, OS unknown):"
                        + " it is not an afs bundle, or its first bytes were changed");
            }
        }
        Path dir = Files.createTempDirectory(tmp, "afs-bundle-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        try (InputStream raw = Files.newInputStream(bundle);
             GzipCompressorInputStream gz = new GzipCompressorInputStream(new java.io.BufferedInputStream(raw));
             TarArchiveInputStream tar = new TarArchiveInputStream(gz, java.nio.charset.StandardCharsets.UTF_8.name())) {
            Map<String, Path> files = new LinkedHashMap<>();
            String root = null;
            long total = 0;
            int count = 0;
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                String name = e.getName();
                if (++count > limits.maxEntries()) {
                    throw new Refused("the bundle has more than " + limits.maxEntries() + " entries; it is not one afs wrote");
                }
                if (e.isDirectory()) {
                    continue;
                }
                if (!e.isFile() || e.isLink() || e.isSymbolicLink()) {
                    throw new Refused("entry " + quoted(name) + " is not a regular file (a link or device); an afs bundle holds"
                            + " only files, so this one was made or changed by something else");
                }
                String[] parts = name.split("/", -1);
                for (String p : parts) {
                    if (!SEGMENT.matcher(p).matches()) {
                        throw new Refused("entry " + quoted(name) + " has a path that could leave the bundle's directory or is"
                                + " not portable (segment " + quoted(p) + "); refused");
                    }
                }
                if (parts.length < 2) {
                    throw new Refused("entry " + quoted(name) + " is not inside the bundle's afs-incident-<id>/ directory");
                }
                if (root == null) {
                    root = parts[0];
                } else if (!root.equals(parts[0])) {
                    throw new Refused("entry " + quoted(name) + " is outside " + root + "/, where every other entry is");
                }
                String path = name.substring(root.length() + 1);
                if (files.containsKey(path)) {
                    throw new Refused("entry " + quoted(name) + " appears twice; the second copy would hide the first");
                }
                if (e.getSize() > limits.maxEntryBytes()) {
                    throw new Refused("entry " + quoted(name) + " is " + e.getSize() + " bytes, over the limit of "
                            + limits.maxEntryBytes() + " per file");
                }
                total += e.getSize();
                if (total > limits.maxTotalBytes()) {
                    throw new Refused("the bundle unpacks to more than " + limits.maxTotalBytes() + " bytes (at entry "
                            + quoted(name) + "); refused");
                }
                Path target = dir.resolve(path.replace('/', '_') + "." + files.size());
                try (OutputStream out = Files.newOutputStream(target)) {
                    // the tar reader stops at the declared size, which the limits above already admitted
                    tar.transferTo(out);
                }
                files.put(path, target);
            }
            if (root == null) {
                throw new Refused("the archive holds no files; it is not an afs incident bundle");
            }
            // read the gzip stream to its end, so its CRC and length check every byte, the tar's padding included
            byte[] rest = new byte[8192];
            for (int n; (n = gz.read(rest)) > 0; ) {
                total += n;
                if (total > limits.maxTotalBytes()) {
                    throw new Refused("the bundle unpacks to more than " + limits.maxTotalBytes() + " bytes; refused");
                }
            }
            return new BundleArchive(dir, root, files);
        } catch (IOException | RuntimeException e) {
            delete(dir);
            if (e instanceof Refused r) {
                throw r;
            }
            throw new Refused("cannot read it as a tar.gz (" + e.getMessage() + "); the file is damaged or not a bundle");
        }
    }

    /** The archive's top directory, {@code afs-incident-<id>}. */
    public String root() {
        return root;
    }

    /** Bundle path (without the top directory) to the unpacked file, in archive order. */
    public Map<String, Path> files() {
        return files;
    }

    @Override
    public void close() {
        delete(dir);
    }

    private static String quoted(String s) {
        StringBuilder b = new StringBuilder("'");
        for (char c : s.toCharArray()) {
            b.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return b.append('\'').toString();
    }

    private static void delete(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary directory left behind is all that can go wrong here
        }
    }
}
