package dev.aegis.afs.harness;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The append-only ledger file: one JSON object per line, each carrying {@code seq},
 * {@code prev} (the previous entry's hash), {@code hash} (sha256 of the entry's canonical JSON
 * without hash and sig) and {@code sig} (Ed25519 over the hash). A signed checkpoint
 * ({@code <ledger>.checkpoint}: count and head hash) makes truncation detectable.
 *
 * <p>Entries are sealed inside the SQLite transaction that records the transition (see
 * {@link RequestStore}); this class only appends sealed lines, so a crash between commit and
 * append is repaired at start by appending what the database holds beyond the file.
 */
public final class Ledger {

    public static final String GENESIS = "0".repeat(64);
    static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final SigningKey key;
    private final java.time.Clock clock;
    private final Witness witness;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Ledger.class);
    private long count;

    /** A sealed entry: its number, hash and the line to write. */
    public record Sealed(long seq, String hash, String line) {
    }

    public Ledger(Path file, SigningKey key) throws IOException {
        this(file, key, java.time.Clock.systemUTC(), Witness.NONE);
    }

    public Ledger(Path file, SigningKey key, java.time.Clock clock, Witness witness) throws IOException {
        this.file = requireNonNull(file, "file is null");
        this.key = requireNonNull(key, "key is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.witness = requireNonNull(witness, "witness is null");
        PrivateFiles.file(file);
        this.count = countLines(file);
    }

    public Path file() {
        return file;
    }

    public static Path checkpointPath(Path ledger) {
        return ledger.resolveSibling(ledger.getFileName() + ".checkpoint");
    }

    /** Entries in the file. */
    public synchronized long count() {
        return count;
    }

    /** Seals {@code body} as entry {@code seq} following {@code prev}. */
    public Sealed seal(long seq, String prev, ObjectNode body) {
        ObjectNode entry = JSON.createObjectNode();
        entry.put("seq", seq);
        entry.setAll(body);
        entry.put("prev", prev);
        String hash = hash(entry);
        entry.put("hash", hash);
        entry.put("sig", Base64.getEncoder().encodeToString(key.sign(HexFormat.of().parseHex(hash))));
        return new Sealed(seq, hash, entry.toString());
    }

    /**
     * Appends the entries the file does not have yet ({@code seq > count()}), fsyncs, then
     * rewrites the signed checkpoint.
     */
    public synchronized void append(List<Sealed> entries) throws IOException {
        List<Sealed> missing = new ArrayList<>();
        for (Sealed e : entries) {
            if (e.seq() > count) {
                missing.add(e);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        if (missing.get(0).seq() != count + 1) {
            throw new IOException("ledger " + file + " has " + count + " entries but the next to append is "
                    + missing.get(0).seq() + "; run afs ledger verify --ledger " + file);
        }
        StringBuilder text = new StringBuilder();
        for (Sealed e : missing) {
            text.append(e.line()).append('\n');
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer buf = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Sealed last = missing.get(missing.size() - 1);
        count = last.seq();
        writeCheckpoint(count, last.hash());
    }

    private void writeCheckpoint(long n, String head) throws IOException {
        LedgerCheckpoint cp = LedgerCheckpoint.sign(n, head, clock.instant().toString(), key);
        Path target = checkpointPath(file);
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        PrivateFiles.file(temp);
        Files.writeString(temp, cp.json() + "\n", StandardCharsets.UTF_8);
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try {
            witness.record(cp);
        } catch (IOException e) {
            // the local checkpoint stands; the next append hands the witness a newer one
            LOG.warn("the ledger witness did not record checkpoint {} ({}); it gets the next one", n, e.getMessage());
        }
    }

    /**
     * Signs a statement other than an entry or a checkpoint (an evidence bundle's manifest) with
     * the ledger key. The caller puts a context prefix in {@code message}, so the signature can
     * never be taken for an entry's (over a bare 32-byte hash) or a checkpoint's (JCS beginning {@code {}).
     */
    public byte[] signStatement(byte[] message) {
        return key.sign(message);
    }

    /** The newest signed checkpoint this ledger file carries; empty before the first entry. */
    public Optional<LedgerCheckpoint> checkpoint() throws IOException {
        try {
            return LedgerCheckpoint.parse(Files.readString(checkpointPath(file), StandardCharsets.UTF_8));
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** The ledger public key (hex), for whoever verifies what this ledger signed. */
    public String publicKeyHex() {
        return key.publicKeyHex();
    }

    /** Where signed checkpoints also go: a store the harness process cannot rewrite. */
    public interface Witness {
        void record(LedgerCheckpoint checkpoint) throws IOException;

        Witness NONE = cp -> { };
    }

    /** sha256 hex of the RFC 8785 (JCS) canonical JSON of {@code entry} without hash and sig. */
    public static String hash(JsonNode entry) {
        ObjectNode copy = ((ObjectNode) entry).deepCopy();
        copy.remove("hash");
        copy.remove("sig");
        try {
            byte[] bytes = new org.erdtman.jcs.JsonCanonicalizer(copy.toString()).getEncodedUTF8();
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash a ledger entry", e);
        }
    }

    private static long countLines(Path file) throws IOException {
        long n = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            while (r.readLine() != null) {
                n++;
            }
        }
        return n;
    }
}
