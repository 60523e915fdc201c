package dev.aegis.afs.harness.bundle;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.evidence.ContentHash;
import dev.aegis.afs.evidence.PinnedKey;
import dev.aegis.afs.evidence.SignedCapture;
import dev.aegis.afs.harness.LedgerCheckpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * Writes an evidence bundle (tar.gz) of one incident: every file under {@code afs-incident-<id>/},
 * {@code manifest.json} and {@code manifest.sig} first, then the snapshots ({@code snapshots/<id>}),
 * their signed records ({@code records/<id>.json}), the plans ({@code requests/<id>.yaml}), the
 * ledger slice and checkpoint ({@code ledger/}) and the public keys ({@code keys.yaml}).
 * The harness fills it ({@code GET /v1/incidents/<id>/bundle}); {@link BundleVerifier} checks it.
 */
public final class BundleWriter {

    /** A snapshot id as the mount makes them: {@code <yyyy-MM-dd>/<name>}, usable as a path. */
    private static final Pattern SNAPSHOT_ID = Pattern.compile("\\d{4}-\\d{2}-\\d{2}/[A-Za-z0-9][A-Za-z0-9._-]{0,200}");
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final String incident;
    private final Instant exportedAt;
    private final String exportedBy;
    private final Map<String, Object> files = new LinkedHashMap<>(); // path -> byte[] or Path
    private final List<BundleManifest.Snapshot> snapshots = new ArrayList<>();
    private final List<BundleManifest.Request> requests = new ArrayList<>();
    private Optional<BundleManifest.Slice> slice = Optional.empty();
    private int withheld;

    public BundleWriter(String incident, Instant exportedAt, String exportedBy) {
        this.incident = requireNonNull(incident, "incident is null");
        this.exportedAt = requireNonNull(exportedAt, "exportedAt is null");
        this.exportedBy = requireNonNull(exportedBy, "exportedBy is null");
    }

    /** The directory every entry of the archive sits in. */
    public static String root(String incident) {
        return "afs-incident-" + incident + "/";
    }

    /**
     * Adds a snapshot: {@code content} must already hash to the record's sha256 (the exporter
     * re-hashes it), and is copied into the archive as it is.
     */
    public BundleWriter snapshot(SignedCapture capture, Path content, Instant receivedAt, List<String> citedBy, boolean tagged) {
        var r = capture.record();
        String name = SNAPSHOT_ID.matcher(r.id()).matches() ? r.id() : "other/" + snapshots.size();
        String contentPath = "snapshots/" + name;
        String recordPath = "records/" + name + ".json";
        files.put(contentPath, content);
        files.put(recordPath, (capture.toJson().toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8));
        snapshots.add(new BundleManifest.Snapshot(r.id(), r.team(), r.env(), r.sha256(), r.size(), receivedAt.toString(),
                contentPath, recordPath, citedBy, tagged));
        return this;
    }

    /** Adds a change request's plan exactly as submitted. */
    public BundleWriter request(String id, String team, String env, String state, byte[] document) {
        String path = "requests/" + (REQUEST_ID.matcher(id).matches() ? id : "other-" + requests.size()) + ".yaml";
        files.put(path, document.clone());
        requests.add(new BundleManifest.Request(id, team, env, state, path));
        return this;
    }

    /** The ledger slice: {@code lines} are entries from..checkpoint.count, the first following {@code anchor}. */
    public BundleWriter ledger(List<String> lines, long from, String anchor, LedgerCheckpoint checkpoint) {
        StringBuilder text = new StringBuilder();
        lines.forEach(l -> text.append(l).append('\n'));
        files.put("ledger/slice.jsonl", text.toString().getBytes(StandardCharsets.UTF_8));
        files.put("ledger/checkpoint.json", (checkpoint.json() + "\n").getBytes(StandardCharsets.UTF_8));
        slice = Optional.of(new BundleManifest.Slice("ledger/slice.jsonl", "ledger/checkpoint.json", from, checkpoint.count(),
                anchor));
        return this;
    }

