package dev.aegis.afs.core.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Immutable, content-addressed snapshots of live reads.
 *
 * <p>Layout under the evidence directory: {@code <yyyy-MM-dd>/<HHmmss.SSS>-<sha256 prefix>-<name>}
 * holds the bytes (mode 0444) and {@code <yyyy-MM-dd>/.<same name>.json} the metadata. A capture
 * is written to {@code .incoming/} first and moved into place only when complete, so a crash
 * never leaves a partial snapshot visible. Snapshots older than the retention are deleted by
 * {@link #expire()}. Everything survives a remount: the directory is the index.
 */
public final class EvidenceStore {

    /** Length of the sha256 prefix in evidence names. */
    public static final int HASH_PREFIX = 12;

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HHmmss.SSS").withZone(ZoneOffset.UTC);
    private static final Pattern DAY_NAME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final Pattern FILE_NAME = Pattern.compile("\\d{6}\\.\\d{3}-[0-9a-f]{" + HASH_PREFIX + "}-[A-Za-z0-9._-]+");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Duration retention;
    private final long maxSnapshotBytes;
    private final Clock clock;
    /** Records are immutable, so what was read once is kept (bounded) to serve ls -l quickly. */
    private final Map<String, EvidenceRecord> known = new java.util.concurrent.ConcurrentHashMap<>();

    public EvidenceStore(Path dir, Duration retention, long maxSnapshotBytes, Clock clock) {
        this.dir = Objects.requireNonNull(dir, "dir is null").toAbsolutePath().normalize();
        this.retention = Objects.requireNonNull(retention, "retention is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        if (maxSnapshotBytes <= 0) {
            throw new IllegalArgumentException("maxSnapshotBytes must be positive");
        }
        this.maxSnapshotBytes = maxSnapshotBytes;
    }

    public Path dir() {
        return dir;
    }

    public Duration retention() {
        return retention;
    }

    /**
     * Runs {@code producer} once and stores what it wrote as a new snapshot.
     *
     * @param name   a short file name for the snapshot, e.g. {@code payments.prod.api.log}
     * @param source the tree path read, with its query
     * @throws AfsException the producer's error, NO_SPACE / UNAVAILABLE when the evidence
     *                      directory cannot take the snapshot (the read then fails: nothing is
     *                      served unrecorded), TOO_LARGE past the snapshot size limit
     */
    public EvidenceRecord capture(String name, String source, SnapshotProducer producer) throws AfsException {
        Instant capturedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Path incoming = dir.resolve(".incoming");
        Path temp = incoming.resolve(UUID.randomUUID() + ".part");
        MessageDigest digest = sha256();
        CaptureInfo info;
        long size;
        long lines;
        try {
            Files.createDirectories(incoming);
            try (Output out = new Output(Files.newOutputStream(temp), digest, maxSnapshotBytes, this::storageFailure)) {
                info = producer.produce(out);
                out.flush();
                size = out.bytes;
                lines = out.lines;
            }
        } catch (AfsException e) {
            deleteQuietly(temp);
            throw e;
        } catch (IOException e) {
            deleteQuietly(temp);
            throw storageFailure(e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(temp);
            throw e;
        }
        String sha = HexFormat.of().formatHex(digest.digest());
        String id = DAY.format(capturedAt) + "/" + TIME.format(capturedAt) + "-" + sha.substring(0, HASH_PREFIX)
                + "-" + safeName(name);
        Path file = dir.resolve(id);
        EvidenceRecord record = new EvidenceRecord(id, file, sha, capturedAt, size, lines, source,
                info.backend(), info.query(), info.truncation(), info.statsMap());
        try {
            Files.createDirectories(file.getParent());
            move(temp, file);
            setReadOnly(file);
            writeMetadata(record);
        } catch (IOException e) {
            deleteQuietly(temp);
            deleteQuietly(file);
            throw storageFailure(e);
        }
        remember(record);
        return record;
    }

    private void remember(EvidenceRecord record) {
        if (known.size() > 100_000) {
            known.clear();
        }
        known.put(record.id(), record);
    }

    /** The snapshot with this id ({@code yyyy-MM-dd/...}, with or without a leading /evidence/). */
    public Optional<EvidenceRecord> find(String id) {
        String clean = id.startsWith("/evidence/") ? id.substring("/evidence/".length()) : id;
        int slash = clean.indexOf('/');
        if (slash < 0 || !DAY_NAME.matcher(clean.substring(0, slash)).matches()
                || !FILE_NAME.matcher(clean.substring(slash + 1)).matches()) {
            return Optional.empty();
        }
        EvidenceRecord cached = known.get(clean);
        if (cached != null && Files.exists(cached.file())) {
            return Optional.of(cached);
        }
        Path meta = metadataPath(dir.resolve(clean));
        try {
            EvidenceRecord record = readMetadata(clean, JSON.readTree(meta.toFile()));
            remember(record);
            return Optional.of(record);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Days that hold snapshots, oldest first. */
    public List<String> days() {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                String n = p.getFileName().toString();
                if (DAY_NAME.matcher(n).matches() && Files.isDirectory(p)) {
                    out.add(n);
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        out.sort(null);
        return out;
    }

    /** Snapshot ids of one day, oldest first. */
    public List<String> ids(String day) {
        if (!DAY_NAME.matcher(day).matches()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir.resolve(day))) {
            for (Path p : stream) {
                String n = p.getFileName().toString();
                if (FILE_NAME.matcher(n).matches()) {
                    out.add(day + "/" + n);
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        out.sort(null);
        return out;
    }

    /** Every snapshot, oldest first. */
    public List<String> ids() {
        List<String> out = new ArrayList<>();
        for (String day : days()) {
            out.addAll(ids(day));
        }
        return out;
    }

    /** Recomputes the snapshot's sha256 and compares it with the recorded one and its name. */
    public Verification verify(EvidenceRecord record) {
        String actual;
        try (InputStream in = Files.newInputStream(record.file())) {
            MessageDigest digest = sha256();
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            actual = HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            return new Verification(record, "", Optional.of("cannot read " + record.file() + ": " + e.getMessage()));
        }
        if (!actual.equals(record.sha256())) {
            return new Verification(record, actual, Optional.of("content sha256 " + actual
                    + " differs from the recorded " + record.sha256() + ": the file was changed after capture"));
        }
        String nameHash = record.id().substring(record.id().indexOf('/') + 1).split("-")[1];
        if (!actual.startsWith(nameHash)) {
            return new Verification(record, actual, Optional.of("content sha256 " + actual
                    + " does not match the hash in its name (" + nameHash + "): the metadata was changed"));
        }
        return new Verification(record, actual, Optional.empty());
    }

    /** The outcome of {@link #verify}: {@code problem} empty when the snapshot is intact. */
    public record Verification(EvidenceRecord record, String actualSha256, Optional<String> problem) {
        public boolean ok() {
            return problem.isEmpty();
        }
    }

    /** Deletes snapshots captured longer ago than the retention; returns how many. */
    public int expire() {
        Instant cutoff = clock.instant().minus(retention);
        int deleted = 0;
        for (String day : days()) {
            if (LocalDate.parse(day).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().isAfter(cutoff)) {
                for (String id : ids(day)) {
                    Optional<EvidenceRecord> r = find(id);
                    if (r.isPresent() && r.get().capturedAt().isBefore(cutoff)) {
                        known.remove(id);
                        deleteQuietly(r.get().file());
                        deleteQuietly(metadataPath(r.get().file()));
                        deleted++;
                    }
                }
                continue;
            }
            for (String id : ids(day)) {
                known.remove(id);
                deleteQuietly(dir.resolve(id));
                deleteQuietly(metadataPath(dir.resolve(id)));
                deleted++;
            }
            deleteDayIfEmpty(dir.resolve(day));
        }
        return deleted;
    }

    private static void deleteDayIfEmpty(Path day) {
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(day)) {
            Iterator<Path> it = stream.iterator();
            if (it.hasNext()) {
                return;
            }
        } catch (IOException e) {
            return;
        }
        deleteQuietly(day);
    }

    private void writeMetadata(EvidenceRecord r) throws IOException {
        ObjectNode json = JSON.createObjectNode();
        json.put("sha256", r.sha256());
        json.put("captured_at", r.capturedAt().toString());
        json.put("size", r.size());
        json.put("lines", r.lines());
        json.put("source", r.source());
        json.put("backend", r.backend());
        json.put("query", r.query());
        json.put("truncated", r.truncation().orElse(""));
        ObjectNode stats = json.putObject("stats");
        r.stats().forEach(stats::put);
        Path meta = metadataPath(r.file());
        Path temp = meta.resolveSibling(meta.getFileName() + ".part");
        Files.write(temp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
        move(temp, meta);
        setReadOnly(meta);
    }

    private EvidenceRecord readMetadata(String id, JsonNode json) {
        Map<String, String> stats = new LinkedHashMap<>();
        json.path("stats").fields().forEachRemaining(e -> stats.put(e.getKey(), e.getValue().asText()));
        String truncated = json.path("truncated").asText("");
        return new EvidenceRecord(id, dir.resolve(id), json.path("sha256").asText(),
                Instant.parse(json.path("captured_at").asText()), json.path("size").asLong(),
                json.path("lines").asLong(), json.path("source").asText(), json.path("backend").asText(),
                json.path("query").asText(), truncated.isEmpty() ? Optional.empty() : Optional.of(truncated), stats);
    }

    static Path metadataPath(Path file) {
        return file.resolveSibling("." + file.getFileName() + ".json");
    }

    private static String safeName(String name) {
        String s = name.replaceAll("[^A-Za-z0-9._-]", "_");
        if (s.isEmpty() || s.startsWith(".")) {
            s = "_" + s;
        }
        return s.length() > 120 ? s.substring(s.length() - 120) : s;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static void setReadOnly(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
        } catch (IOException | UnsupportedOperationException e) {
            // best effort: the hash, not the mode, is what proves integrity
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // nothing more to do
        }
    }

    private AfsException storageFailure(IOException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("No space left")) {
            return new AfsException(AfsError.NO_SPACE, "evidence directory " + dir
                    + " is full, so the read was refused (nothing is served unrecorded); free space or lower evidence.retention", e);
        }
        return new AfsException(AfsError.UNAVAILABLE, "cannot store evidence in " + dir + " (" + message
                + "), so the read was refused (nothing is served unrecorded); make the directory writable or set evidence.dir", e);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Counts lines and bytes while hashing; refuses to grow past the limit. */
    private static final class Output implements SnapshotOutput, AutoCloseable {
        private final OutputStream out;
        private final long limit;
        private final java.util.function.Function<IOException, AfsException> failure;
        long bytes;
        long lines;

        Output(OutputStream raw, MessageDigest digest, long limit,
               java.util.function.Function<IOException, AfsException> failure) {
            this.out = new BufferedOutputStream(new DigestOutputStream(raw, digest), 1 << 16);
            this.limit = limit;
            this.failure = failure;
        }

        @Override
        public void line(String text) throws AfsException {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            if (bytes + b.length + 1 > limit) {
                throw new AfsException(AfsError.TOO_LARGE, "the result is larger than the snapshot limit of "
                        + limit + " bytes; narrow the read with grep=, tail=, head= or since=");
            }
            try {
                out.write(b);
                out.write('\n');
            } catch (IOException e) {
                throw failure.apply(e);
            }
            bytes += b.length + 1L;
            lines++;
        }

        @Override
        public long lines() {
            return lines;
        }

        void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
