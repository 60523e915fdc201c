package dev.aegis.afs.cli;

import dev.aegis.afs.core.Afs;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.MountedPaths;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.evidence.EvidenceStore;
import dev.aegis.afs.evidence.CaptureKey;
import dev.aegis.afs.evidence.Keys;
import dev.aegis.afs.evidence.PinnedKey;
import dev.aegis.afs.evidence.PinnedKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code afs evidence ls|verify}: the snapshots in the evidence directory. */
@Command(name = "evidence", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Lists and verifies evidence snapshots; prints the capture key to pin.",
        subcommands = {EvidenceCommand.Ls.class, EvidenceCommand.Verify.class, EvidenceCommand.Key.class,
                EvidenceCommand.Migrate.class})
public final class EvidenceCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a subcommand: afs evidence ls | verify | key | migrate");
    }

    /** With a shared store in namespaces.yaml, ls and verify see every mount's snapshots, not only this host's. */
    static void readShared(Afs afs, CommandSpec spec) {
        try {
            afs.readSharedEvidence();
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "cannot open the evidence store: " + e.getMessage());
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "Lists snapshots, oldest first: id, size, lines, sha256 prefix, source.")
    static final class Ls implements Callable<Integer> {

        @Mixin
        ConfigOption config;

        @Option(names = "--day", paramLabel = "YYYY-MM-DD", description = "only this day (UTC)")
        String day;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (Afs afs = config.load()) {
                readShared(afs, spec);
                EvidenceStore store = afs.evidence();
                PrintWriter out = spec.commandLine().getOut();
                for (String id : day == null ? store.ids() : store.ids(day)) {
                    Optional<EvidenceRecord> r = store.find(id);
                    if (r.isPresent()) {
                        EvidenceRecord e = r.get();
                        out.printf("%s\t%d\t%d\t%s\t%s%n", e.id(), e.size(), e.lines(),
                                e.sha256().substring(0, EvidenceStore.HASH_PREFIX), e.source());
                    } else {
                        out.printf("%s\t-\t-\t-\t(metadata missing: run afs evidence verify %s)%n", id, id);
                    }
                }
                out.flush();
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = {"Rehashes snapshots (all, or the given ones) and checks each record's signature under a capture key.",
                    "Keys: --key (pinned; repeat for rotation), else this host's own capture key (a note says so).",
                    "Prints each failure with its reason; exits 1 when any fails or cannot be read."})
    static final class Verify implements Callable<Integer> {

        @Mixin
        ConfigOption config;

        @Parameters(arity = "0..*", paramLabel = "PATH",
                description = "snapshot ids (yyyy-MM-dd/...), /evidence/... paths, or paths under a mounted afs")
        List<String> paths = new ArrayList<>();

        @Option(names = "--key", paramLabel = "PUBLIC_KEY",
                description = "a pinned capture public key: base64url (as in capture.pub and harness.yaml) or a file holding it")
        List<String> keys = new ArrayList<>();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws AfsException {
            try (Afs afs = config.load()) {
                readShared(afs, spec);
                EvidenceStore store = afs.evidence();
                PrintWriter out = spec.commandLine().getOut();
                PrintWriter err = spec.commandLine().getErr();
                PinnedKeys pinned;
                try {
                    pinned = pinned(store, err);
                } catch (IOException | IllegalArgumentException e) {
                    err.printf("afs evidence verify: %s%n", e.getMessage());
                    err.flush();
                    return ExitCodes.CHECK_FAILED;
                }
                List<String> ids;
                if (paths.isEmpty()) {
                    try {
                        ids = store.idsOrThrow();
                    } catch (IOException e) {
                        err.printf("afs evidence verify: cannot list the evidence directory %s (%s); run as the user"
                                + " that owns it (root for a mount's evidence) or name snapshots to verify%n", store.dir(), e.getMessage());
                        err.flush();
                        return ExitCodes.CHECK_FAILED;
                    }
                } else {
                    ids = paths.stream().map(Verify::id).toList();
                }
                int failed = 0;
                for (String id : ids) {
                    EvidenceRecord record;
                    try {
                        record = store.read(id);
                    } catch (java.nio.file.NoSuchFileException e) {
                        out.printf("FAILED %s: no such snapshot, or its record is missing (list them: afs evidence ls)%n", id);
                        failed++;
                        continue;
                    } catch (IOException | IllegalArgumentException e) {
                        out.printf("FAILED %s: cannot read its record (%s)%n", id, e.getMessage());
                        failed++;
                        continue;
                    }
                    if (!record.id().equals(EvidenceStore.id(id).orElse(id))) {
                        out.printf("FAILED %s: its record names %s: the record was moved or rewritten%n", id, record.id());
                        failed++;
                        continue;
                    }
                    EvidenceStore.Verification v = store.verify(record, Optional.of(pinned));
                    if (!v.ok()) {
                        out.printf("FAILED %s: %s%n", record.id(), v.problem().get());
                        failed++;
                    }
                }
                out.printf("%d snapshots verified, %d failed%n", ids.size(), failed);
                out.flush();
                return failed == 0 ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
            }
        }

        private PinnedKeys pinned(EvidenceStore store, PrintWriter err) throws IOException {
            if (keys.isEmpty()) {
                CaptureKey local;
                try {
                    local = store.key();
                } catch (IOException e) {
                    throw new IOException("no --key given and this host's capture key cannot be read (" + e.getMessage()
                            + "); pass the mount host's public key: --key <base64url or capture.pub>");
                }
                err.printf("note: checking signatures with this host's own capture key %s, not a pinned one: this proves"
                        + " the content matches what this host signed; whoever can use that key could have re-signed it."
                        + " Pin a key with --key (the harness also checks what was registered)%n", local.keyId());
                err.flush();
                return PinnedKeys.of(local.pinned());
            }
            return pinned(keys);
        }

        /** Keys given as base64url or as files holding it (capture.pub). */
        static PinnedKeys pinned(List<String> keys) throws IOException {
            List<PinnedKey> out = new ArrayList<>();
            for (String k : keys) {
                String text = Files.exists(Path.of(k)) ? Files.readString(Path.of(k)).strip() : k.strip();
                byte[] raw = Keys.fromBase64url(text);
                out.add(new PinnedKey(Keys.keyId(raw), text, Optional.empty()));
            }
            return new PinnedKeys(out);
        }

        /** A path under a mount or /evidence becomes the store's id. */
        static String id(String path) {
            String tree = path.startsWith("/") ? MountedPaths.toTreePath(Path.of(path).normalize().toString()) : path;
            return tree.startsWith("/evidence/") ? tree.substring("/evidence/".length()) : tree;
        }
    }

    @Command(name = "key", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = {"Prints this host's capture key as harness.yaml pins it (creating the key, 0600, if absent).",
                    "Paste the output under evidence.capture_keys in harness.yaml."})
    static final class Key implements Callable<Integer> {

        @Mixin
        ConfigOption config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            try (Afs afs = config.load()) {
                CaptureKey key = afs.evidence().checkAtStart();
                PrintWriter out = spec.commandLine().getOut();
                out.printf("  - {key_id: %s, public_key: %s}%n", key.keyId(), key.publicKey());
                out.flush();
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "migrate", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = {"Copies every snapshot (content, signed record, stats) from one evidence store to another"
                    + " and verifies each where it arrived; safe to run again. Exit 1 when any snapshot failed.",
                    "Example: afs evidence migrate --from dir:/var/lib/afs/evidence --to postgresql://cp:5432/afs"
                            + " --user afs --password-file /etc/afs/evidence.pw --key capture.pub"})
    static final class Migrate implements Callable<Integer> {

        @Option(names = "--from", required = true, paramLabel = "STORE", description = "dir:<path> or postgresql://host:port/db")
        String from;

        @Option(names = "--to", required = true, paramLabel = "STORE", description = "dir:<path> or postgresql://host:port/db")
        String to;

        @Option(names = "--user", paramLabel = "USER", description = "the database user (the owner: the schema is migrated first)")
        String user;

        @Option(names = "--password-file", paramLabel = "FILE", description = "a 0600 file holding the database password")
        Path passwordFile;

        @Option(names = "--key", paramLabel = "PUBLIC_KEY",
                description = "a pinned capture public key (base64url or a file holding it); with any, a snapshot whose"
                        + " signature does not verify under one is not copied")
        List<String> keys = new ArrayList<>();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            dev.aegis.afs.evidence.store.StoreSpec source;
            dev.aegis.afs.evidence.store.StoreSpec target;
            Optional<PinnedKeys> pinned;
            try {
                source = parse(from);
                target = parse(to);
                pinned = keys.isEmpty() ? Optional.empty() : Optional.of(Verify.pinned(keys));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            Path scratch = Files.createTempDirectory("afs-migrate-");
            try (dev.aegis.afs.evidence.store.CaptureStore a = source.open();
                 dev.aegis.afs.evidence.store.CaptureStore b = target.open()) {
                dev.aegis.afs.evidence.store.EvidenceMigration.Summary s =
                        new dev.aegis.afs.evidence.store.EvidenceMigration(a, b, pinned, scratch).run(o -> {
                            if (o.ok()) {
                                out.printf("%s %s%n", o.copied() ? "copied " : "present", o.id());
                            } else {
                                out.printf("FAILED  %s: %s%n", o.id(), o.problem().orElseThrow());
                            }
                        });
                out.printf("%d copied, %d already there, %d failed (%s -> %s)%n", s.copied(), s.present(), s.failed(),
                        a.describe(), b.describe());
                out.flush();
                return s.failed() == 0 ? ExitCodes.OK : 1;
            } catch (IOException e) {
                err.printf("afs evidence migrate: %s%n", e.getMessage());
                err.flush();
                return 1;
            } finally {
                Files.deleteIfExists(scratch);
            }
        }

        private dev.aegis.afs.evidence.store.StoreSpec parse(String text) {
            Path local = Path.of(".").toAbsolutePath().normalize();
            return dev.aegis.afs.evidence.store.StoreSpec.parse(text, local, Optional.ofNullable(user),
                    Optional.ofNullable(passwordFile).map(p -> p.toAbsolutePath().normalize()));
        }
    }
}