    /**
     * The public keys, for convenience only: in the same form {@code --keys} reads, so an auditor
     * who has checked them independently may pin them. The verifier never trusts them by themselves.
     */
    public BundleWriter keys(String ledgerPublicKey, List<PinnedKey> captureKeys) {
        StringBuilder y = new StringBuilder("# the keys of the harness that exported this bundle: NOT trusted by afs incident verify\n"
                + "# unless you pin them yourself (--keys); compare them with your own copy first\n");
        y.append("ledger: {public_key: ").append(ledgerPublicKey).append("}\n");
        y.append("evidence:\n  capture_keys:").append(captureKeys.isEmpty() ? " []\n" : "\n");
        for (PinnedKey k : captureKeys) {
            y.append("    - {key_id: ").append(k.keyId()).append(", public_key: ").append(k.publicKey())
                    .append(k.notAfter().map(t -> ", not_after: " + t).orElse("")).append("}\n");
        }
        files.put(BundleManifest.KEYS, y.toString().getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Snapshots of the incident the exporter may not read: counted, so the reader knows the bundle is partial. */
    public BundleWriter withheld(int count) {
        this.withheld = count;
        return this;
    }

    /**
     * Writes the archive. {@code sign} is the ledger key's signature over its argument (the
     * manifest's bytes behind a context prefix).
     */
    public void write(OutputStream out, UnaryOperator<byte[]> sign) throws IOException {
        Map<String, BundleManifest.FileDigest> digests = new LinkedHashMap<>();
        for (Map.Entry<String, Object> f : files.entrySet()) {
            digests.put(f.getKey(), digest(f.getValue()));
        }
        byte[] manifest = new BundleManifest(incident, exportedAt.toString(), exportedBy, snapshots, requests, slice, withheld,
                digests).bytes();
        byte[] signed = new byte[BundleManifest.CONTEXT.length + manifest.length];
        System.arraycopy(BundleManifest.CONTEXT, 0, signed, 0, BundleManifest.CONTEXT.length);
        System.arraycopy(manifest, 0, signed, BundleManifest.CONTEXT.length, manifest.length);
        byte[] signature = (Base64.getEncoder().encodeToString(sign.apply(signed)) + "\n").getBytes(StandardCharsets.US_ASCII);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out, gzipParameters()),
                StandardCharsets.UTF_8.name())) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            put(tar, BundleManifest.MANIFEST, manifest);
            put(tar, BundleManifest.SIGNATURE, signature);
            for (Map.Entry<String, Object> f : files.entrySet()) {
                if (f.getValue() instanceof Path p) {
                    TarArchiveEntry e = entry(f.getKey(), digests.get(f.getKey()).size());
                    tar.putArchiveEntry(e);
                    try (InputStream in = Files.newInputStream(p)) {
                        in.transferTo(tar);
                    }
                    tar.closeArchiveEntry();
                } else {
                    put(tar, f.getKey(), (byte[]) f.getValue());
                }
            }
            tar.finish();
        }
    }

    /**
     * The gzip header afs writes and {@link BundleArchive} demands: no time, no name, OS
     * "unknown". Its bytes are outside every checksum, so they are fixed rather than free.
     */
    static final byte[] GZIP_HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    private static GzipParameters gzipParameters() {
        GzipParameters p = new GzipParameters();
        p.setModificationTime(0);
        p.setOperatingSystem(255);
        return p;
    }

    private void put(TarArchiveOutputStream tar, String path, byte[] bytes) throws IOException {
        tar.putArchiveEntry(entry(path, bytes.length));
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    private TarArchiveEntry entry(String path, long size) {
        TarArchiveEntry e = new TarArchiveEntry(root(incident) + path);
        e.setSize(size);
        e.setMode(0644);
        e.setModTime(exportedAt.toEpochMilli());
        return e;
    }

    private static BundleManifest.FileDigest digest(Object source) throws IOException {
        if (source instanceof Path p) {
            return new BundleManifest.FileDigest(ContentHash.sha256(p), Files.size(p));
        }
        byte[] b = (byte[]) source;
        MessageDigest d = ContentHash.digest();
        return new BundleManifest.FileDigest(HexFormat.of().formatHex(d.digest(b)), b.length);
    }
}
