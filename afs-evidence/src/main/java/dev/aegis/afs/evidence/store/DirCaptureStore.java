package dev.aegis.afs.evidence.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegis.afs.evidence.CaptureRecord;
import dev.aegis.afs.evidence.ContentHash;
import dev.aegis.afs.evidence.SignedCapture;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The evidence directory as a store (the default): {@code blobs/<team>/<env>/<sha256>} holds the
 * content, {@code <day>/<name>} a hard link to it and {@code <day>/.<name>.json} the signed record
 * with the stats. The same layout the mount writes (afs-core's EvidenceStore), read here by the
 * harness and the CLI, which need nothing else of the mount.
 */
public final class DirCaptureStore implements CaptureStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DAY = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final Pattern NAME = Pattern.compile("\\d{6}\\.\\d{3}-[0-9a-f]{12}-[A-Za-z0-9._-]+");
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}");
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{64}");

    private final Path dir;

    public DirCaptureStore(Path dir) {
        this.dir = requireNonNull(dir, "dir is null").toAbsolutePath().normalize();
    }

    public Path dir() {
        return dir;
    }

    @Override
    public String describe() {
        return "dir:" + dir;
    }

    /** The file an id names, or {@code IllegalArgumentException} when the id is not an evidence id. */
    public Path file(String id) {
        String[] parts = id.split("/", -1);
        if (parts.length != 2 || !DAY.matcher(parts[0]).matches() || !NAME.matcher(parts[1]).matches()) {
            throw new IllegalArgumentException("'" + id + "' is not an evidence id (yyyy-MM-dd/HHmmss.SSS-<sha256 prefix>-<name>)");
        }
        return dir.resolve(parts[0]).resolve(parts[1]);
    }

    private static Path sidecar(Path file) {
        return file.resolveSibling("." + file.getFileName() + ".json");
    }

    @Override
    public Optional<SignedCapture> record(String id) throws IOException {
        Path file;
        try {
            file = file(id);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(SignedCapture.fromJson(JSON.readTree(Files.readAllBytes(sidecar(file)))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            throw new IOException("the record of " + id + " in " + dir + " is malformed: " + e.getMessage(), e);
        }
    }

    @Override
    public Map<String, String> stats(String id) throws IOException {
        Map<String, String> stats = new LinkedHashMap<>();
        try {
            JsonNode json = JSON.readTree(Files.readAllBytes(sidecar(file(id))));
            json.path("stats").fields().forEachRemaining(e -> stats.put(e.getKey(), e.getValue().asText()));
        } catch (NoSuchFileException | IllegalArgumentException e) {
            // no stats
        }
        return stats;
    }

    @Override
    public InputStream content(String team, String env, String sha256) throws IOException {
        return Files.newInputStream(blob(team, env, sha256));
    }

    /** The file /evidence shows for the record (a hard link to its blob): what a reader of the mount sees. */
    @Override
    public InputStream content(CaptureRecord record) throws IOException {
        try {
            return Files.newInputStream(file(record.id()));
        } catch (IllegalArgumentException e) {
            throw new NoSuchFileException(e.getMessage());
        }
    }

    private Path blob(String team, String env, String sha256) throws NoSuchFileException {
        if (!TENANT.matcher(team).matches() || !TENANT.matcher(env).matches() || !SHA.matcher(sha256).matches()) {
            throw new NoSuchFileException("no blob " + team + "/" + env + "/" + sha256 + " (malformed name)");
        }
        return dir.resolve("blobs").resolve(team).resolve(env).resolve(sha256);
    }

    /**
     * Writes the blob (unless an intact one is there), the record's link and its sidecar, each
     * created read-only and moved into place complete.
     */
    @Override
    public void put(SignedCapture capture, Path content, Map<String, String> stats) throws IOException {
        CaptureRecord r = capture.record();
        Path file = file(r.id());
        Optional<SignedCapture> existing = record(r.id());
        if (existing.isPresent()) {
            if (same(existing.get(), capture)) {
                return;
            }
            throw new IOException("another record is stored under " + r.id() + " in " + dir + "; evidence is never overwritten");
        }
        Path blob = blob(r.team(), r.env(), r.sha256());
        Files.createDirectories(blob.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        if (!Files.exists(blob) || !ContentHash.sha256(blob).equals(r.sha256())) {
            Path temp = blob.resolveSibling("." + UUID.randomUUID() + ".part");
            Files.copy(content, temp);
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("r--------"));
            Files.move(temp, blob, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            Files.createLink(file, blob);
        } catch (FileAlreadyExistsException e) {
            // a link without its record: a crash between the two; the record below completes it
        }
        ObjectNode json = capture.toJson();
        ObjectNode s = json.putObject("stats");
        stats.forEach(s::put);
        Path meta = sidecar(file);
        Path temp = meta.resolveSibling(meta.getFileName() + "." + UUID.randomUUID() + ".part");
        Files.write(temp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("r--------"));
        Files.move(temp, meta, StandardCopyOption.ATOMIC_MOVE);
    }

    static boolean same(SignedCapture a, SignedCapture b) {
        return Arrays.equals(a.record().canonical(), b.record().canonical()) && a.signature().equals(b.signature());
    }

    @Override
    public List<String> ids() throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir + " (the evidence directory) does not exist");
        }
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> days = Files.newDirectoryStream(dir)) {
            for (Path day : days) {
                String d = day.getFileName().toString();
                if (!DAY.matcher(d).matches() || !Files.isDirectory(day)) {
                    continue;
                }
                try (DirectoryStream<Path> names = Files.newDirectoryStream(day)) {
                    for (Path n : names) {
                        if (NAME.matcher(n.getFileName().toString()).matches()) {
                            out.add(d + "/" + n.getFileName());
                        }
                    }
                }
            }
        }
        out.sort(null);
        return out;
    }

    @Override
    public void close() {
        // nothing held open
    }
}
