package dev.aegis.afs.harness;

import static dev.aegis.afs.harness.HarnessFixture.AGENT;
import static dev.aegis.afs.harness.HarnessFixture.BOB;
import static dev.aegis.afs.harness.HarnessFixture.MALLORY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.evidence.CaptureKey;
import dev.aegis.afs.evidence.PinnedKeys;
import dev.aegis.afs.harness.bundle.BundleArchive;
import dev.aegis.afs.harness.bundle.BundleVerifier;
import dev.aegis.afs.harness.bundle.PinnedBundleKeys;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An incident's evidence bundle as the harness exports it, verified offline with pinned keys,
 * and then tampered with as an auditor's adversary would: a snapshot byte, a record, a ledger
 * line, the checkpoint, a removed file, an unpinned key, any single byte anywhere, and hostile
 * archives (path traversal, links, oversized entries).
 */
class IncidentBundleTest {

    @TempDir
    Path dir;

    private HarnessFixture f;
    private EvidenceRecord cited;
    private EvidenceRecord tagged;
    private String prodRequest;
    private Path bundle;
    private PinnedBundleKeys pinned;

    @BeforeEach
    void incident() throws Exception {
        f = new HarnessFixture(dir);
        f.open();
        cited = f.snapshot(3);
        prodRequest = f.submit(HarnessFixture.plan("prod", 0.9, HarnessFixture.pointer(cited, "1-2"),
                HarnessFixture.scale("api", 3, "inc-1-scale"), ""), AGENT).request().id();
        // another incident's entry inside the slice, and INC-1's own entries in an env Bob may not read
        EvidenceRecord other = f.snapshot(2);
        f.submit(HarnessFixture.plan("prod", 0.9, HarnessFixture.pointer(other, "1-1"),
                HarnessFixture.scale("api", 4, "inc-2-scale"), "").replace("INC-1", "INC-2"), AGENT);
        // read under the incident's tag, never cited: in the bundle as read for INC-1 (staging: withheld from Bob)
        tagged = f.read("prod", "?grep=OOM", java.util.Optional.of("INC-1"));
        f.read("staging", "?grep=OOM", java.util.Optional.of("INC-1"));
        EvidenceRecord staging = f.snapshot("staging", 2);
        f.submit(HarnessFixture.plan("staging", 0.9, HarnessFixture.pointer(staging, "1-1"),
                HarnessFixture.scale("api", 2, "inc-1-staging"), "").replace("OOMKilled under load", "staging-secret"), AGENT);
        bundle = f.harness.exportIncident("INC-1", f.p(BOB));
        pinned = new PinnedBundleKeys(SigningKey.publicKeyHex(Harness.ledgerPublicKey(dir.resolve("data"))).orElseThrow(),
                PinnedKeys.of(f.captureKey.pinned()));
    }

    @AfterEach
    void close() throws Exception {
        Files.deleteIfExists(bundle);
        f.close();
    }

    private BundleVerifier.Report verify(Path archive, PinnedBundleKeys keys) throws IOException {
        try (BundleArchive a = BundleArchive.open(archive, dir, BundleArchive.Limits.DEFAULT)) {
            return BundleVerifier.verify(a, keys);
        }
    }

    @Test
    void theExportVerifiesAndHoldsWhatTheCallerMayReadOnly() throws Exception {
        BundleVerifier.Report r = verify(bundle, pinned);
        assertTrue(r.ok(), r.toString());
        assertTrue(r.warnings().isEmpty(), r.toString());
        String said = String.join("\n", r.verified());
        assertTrue(said.contains("incident INC-1, exported "), said);
        assertTrue(said.contains(" by unix:2002@test-host: manifest signed by the pinned ledger key"), said);
        assertTrue(said.contains("2 snapshot(s): content hashes match their records, capture signatures verify under pinned key(s) "
                + f.captureKey.keyId()), said);
        assertTrue(said.contains("1 change request(s): plans match the sha256 the ledger recorded; their 1 citation(s) are"
                + " snapshots in the bundle"), said);
        assertTrue(said.matches("(?s).*ledger entries 1\\.\\.\\d+ \\(\\d+ in full, \\d+ of other envs or incidents as hashes only\\).*"),
                said);

        Map<String, byte[]> files = unpack(bundle);
        String root = "afs-incident-INC-1/";
        assertEquals(List.of(root + "manifest.json", root + "manifest.sig"), files.keySet().stream().limit(2).toList());
        assertTrue(files.containsKey(root + "snapshots/" + cited.id()), files.keySet().toString());
        assertTrue(files.containsKey(root + "records/" + cited.id() + ".json"), files.keySet().toString());
        assertTrue(files.containsKey(root + "requests/" + prodRequest + ".yaml"), files.keySet().toString());
        assertTrue(files.containsKey(root + "snapshots/" + tagged.id()), files.keySet().toString());
        assertEquals(2, files.keySet().stream().filter(k -> k.contains("/snapshots/")).count(), files.keySet().toString());
        // the staging read tagged INC-1 and the snapshot the staging plan cites
        assertTrue(said.contains("2 snapshot(s) of the incident were withheld from the exporter (access lists)"), said);
        assertEquals(1, files.keySet().stream().filter(k -> k.contains("/requests/")).count(), "the staging plan is Bob's to see? no");
        String slice = new String(files.get(root + "ledger/slice.jsonl"), StandardCharsets.UTF_8);
        assertFalse(slice.contains("staging-secret") || slice.contains("INC-2"), "others' entries are hashes only:\n" + slice);
        assertTrue(slice.contains("\"request\":\"" + prodRequest + "\""), slice);
        assertTrue(slice.contains("\"hidden\""), slice);
        String manifest = new String(files.get(root + "manifest.json"), StandardCharsets.UTF_8);
        assertTrue(manifest.contains("\"cited_by\" : [ \"" + prodRequest + "\" ],\n    \"tagged\" : false"), manifest);
        assertTrue(manifest.contains("\"id\" : \"" + tagged.id() + "\""), manifest);
        assertTrue(manifest.contains("\"cited_by\" : [ ],\n    \"tagged\" : true"), manifest);
    }

