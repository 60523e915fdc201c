package dev.aegis.afs.cli.incident;

import dev.aegis.afs.cli.ExitCodes;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.harness.bundle.BundleArchive;
import dev.aegis.afs.harness.bundle.BundleVerifier;
import dev.aegis.afs.harness.bundle.PinnedBundleKeys;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code afs incident verify FILE --keys PINNED}: checks a bundle offline, on any machine, against
 * keys the verifier pins itself; needs no harness, mount or network.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Checks an evidence bundle offline: every snapshot's sha256 and capture signature, the ledger slice's"
                + " hashes, signatures and links up to its signed checkpoint, each plan against the sha256 the ledger recorded,"
                + " the manifest's signature, and every byte of every file. Only keys you pin are trusted: keys the bundle"
                + " carries are reported, never used. Refuses archives with paths leaving the bundle, links or oversized files.",
                "Exit 0 when everything verified (printed), 1 naming the first problem (file, entry, what failed), 2 on"
                        + " a usage error.",
                "PINNED is YAML in harness.yaml's form (harness.yaml itself works):",
                "  ledger: {public_key: <base64url or hex>}",
                "  evidence: {capture_keys: [{key_id: ..., public_key: ..., not_after: ...}]}"})
public final class VerifyCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "BUNDLE", description = "the tar.gz afs incident export wrote")
    Path bundle;

    @Option(names = "--keys", required = true, paramLabel = "PINNED",
            description = "the keys you trust, obtained apart from the bundle (never the bundle's keys.yaml unchecked)")
    Path keys;

    @Option(names = "--max-file-bytes", paramLabel = "N", defaultValue = "1073741824",
            description = "refuse a file in the bundle larger than this (default ${DEFAULT-VALUE})")
    long maxFileBytes;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(bundle)) {
            throw new AfsException(AfsError.NOT_FOUND, bundle + ": no such bundle; pass the file afs incident export wrote");
        }
        PinnedBundleKeys pinned = PinnedBundleKeys.read(keys);
        PrintWriter out = spec.commandLine().getOut();
        BundleArchive.Limits limits = new BundleArchive.Limits(maxFileBytes, BundleArchive.Limits.DEFAULT.maxTotalBytes(),
                BundleArchive.Limits.DEFAULT.maxEntries());
        BundleVerifier.Report report;
        try (BundleArchive archive = BundleArchive.open(bundle, Path.of(System.getProperty("java.io.tmpdir")), limits)) {
            report = BundleVerifier.verify(archive, pinned);
        } catch (BundleArchive.Refused e) {
            out.println("bundle " + bundle + ": NOT verified: " + e.getMessage());
            out.flush();
            return ExitCodes.CHECK_FAILED;
        }
        report.warnings().forEach(w -> out.println("warning: " + w));
        if (!report.ok()) {
            out.println("bundle " + bundle + ": NOT verified: " + report.problem().orElseThrow());
            if (!report.verified().isEmpty()) {
                out.println("checked before the problem:");
                report.verified().forEach(v -> out.println("  " + v));
            }
            out.flush();
            return ExitCodes.CHECK_FAILED;
        }
        out.println("bundle " + bundle + ": verified");
        report.verified().forEach(v -> out.println("  " + v));
        out.flush();
        return ExitCodes.OK;
    }
}
