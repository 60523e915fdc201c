package dev.aegis.afs.cli.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aegis.afs.cli.ExitCodes;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.harness.Harness;
import dev.aegis.afs.harness.HarnessConfig;
import dev.aegis.afs.harness.LedgerVerifier;
import dev.aegis.afs.harness.SigningKey;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code afs ledger verify|show}: the harness's signed, hash-chained ledger. */
@Command(name = "ledger", mixinStandardHelpOptions = true,
        description = "Verifies and shows the harness ledger.",
        subcommands = {LedgerCommand.Verify.class, LedgerCommand.Show.class})
public final class LedgerCommand implements Runnable {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a subcommand: afs ledger verify | show");
    }

    /** The ledger file: --ledger, else data_dir of --config, else $AFS_HARNESS_LEDGER. */
    static Path ledgerPath(CommandSpec spec, Path ledger, Path config) {
        if (ledger != null) {
            return ledger.toAbsolutePath().normalize();
        }
        if (config != null) {
            return Harness.ledgerPath(HarnessConfig.read(config.toAbsolutePath().normalize()).dataDir());
        }
        String env = System.getenv("AFS_HARNESS_LEDGER");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        throw new ParameterException(spec.commandLine(), "say which ledger: --ledger PATH or --config harness.yaml");
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Checks every entry's hash, Ed25519 signature, sequence and link, and the signed checkpoint: "
                    + "a changed, deleted, reordered or truncated entry is found and the first bad one named.",
                    "Exit 0 when intact, 1 when not."})
    static final class Verify implements Callable<Integer> {
        @Option(names = "--ledger", paramLabel = "PATH", description = "the ledger file (ledger.jsonl in the harness data_dir)")
        Path ledger;

        @Option(names = "--config", paramLabel = "FILE", description = "the harness config, to find the ledger in its data_dir")
        Path config;

        @Option(names = "--public-key", paramLabel = "KEY",
                description = "the pinned ledger public key (base64url or hex), or a file holding it; default: ledger.public_key "
                        + "of --config. Never read from beside the ledger: whoever can rewrite the ledger can rewrite that too")
        String publicKey;

        @Option(names = "--witness", paramLabel = "URL",
                description = "the afs witness holding the newest checkpoint (default: ledger.witness of --config); the ledger "
                        + "must reach it, so truncating both the ledger and its local checkpoint is found")
        java.net.URI witness;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Path file = ledgerPath(spec, ledger, config);
            HarnessConfig.LedgerSettings pinned = config == null ? HarnessConfig.LedgerSettings.NONE
                    : HarnessConfig.read(config.toAbsolutePath().normalize()).ledger();
            String key;
            if (publicKey != null) {
                String written = publicKey;
                if (SigningKey.publicKeyHex(written).isEmpty() && Files.isRegularFile(Path.of(written))) {
                    written = Files.readString(Path.of(written), StandardCharsets.US_ASCII).trim();
                }
                String w = written;
                key = SigningKey.publicKeyHex(w).orElseThrow(() -> new ParameterException(spec.commandLine(), "--public-key: '"
                        + publicKey + "' is neither an Ed25519 public key (base64url or hex) nor a file holding one"));
            } else {
                key = pinned.publicKeyHex().orElseThrow(() -> new ParameterException(spec.commandLine(), "pin the ledger key: "
                        + "--public-key KEY (printed by afs harness at start) or ledger.public_key in the harness config"));
            }
            java.util.Optional<java.net.URI> witnessUrl = java.util.Optional.ofNullable(witness).or(pinned::witness);
            java.util.Optional<dev.aegis.afs.harness.LedgerCheckpoint> witnessed = java.util.Optional.empty();
            if (witnessUrl.isPresent()) {
                try {
                    witnessed = dev.aegis.afs.harness.LedgerWitness.latest(witnessUrl.get());
                } catch (java.io.IOException e) {
                    throw new AfsException(AfsError.UNAVAILABLE, "the witness at " + witnessUrl.get() + " cannot be asked ("
                            + e.getMessage() + "); start it with afs witness, or verify without --witness knowing that a "
                            + "ledger truncated together with its checkpoint then goes unnoticed");
                }
            }
            LedgerVerifier.Result r;
            try {
                r = LedgerVerifier.verify(file, key, witnessed);
            } catch (NoSuchFileException e) {
                throw new AfsException(AfsError.NOT_FOUND, file + ": no such ledger; pass --ledger PATH");
            }
            PrintWriter out = spec.commandLine().getOut();
            if (r.ok()) {
                out.println("ledger " + file + ": intact, " + r.entries() + " entries"
                        + (witnessed.isPresent() ? " (reaches the witnessed checkpoint of " + witnessed.get().count() + ")" : ""));
                out.flush();
                return ExitCodes.OK;
            }
            out.println("ledger " + file + ": NOT intact: first bad entry " + r.firstBad().orElse(0L) + ": "
                    + r.problem().orElseThrow());
            out.flush();
            return ExitCodes.CHECK_FAILED;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Prints ledger entries, one per line: seq, time, request, event, actor, detail. "
                    + "Reads the running harness, or a file with --ledger.")
    static final class Show implements Callable<Integer> {
        @Option(names = "--ledger", paramLabel = "PATH", description = "read this file instead of asking the harness")
        Path ledger;

        @Option(names = "--from", defaultValue = "1", description = "first entry (default ${DEFAULT-VALUE})")
        long from;

        @Option(names = "--limit", defaultValue = "1000", description = "at most this many (default ${DEFAULT-VALUE})")
        int limit;

        @Mixin
        HarnessUrl harness;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            List<JsonNode> entries = new ArrayList<>();
            if (ledger != null) {
                try (BufferedReader r = Files.newBufferedReader(ledger, StandardCharsets.UTF_8)) {
                    long n = 0;
                    for (String line; (line = r.readLine()) != null && entries.size() < limit; ) {
                        if (++n >= from) {
                            entries.add(JSON.readTree(line));
                        }
                    }
                }
            } else {
                entries.addAll(harness.client().ledger(Math.max(1, from), Math.max(1, limit), Caller.self()));
            }
            PrintWriter out = spec.commandLine().getOut();
            for (JsonNode e : entries) {
                out.printf("%d\t%s\t%s\t%s\t%s\t%s%n", e.path("seq").asLong(), e.path("at").asText(),
                        e.path("request").asText(), e.path("event").asText(), e.path("actor").asText(), e.path("detail"));
            }
            out.flush();
            return ExitCodes.OK;
        }
    }
}