    @Test
    void aSnapshotByteChangedIsNamed() throws Exception {
        String problem = tampered(m -> flip(m.get("snapshots/" + cited.id()), 5));
        assertTrue(problem.startsWith("snapshots/" + cited.id() + ": the content hashes to "), problem);
        assertTrue(problem.endsWith("but its signed record says " + cited.sha256() + ": the snapshot was changed after it was captured"),
                problem);
    }

    @Test
    void aRecordChangedIsNamed() throws Exception {
        String problem = tampered(m -> replace(m.get("records/" + cited.id() + ".json"), "\"lines\" : 3", "\"lines\" : 2"));
        assertEquals("records/" + cited.id() + ".json: the capture signature fails: the signature does not verify under capture key "
                + f.captureKey.keyId() + ": the record was forged or changed after it was signed", problem);
    }

    @Test
    void aLedgerLineChangedIsNamed() throws Exception {
        String problem = tampered(m -> replace(m.get("ledger/slice.jsonl"), "OOMKilled under load", "a network blip"));
        assertTrue(problem.matches("ledger/slice\\.jsonl, entry \\d+ \\(line \\d+\\): its content does not match its hash: the entry"
                + " was changed"), problem);
    }

    @Test
    void aLedgerLineRemovedIsNamed() throws Exception {
        String problem = tampered(m -> {
            List<String> lines = new java.util.ArrayList<>(readLines(m.get("ledger/slice.jsonl")));
            lines.remove(1);
            write(m.get("ledger/slice.jsonl"), String.join("\n", lines) + "\n");
        });
        assertTrue(problem.startsWith("ledger/slice.jsonl, entry 2 (line 2): carries seq 3: entries were removed"), problem);
    }

    @Test
    void aCheckpointChangedIsNamed() throws Exception {
        String problem = tampered(m -> replace(m.get("ledger/checkpoint.json"), "\"count\":", "\"count\":1"));
        assertEquals("ledger/checkpoint.json: its signature does not verify under the pinned ledger key: it was changed", problem);
    }

    @Test
    void aMissingFileIsNamed() throws Exception {
        String problem = tampered(m -> m.remove("snapshots/" + cited.id()));
        assertEquals("snapshots/" + cited.id() + ": missing: the manifest lists it, the bundle does not hold it (removed after"
                + " export)", problem);
        assertEquals("manifest.sig: missing: the manifest's signature is gone, so nothing in the bundle is attested by the harness",
                tampered(m -> m.remove("manifest.sig")));
    }

    @Test
    void aPlanChangedIsNamed() throws Exception {
        String problem = tampered(m -> replace(m.get("requests/" + prodRequest + ".yaml"), "replicas: 3", "replicas: 30"));
        assertTrue(problem.startsWith("requests/" + prodRequest + ".yaml: the plan hashes to "), problem);
        assertTrue(problem.endsWith("for request " + prodRequest + ": the plan was changed"), problem);
    }

