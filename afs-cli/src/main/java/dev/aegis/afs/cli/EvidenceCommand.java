package dev.aegis.afs.cli;

import dev.aegis.afs.core.Afs;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.MountedPaths;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.evidence.EvidenceStore;
import java.io.PrintWriter;
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
        description = "Lists and verifies evidence snapshots.",
        subcommands = {EvidenceCommand.Ls.class, EvidenceCommand.Verify.class})
public final class EvidenceCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a subcommand: afs evidence ls | verify");
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
            description = {"Rehashes snapshots (all, or the given ones) and compares with what was recorded.",
                    "Prints each mismatch with its reason; exits 1 when any fails."})
    static final class Verify implements Callable<Integer> {

        @Mixin
        ConfigOption config;

        @Parameters(arity = "0..*", paramLabel = "PATH",
                description = "snapshot ids (yyyy-MM-dd/...), /evidence/... paths, or paths under a mounted afs")
        List<String> paths = new ArrayList<>();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws AfsException {
            try (Afs afs = config.load()) {
                EvidenceStore store = afs.evidence();
                PrintWriter out = spec.commandLine().getOut();
                List<String> ids = paths.isEmpty() ? store.ids() : paths.stream().map(Verify::id).toList();
                int failed = 0;
                for (String id : ids) {
                    Optional<EvidenceRecord> record = store.find(id);
                    if (record.isEmpty()) {
                        out.printf("FAILED %s: no such snapshot, or its metadata is missing (list them: afs evidence ls)%n", id);
                        failed++;
                        continue;
                    }
                    EvidenceStore.Verification v = store.verify(record.get());
                    if (!v.ok()) {
                        out.printf("FAILED %s: %s%n", record.get().id(), v.problem().get());
                        failed++;
                    }
                }
                out.printf("%d snapshots verified, %d failed%n", ids.size(), failed);
                out.flush();
                return failed == 0 ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
            }
        }

        /** A path under a mount or /evidence becomes the store's id. */
        static String id(String path) {
            String tree = path.startsWith("/") ? MountedPaths.toTreePath(Path.of(path).normalize().toString()) : path;
            return tree.startsWith("/evidence/") ? tree.substring("/evidence/".length()) : tree;
        }
    }
}
