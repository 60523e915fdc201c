package dev.aegis.afs.core.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.evidence.CaptureKey;
import dev.aegis.afs.evidence.CaptureRecord;
import dev.aegis.afs.evidence.ContentHash;
import dev.aegis.afs.evidence.PinnedKeys;
import dev.aegis.afs.evidence.SignedCapture;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Immutable snapshots of live reads: one signed record per capture, content stored once.
 *
 * <p>Layout under the evidence directory (0700; files 0400, created with those modes):
 * <pre>
 * blobs/&lt;team&gt;/&lt;env&gt;/&lt;sha256&gt;             the content, once per team/env
 * &lt;yyyy-MM-dd&gt;/&lt;HHmmss.SSS&gt;-&lt;sha prefix&gt;-&lt;name&gt;   a hard link to that blob: what /evidence shows
 * &lt;yyyy-MM-dd&gt;/.&lt;same name&gt;.json                 the sidecar: the signed record and the stats
 * </pre>
 * A blob is shared only within one team/env (sharing across tenants would tell one tenant what
 * another read), so an identical re-read or an empty result costs a link, not a copy. A blob
 * whose link count is 1 has no record left and goes at the next {@link #expire}. A dedup hit
 * re-hashes the existing blob first, so a blob rewritten on disk is replaced, not reused. A capture is
 * written to {@code .incoming/} first and linked into place only when complete, so a crash never
 * leaves a partial snapshot visible. The directory is the index: everything survives a remount.
 */
public final class EvidenceStore {

    /** Length of the sha256 prefix in evidence names. */
    public static final int HASH_PREFIX = 12;

    static final FileAttribute<Set<PosixFilePermission>> DIR_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final FileAttribute<Set<PosixFilePermission>> WRITING_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final Set<PosixFilePermission> READ_ONLY = PosixFilePermissions.fromString("r--------");

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HHmmss.SSS").withZone(ZoneOffset.UTC);
    private static final Pattern DAY_NAME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final Pattern FILE_NAME = Pattern.compile("\\d{6}\\.\\d{3}-[0-9a-f]{" + HASH_PREFIX + "}-[A-Za-z0-9._-]+");
    private static final Pattern TENANT = Pattern.compile("/teams/([a-z0-9][a-z0-9_.-]{0,62})/([a-z0-9][a-z0-9_.-]{0,62})(?:[/?| ].*)?");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Duration retention;
    private final long maxSnapshotBytes;
    private final Clock clock;
    private final Function<Path, CaptureKey> keyLoader;
    private final CallerNames names;
    private volatile CaptureKey key;
    private volatile Consumer<EvidenceRecord> onCapture = r -> { };
    /** The shared store every capture must reach before it is served; null when this directory is the store. */
    private volatile EvidenceReplication replication;
    /** The shared store /evidence and the CLI read from besides this directory; null when this directory is the store. */
    private volatile SharedEvidence shared;
    /** Records are immutable, so what was read once is kept (bounded) to serve ls -l quickly. */
    private final Map<String, EvidenceRecord> known = new java.util.concurrent.ConcurrentHashMap<>();

    /** A store whose capture key is {@code <dir>/../keys/capture.key}, created on first use. */
    public EvidenceStore(Path dir, Duration retention, long maxSnapshotBytes, Clock clock) {
        this(dir, retention, maxSnapshotBytes, clock, CallerNames.system(), CaptureKey.defaultFile(dir));
    }

    public EvidenceStore(Path dir, Duration retention, long maxSnapshotBytes, Clock clock, CallerNames names, Path keyFile) {
        this.dir = Objects.requireNonNull(dir, "dir is null").toAbsolutePath().normalize();
        this.retention = Objects.requireNonNull(retention, "retention is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.names = Objects.requireNonNull(names, "names is null");
        Objects.requireNonNull(keyFile, "keyFile is null");
        this.keyLoader = p -> {
            try {
                return CaptureKey.loadOrCreate(keyFile, new SecureRandom());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
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

    /** {@code caller} with the incident its reads are tagged with (see {@link CallerNames#tagged}). */
    public Caller tagged(Caller caller) throws AfsException {
        return names.tagged(caller);
    }

    /** Called with every new record once it is on disk (the mount registers it with the harness). */
    public void onCapture(Consumer<EvidenceRecord> listener) {
        this.onCapture = Objects.requireNonNull(listener, "listener is null");
    }

    /**
     * Makes every new capture durable in a shared store before it is served (the mount, when
     * namespaces.yaml names {@code evidence.store}); this directory stays the local copy it serves from.
     */
    public void replicateTo(EvidenceReplication replication) {
        this.replication = Objects.requireNonNull(replication, "replication is null");
    }

    /**
     * Lists and reads snapshots from a shared store too ({@code /evidence}, {@code afs evidence ls}
     * and {@code verify}): one another mount wrote is fetched into this directory on first use.
     */
    public void readFrom(dev.aegis.afs.evidence.store.CaptureStore store) {
        this.shared = new SharedEvidence(store, dir, clock);
    }

    /** Why the last listing or fetch from the shared store failed; empty when none did. */
    public String sharedProblem() {
        SharedEvidence s = shared;
        return s == null ? "" : s.lastProblem();
    }

    /** Whether the snapshot has reached the shared store; empty when this directory is the store. */
    public Optional<Boolean> replicated(String id) {
        EvidenceReplication r = replication;
        return r == null ? Optional.empty() : Optional.of(r.replicated(id));
    }

    /**
     * Creates the directory (0700) and the capture key (0600) if absent and refuses either when
     * others may read it. The mount calls this at start, so a wrong mode stops it with the fix.
     *
     * @throws IOException naming the path and the chmod that fixes it
     */
    public CaptureKey checkAtStart() throws IOException {
        if (!Files.exists(dir)) {
            Files.createDirectories(dir, DIR_MODE);
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir);
        if (mode.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
            throw new IOException("evidence directory " + dir + " is open to other users (mode "
                    + PosixFilePermissions.toString(mode) + "); run chmod 700 " + dir);
        }
        return key();
    }

    private CaptureKey signingKey() throws AfsException {
        try {
            return key();
        } catch (IOException e) {
            throw new AfsException(AfsError.UNAVAILABLE, "cannot sign evidence (" + e.getMessage()
                    + "), so the read was refused (nothing is served unrecorded)", e);
        }
    }

    /** The capture key, loaded (or created) on first use. */
    public CaptureKey key() throws IOException {
        CaptureKey k = key;
        if (k == null) {
            synchronized (this) {
                if (key == null) {
                    try {
                        key = keyLoader.apply(dir);
                    } catch (java.io.UncheckedIOException e) {
                        throw e.getCause();
                    }
                }
                k = key;
            }
        }
        return k;
    }

    /** Captures as this process (tests, tools). */
    public EvidenceRecord capture(String name, String source, SnapshotProducer producer) throws AfsException {
        return capture(name, source, Caller.self(), producer);
    }

    /**
     * Runs {@code producer} once and stores what it wrote as a new snapshot read by {@code caller}.
     *
     * @param name   a short file name for the snapshot, e.g. {@code payments.prod.api.log}
     * @param source the tree path read, with its query
     * @throws AfsException the producer's error, NO_SPACE / UNAVAILABLE when the evidence
     *                      directory cannot take the snapshot (the read then fails: nothing is
     *                      served unrecorded), TOO_LARGE past the snapshot size limit
     */
    public EvidenceRecord capture(String name, String source, Caller reader, SnapshotProducer producer) throws AfsException {
        Caller caller = names.tagged(reader);
        signingKey();
        Instant capturedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Path incoming = dir.resolve(".incoming");
        Path temp = incoming.resolve(UUID.randomUUID() + ".part");
        MessageDigest digest = ContentHash.digest();
        CaptureInfo info;
        long size;
        long lines;
        try {
            createDirectories(incoming);
            Files.createFile(temp, WRITING_MODE);
            try (Output out = new Output(Files.newOutputStream(temp, StandardOpenOption.WRITE), digest, maxSnapshotBytes,
                    this::storageFailure)) {
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
        String[] tenant = tenant(source);
        Path blob = dir.resolve("blobs").resolve(tenant[0]).resolve(tenant[1]).resolve(sha);
        try {
            return place(temp, blob, size, template(sha, size, lines, capturedAt, tenant, source, info, caller),
                    safeName(name), info.statsMap());
        } catch (AfsException e) {
            throw e; // the shared store's refusal, already in words a reader can act on
        } catch (IOException e) {
            throw storageFailure(e);
        } finally {
            deleteQuietly(temp);
        }
    }

    /**
     * The same content recorded again for another reader (a read served from the shared cache):
     * a new signed record naming {@code caller}, pointing at the same blob, with the original
     * capture time.
     */
    public EvidenceRecord recordFor(EvidenceRecord original, Caller reader) throws AfsException {
        Caller caller = names.tagged(reader);
        signingKey();
        CaptureRecord o = original.record();
        CaptureRecord template = new CaptureRecord(CaptureRecord.VERSION, "", o.sha256(), o.size(), o.lines(),
                o.capturedAt(), o.team(), o.env(), o.source(), o.query(), o.backend(), o.truncated(), names.of(caller), "",
                caller.incident());
        String name = original.id().substring(original.id().indexOf('/') + 1 + "HHmmss.SSS-".length() + HASH_PREFIX + 1);
        try {
            return place(null, original.file(), o.size(), template, name, original.stats());
        } catch (AfsException e) {
            throw e;
        } catch (IOException e) {
            throw storageFailure(e);
        }
    }

    private CaptureRecord template(String sha, long size, long lines, Instant at, String[] tenant, String source,
                                   CaptureInfo info, Caller caller) {
        return new CaptureRecord(CaptureRecord.VERSION, "", sha, size, lines, at, tenant[0], tenant[1], source,
                info.query(), info.backend(), info.truncation().orElse("false"), names.of(caller), "", caller.incident());
    }

    /**
     * Puts the content in place (moving {@code temp} to {@code blob} unless an intact-sized blob
     * is there), links a new record name to it, then signs and writes the sidecar.
     */
    private EvidenceRecord place(Path temp, Path blob, long size, CaptureRecord template, String name,
                                 Map<String, String> stats) throws IOException, AfsException {
        CaptureKey k = key();
        createDirectories(blob.getParent());
        boolean moved = false;
        Instant at = template.capturedAt();
        for (int attempt = 0; ; attempt++) {
            if (temp != null && !moved && !intact(blob, template.sha256(), size)) {
                Files.setPosixFilePermissions(temp, READ_ONLY);
                move(temp, blob);
                moved = true;
            }
            String id = DAY.format(at) + "/" + TIME.format(at) + "-" + template.sha256().substring(0, HASH_PREFIX) + "-" + name;
            Path file = dir.resolve(id);
            createDirectories(file.getParent());
            try {
                Files.createLink(file, blob);
            } catch (FileAlreadyExistsException e) {
                if (attempt > 1000) {
                    throw e;
                }
                at = at.plusMillis(1); // the same content, name and millisecond: the next free name
                continue;
            } catch (NoSuchFileException e) {
                if (temp == null || moved || attempt > 3) {
                    throw e;
                }
                continue; // the sweep removed the blob just now: put this capture's copy there
            }
            CaptureRecord r = new CaptureRecord(template.v(), id, template.sha256(), template.size(), template.lines(),
                    template.capturedAt(), template.team(), template.env(), template.source(), template.query(),
                    template.backend(), template.truncated(), template.caller(), k.keyId(), template.incident());
            EvidenceRecord record = new EvidenceRecord(file, k.sign(r), stats);
            try {
                writeSidecar(record);
            } catch (IOException e) {
                deleteQuietly(file);
                throw e;
            }
            EvidenceReplication shared = replication;
            if (shared != null) {
                try {
                    shared.durable(record); // durable before served: the read waits for the shared store
                } catch (AfsException e) {
                    deleteQuietly(sidecarPath(file));
                    deleteQuietly(file);
                    throw e;
                }
            }
            remember(record);
            try {
                onCapture.accept(record);
            } catch (RuntimeException e) {
                // registration is best effort here; an unregistered snapshot is simply not citable
            }
            return record;
        }
    }

    /**
     * Whether an existing blob still holds what its name says. Re-hashed on every dedup hit: a
     * blob root rewrote must not lend its bytes to new records; a bad one is replaced (records
     * already linked to it keep failing verification, as they should).
     */
    private static boolean intact(Path blob, String sha, long size) {
        try {
            return Files.exists(blob) && Files.size(blob) == size && ContentHash.sha256(blob).equals(sha);
        } catch (IOException e) {
            return false;
        }
    }

    private void remember(EvidenceRecord record) {
        if (known.size() > 100_000) {
            known.clear();
        }
        known.put(record.id(), record);
    }

    /** The id of a snapshot path ({@code yyyy-MM-dd/...}, with or without a leading /evidence/); empty if malformed. */
    public static Optional<String> id(String path) {
        String clean = path.startsWith("/evidence/") ? path.substring("/evidence/".length()) : path;
        int slash = clean.indexOf('/');
        if (slash < 0 || !DAY_NAME.matcher(clean.substring(0, slash)).matches()
                || !FILE_NAME.matcher(clean.substring(slash + 1)).matches()) {
            return Optional.empty();
        }
        return Optional.of(clean);
    }

    /** The snapshot with this id, from memory when it was seen before. */
    public Optional<EvidenceRecord> find(String id) {
        Optional<String> clean = id(id);
        if (clean.isEmpty()) {
            return Optional.empty();
        }
        EvidenceRecord cached = known.get(clean.get());
        if (cached != null && Files.exists(cached.file())) {
            return Optional.of(cached);
        }
        try {
            EvidenceRecord record = read(clean.get());
            remember(record);
            return Optional.of(record);
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The snapshot's record as on disk now (never from memory): what a verifier must look at.
     *
     * @throws IOException when the sidecar cannot be read
     * @throws IllegalArgumentException when the id is malformed or the sidecar is not a record
     */
    public EvidenceRecord read(String id) throws IOException {
        String clean = id(id).orElseThrow(() -> new IllegalArgumentException("'" + id + "' is not an evidence id"
                + " (yyyy-MM-dd/HHmmss.SSS-<sha256 prefix>-<name>)"));
        Path file = dir.resolve(clean);
        SharedEvidence s = shared;
        if (s != null && !Files.exists(sidecarPath(file))) {
            s.fetch(clean); // written by another mount: copied here once its content hashes to its record
        }
        JsonNode json = JSON.readTree(Files.readAllBytes(sidecarPath(file)));
        Map<String, String> stats = new LinkedHashMap<>();
        json.path("stats").fields().forEachRemaining(e -> stats.put(e.getKey(), e.getValue().asText()));
        return new EvidenceRecord(file, SignedCapture.fromJson(json), stats);
    }

    /** Days that hold snapshots, oldest first. */
    public List<String> days() {
        java.util.TreeSet<String> out = new java.util.TreeSet<>(localDays());
        SharedEvidence s = shared;
        if (s != null) {
            s.ids().forEach(id -> out.add(id.substring(0, id.indexOf('/'))));
        }
        return List.copyOf(out);
    }

    private List<String> localDays() {
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

    /** Snapshot ids of one day, oldest first: this directory's and (when it reads from one) the shared store's. */
    public List<String> ids(String day) {
        if (!DAY_NAME.matcher(day).matches()) {
            return List.of();
        }
        List<String> out = localIds(day);
        SharedEvidence s = shared;
        if (s != null) {
            java.util.TreeSet<String> all = new java.util.TreeSet<>(out);
            s.ids().stream().filter(id -> id.startsWith(day + "/")).forEach(all::add);
            return List.copyOf(all);
        }
        return out;
    }

    /** The ids of one day this directory holds. */
    private List<String> localIds(String day) {
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

    /** Listing the directory itself, failing loudly: for a verifier that must not report "0 checked, all fine". */
    public List<String> idsOrThrow() throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir + " (the evidence directory) does not exist");
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.iterator().hasNext();
        }
        return ids();
    }

    /**
     * Re-hashes the content and checks it against the record, the hash in its name, and (when
     * {@code keys} is present) the record's signature under a pinned capture key.
     */
    public Verification verify(EvidenceRecord record, Optional<PinnedKeys> keys) {
        String actual;
        try {
            actual = ContentHash.sha256(record.file());
        } catch (IOException e) {
            return new Verification(record, "", Optional.of("cannot read " + record.file() + ": " + e.getMessage()));
        }
        if (keys.isPresent()) {
            Optional<String> bad = keys.get().problem(record.signed(), record.capturedAt());
            if (bad.isPresent()) {
                return new Verification(record, actual, bad);
            }
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

    /** Re-hashes the content against the record (no signature check). */
    public Verification verify(EvidenceRecord record) {
        return verify(record, Optional.empty());
    }

    /** The outcome of {@link #verify}: {@code problem} empty when the snapshot is intact. */
    public record Verification(EvidenceRecord record, String actualSha256, Optional<String> problem) {
        public boolean ok() {
            return problem.isEmpty();
        }
    }

    /** What a retention sweep did. */
    public record Swept(int records, int blobs, int held) {
    }

    /** Deletes snapshots captured longer ago than the retention; returns how many. */
    public int expire() {
        return expire(Set.of()).records();
    }

    /**
     * Deletes records captured longer ago than the retention, except those in {@code held}
     * (cited by an open change request), then every blob no record links to any more.
     */
    public Swept expire(Set<String> held) {
        Instant cutoff = clock.instant().minus(retention);
        int records = 0;
        int kept = 0;
        for (String day : localDays()) {
            for (String id : localIds(day)) { // this directory's copies only: the shared store keeps its own
                Path file = dir.resolve(id);
                Optional<Instant> at = capturedAt(id);
                if (at.isPresent() && !at.get().isBefore(cutoff)) {
                    continue;
                }
                if (held.contains(id)) {
                    kept++;
                    continue;
                }
                known.remove(id);
                deleteQuietly(sidecarPath(file));
                deleteQuietly(file);
                records++;
            }
            deleteDirIfEmpty(dir.resolve(day));
        }
        int blobs = 0;
        try (Stream<Path> walk = Files.walk(dir.resolve("blobs"), 3)) {
            for (Path blob : walk.filter(Files::isRegularFile).toList()) {
                if (linkCount(blob) == 1) {
                    deleteQuietly(blob);
                    blobs++;
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // no blobs yet
        }
        cleanIncoming(cutoff);
        return new Swept(records, blobs, kept);
    }

    /** The capture time of a record; a record without a readable sidecar dates from its day's end. */
    private Optional<Instant> capturedAt(String id) {
        try {
            return Optional.of(read(id).capturedAt());
        } catch (IOException | IllegalArgumentException e) {
            String day = id.substring(0, id.indexOf('/'));
            return Optional.of(java.time.LocalDate.parse(day).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
        }
    }

    private void cleanIncoming(Instant cutoff) {
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir.resolve(".incoming"))) {
            for (Path p : stream) {
                if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
                    deleteQuietly(p); // left by a crash mid-capture
                }
            }
        } catch (IOException e) {
            // nothing to clean
        }
    }

    private static int linkCount(Path p) {
        try {
            return ((Number) Files.getAttribute(p, "unix:nlink")).intValue();
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    private static void deleteDirIfEmpty(Path d) {
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(d)) {
            if (stream.iterator().hasNext()) {
                return;
            }
        } catch (IOException e) {
            return;
        }
        deleteQuietly(d);
    }

    private void writeSidecar(EvidenceRecord r) throws IOException {
        ObjectNode json = r.signed().toJson();
        ObjectNode stats = json.putObject("stats");
        r.stats().forEach(stats::put);
        Path meta = sidecarPath(r.file());
        Path temp = meta.resolveSibling(meta.getFileName() + "." + UUID.randomUUID() + ".part");
        Files.createFile(temp, WRITING_MODE);
        try {
            Files.write(temp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json), StandardOpenOption.WRITE);
            Files.setPosixFilePermissions(temp, READ_ONLY);
            move(temp, meta);
        } finally {
            deleteQuietly(temp);
        }
    }

    /** {@code .<name>.json} beside the record's name. */
    public static Path sidecarPath(Path file) {
        return file.resolveSibling("." + file.getFileName() + ".json");
    }

    /** {@code [team, env]} of a tree path under /teams; {@code [_, _]} for anything else. */
    static String[] tenant(String source) {
        Matcher m = TENANT.matcher(source);
        return m.matches() ? new String[] {m.group(1), m.group(2)} : new String[] {"_", "_"};
    }

    private static String safeName(String name) {
        String s = name.replaceAll("[^A-Za-z0-9._-]", "_");
        if (s.isEmpty() || s.startsWith(".")) {
            s = "_" + s;
        }
        return s.length() > 120 ? s.substring(s.length() - 120) : s;
    }

    private static void createDirectories(Path d) throws IOException {
        if (!Files.isDirectory(d)) {
            Files.createDirectories(d, DIR_MODE);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
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