    @Test
    void bundledKeysAreReportedNotTrusted() throws Exception {
        // a capture key the verifier has not pinned: the records it signed fail, and the bundle's copy is only reported
        CaptureKey someone = CaptureKey.loadOrCreate(dir.resolve("other/capture.key"), new SecureRandom());
        BundleVerifier.Report r = verify(bundle, new PinnedBundleKeys(pinned.ledgerKeyHex(), PinnedKeys.of(someone.pinned())));
        assertFalse(r.ok());
        assertTrue(r.problem().get().matches("records/\\S+\\.json: the capture signature fails: signed by capture key "
                + f.captureKey.keyId() + ", which is not pinned.*"), r.toString());
        assertEquals(List.of("the bundle carries capture key " + f.captureKey.keyId() + ", which you did not pin: not trusted (pin it"
                + " in --keys only after checking it with its owner)"), r.warnings());

        // a ledger key that is not the harness's: nothing is attested
        String otherLedger = SigningKey.loadOrCreate(dir.resolve("other/ledger.key"), new SecureRandom()).publicKeyHex();
        r = verify(bundle, new PinnedBundleKeys(otherLedger, pinned.captureKeys()));
        assertTrue(r.problem().get().startsWith("manifest.json: its signature (manifest.sig) does not verify under the ledger key you"
                + " pinned"), r.toString());
        assertTrue(r.warnings().get(0).startsWith("the bundle carries ledger key "), r.toString());
    }

    /**
     * Every file is covered byte for byte (its sha256 in the signed manifest, the manifest by its
     * signature). Positions are sampled, 48 per file spread from first to last byte, since each
     * verification re-checks every signature.
     */
    @Test
    void anySingleByteChangedInAnyFileFails() throws Exception {
        try (BundleArchive a = BundleArchive.open(bundle, dir, BundleArchive.Limits.DEFAULT)) {
            Map<String, Path> files = copy(a.files());
            int checked = 0;
            for (Map.Entry<String, Path> file : files.entrySet()) {
                byte[] original = Files.readAllBytes(file.getValue());
                for (int i : positions(original.length, 48)) {
                    byte[] changed = original.clone();
                    changed[i] ^= (byte) (i % 2 == 0 ? 0x01 : 0x20);
                    Files.write(file.getValue(), changed);
                    BundleVerifier.Report r = BundleVerifier.verify(files, pinned);
                    assertFalse(r.ok(), file.getKey() + " byte " + i + " changed, yet it verified");
                    checked++;
                }
                Files.write(file.getValue(), original);
            }
            assertTrue(BundleVerifier.verify(files, pinned).ok());
            assertTrue(checked > 300, "checked " + checked + " bytes");
        }
    }

    /**
     * A byte changed in the archive itself either fails, or (deflate has a few bits that do not
     * change what it decompresses to) leaves every file byte for byte as exported: what verify
     * vouches for is then exactly what was exported. The gzip header, which no checksum covers,
     * is fixed, and the gzip CRC covers the whole tar stream.
     */
    @Test
    void anySingleByteChangedInTheArchiveFailsOrChangesNoFile() throws Exception {
        byte[] original = Files.readAllBytes(bundle);
        Map<String, byte[]> exported = unpack(bundle);
        Path changed = dir.resolve("changed.tar.gz");
        int failed = 0;
        List<Integer> at = new java.util.ArrayList<>(positions(original.length, 200));
        for (int i = 0; i < 10; i++) {
            at.add(i); // the whole gzip header
            at.add(original.length - 1 - i); // the CRC and length
        }
        for (int i : at) {
            byte[] b = original.clone();
            b[i] ^= 0x01;
            Files.write(changed, b);
            boolean ok;
            try {
                ok = verify(changed, pinned).ok();
            } catch (BundleArchive.Refused e) {
                ok = false;
            }
            if (ok) {
                Map<String, byte[]> now = unpack(changed);
                assertEquals(exported.keySet(), now.keySet(), "archive byte " + i + " changed the files, yet it verified");
                for (String k : exported.keySet()) {
                    assertTrue(java.util.Arrays.equals(exported.get(k), now.get(k)), "archive byte " + i + " changed " + k
                            + ", yet it verified");
                }
            } else {
                failed++;
            }
        }
        assertTrue(failed > at.size() * 9 / 10, failed + " of " + at.size() + " changes failed");
    }

    /** {@code count} positions spread over {@code length} bytes, first and last included. */
    private static List<Integer> positions(int length, int count) {
        java.util.TreeSet<Integer> out = new java.util.TreeSet<>();
        for (int k = 0; k < count && length > 0; k++) {
            out.add((int) ((long) k * (length - 1) / Math.max(1, count - 1)));
        }
        return List.copyOf(out);
    }

    @Test
    void hostileArchivesAreRefusedBeforeAnythingIsWritten() throws Exception {
        Map<String, byte[]> files = unpack(bundle);
        assertRefused(with(files, "afs-incident-INC-1/../../etc/cron.d/x", "boom"), "has a path that could leave the bundle's directory");
        assertRefused(with(files, "/etc/passwd", "x"), "has a path that could leave the bundle's directory");
        assertRefused(with(files, "afs-incident-INC-1/manifest.json", "{}"), "appears twice");
        assertRefused(with(files, "other-dir/x", "x"), "is outside afs-incident-INC-1/");
        Path link = dir.resolve("link.tar.gz");
        repack(files, link, tar -> {
            TarArchiveEntry e = new TarArchiveEntry("afs-incident-INC-1/evil", TarArchiveEntry.LF_SYMLINK);
            e.setLinkName("/etc/shadow");
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
        });
        assertRefused(link, "is not a regular file (a link or device)");
        BundleArchive.Refused big = assertThrows(BundleArchive.Refused.class,
                () -> BundleArchive.open(bundle, dir, new BundleArchive.Limits(100, 1L << 30, 1000)));
        assertTrue(big.getMessage().contains("bytes, over the limit of 100 per file"), big.getMessage());
        try (var left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith("afs-bundle-")), "unpacked files were left behind");
        }
    }

    @Test
    void anIncidentTheCallerCannotSeeIsNotFound() throws Exception {
        AfsException e = assertThrows(AfsException.class, () -> f.harness.exportIncident("INC-1", f.p(MALLORY)));
        assertEquals(AfsError.NOT_FOUND, e.error());
        assertTrue(e.getMessage().startsWith("no incident INC-1 among what you may read"), e.getMessage());
        assertEquals(AfsError.NOT_FOUND, assertThrows(AfsException.class,
                () -> f.harness.exportIncident("INC-404", f.p(BOB))).error());
        AfsException bad = assertThrows(AfsException.class, () -> f.harness.exportIncident("../x", f.p(BOB)));
        assertEquals(AfsError.INVALID_ARGUMENT, bad.error());
        try (var left = Files.list(dir.resolve("data/exports"))) {
            assertEquals(List.of(bundle), left.toList(), "a refused export leaves nothing behind (the earlier export is the test's)");
        }
    }

    // ---- helpers ----

    private interface Change {
        void apply(Map<String, Path> files) throws IOException;
    }

    /** Verifies the bundle after {@code change} to its unpacked files; returns the problem named. */
    private String tampered(Change change) throws Exception {
        try (BundleArchive a = BundleArchive.open(bundle, dir, BundleArchive.Limits.DEFAULT)) {
            Map<String, Path> files = copy(a.files());
            change.apply(files);
            BundleVerifier.Report r = BundleVerifier.verify(files, pinned);
            assertFalse(r.ok(), "the change went unnoticed");
            return r.problem().orElseThrow();
        }
    }

    private Map<String, Path> copy(Map<String, Path> files) throws IOException {
        Path to = Files.createTempDirectory(dir, "copy");
        Map<String, Path> out = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, Path> e : files.entrySet()) {
            out.put(e.getKey(), Files.copy(e.getValue(), to.resolve("f" + i++)));
        }
        return out;
    }

    private static void flip(Path file, int at) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[at] ^= 0x01;
        Files.write(file, b);
    }

    private static void replace(Path file, String from, String to) throws IOException {
        String s = Files.readString(file);
        assertTrue(s.contains(from), "no '" + from + "' in\n" + s);
        Files.writeString(file, s.replace(from, to));
    }

    private static List<String> readLines(Path file) throws IOException {
        return Files.readAllLines(file);
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text);
    }

    private static Map<String, byte[]> unpack(Path archive) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(Files.newInputStream(archive)))) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                out.put(e.getName(), tar.readAllBytes());
            }
        }
        return out;
    }

    private Path with(Map<String, byte[]> files, String name, String content) throws IOException {
        Path out = Files.createTempFile(dir, "hostile", ".tar.gz");
        repack(files, out, tar -> {
            TarArchiveEntry e = new TarArchiveEntry(name, true);
            byte[] b = content.getBytes(StandardCharsets.UTF_8);
            e.setSize(b.length);
            tar.putArchiveEntry(e);
            tar.write(b);
            tar.closeArchiveEntry();
        });
        return out;
    }

    private interface Extra {
        void add(TarArchiveOutputStream tar) throws IOException;
    }

    /** The same gzip header afs writes, so only what is tested differs. */
    private static void repack(Map<String, byte[]> files, Path out, Extra extra) throws IOException {
        GzipParameters p = new GzipParameters();
        p.setModificationTime(0);
        p.setOperatingSystem(255);
        try (OutputStream o = Files.newOutputStream(out);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(o, p))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                TarArchiveEntry t = new TarArchiveEntry(e.getKey());
                t.setSize(e.getValue().length);
                tar.putArchiveEntry(t);
                tar.write(e.getValue());
                tar.closeArchiveEntry();
            }
            extra.add(tar);
        }
    }

    private void assertRefused(Path archive, String expected) {
        BundleArchive.Refused e = assertThrows(BundleArchive.Refused.class, () -> BundleArchive.open(archive, dir,
                BundleArchive.Limits.DEFAULT));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
