package dev.aegis.afs.cli.agent;

import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.aegis.afs.core.config.ConfigException;
import dev.aegis.afs.intent.IntentKeyStore;
import dev.aegis.afs.intent.KeyFile;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code afs keys init-root | rotate}: the intent root key and the online keys it certifies. */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = {"Manages the intent-signing keys (docs/trust-model.md): an offline root key that certifies "
                + "online keys, which the control plane uses to sign intents for cluster agents."},
        subcommands = {KeysCommand.InitRoot.class, KeysCommand.Rotate.class})
public final class KeysCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a subcommand: afs keys init-root | rotate");
    }

    @Command(name = "init-root", mixinStandardHelpOptions = true,
            description = {"Creates the intent root key (Ed25519, file mode 0600) and prints its public key, which every "
                    + "agent pins as root_public_key in agent.yaml.",
                    "Keep the file offline; bring it back only for afs keys rotate."})
    static final class InitRoot implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "FILE", description = "where to write the private root key (must not exist)")
        Path out;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            OctetKeyPair root = KeyFile.generate(new SecureRandom());
            try {
                KeyFile.write(out, root);
            } catch (FileAlreadyExistsException e) {
                throw new ConfigException(out + " already exists; a root key is never overwritten (move it away first"
                        + " if you really mean to replace the root, and re-pin every agent)");
            }
            spec.commandLine().getErr().println("root key " + root.getKeyID() + " written to " + out
                    + " (0600); keep it offline. Pin its public key in every agent.yaml as root_public_key:");
            spec.commandLine().getErr().flush();
            PrintWriter o = spec.commandLine().getOut();
            o.println(root.getX());
            o.flush();
            return 0;
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = {"Certifies new online intent keys with the root key and stores them in DIR/intent-keys/ "
                    + "(the harness data_dir). Key i may sign from START + i*PERIOD; its certificate runs one PERIOD "
                    + "plus OVERLAP, so intents signed just before a switch stay valid. --count 7 lets the root stay "
                    + "offline for a week. Keys whose certificates have ended are deleted.",
                    "Prints one line per new key: kid, not_before, not_after."})
    static final class Rotate implements Callable<Integer> {
        private static final Pattern DURATION = Pattern.compile("(\\d+)(s|m|h|d)");

        @Option(names = "--root", required = true, paramLabel = "FILE", description = "the root key made by afs keys init-root")
        Path root;

        @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "the control plane's data_dir")
        Path dataDir;

        @Option(names = "--period", defaultValue = "24h", paramLabel = "DURATION",
                description = "how long each key signs (default ${DEFAULT-VALUE})")
        String period;

        @Option(names = "--overlap", defaultValue = "1h", paramLabel = "DURATION",
                description = "how long a certificate outlives its period, at least the longest intent lifetime (default ${DEFAULT-VALUE})")
        String overlap;

        @Option(names = "--count", defaultValue = "1", paramLabel = "N", description = "how many consecutive periods to certify (default ${DEFAULT-VALUE})")
        int count;

        @Option(names = "--start", paramLabel = "INSTANT", description = "when the first new key may sign (ISO-8601; default now)")
        String start;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (count < 1 || count > 366) {
                throw new ConfigException("--count " + count + " must be from 1 to 366");
            }
            Instant from;
            try {
                from = start == null ? Instant.now() : Instant.parse(start);
            } catch (DateTimeParseException e) {
                throw new ConfigException("--start '" + start + "' is not an ISO-8601 instant such as 2026-12-02T00:00:00Z");
            }
            OctetKeyPair rootKey = KeyFile.read(root);
            IntentKeyStore store = IntentKeyStore.open(dataDir);
            List<IntentKeyStore.CertifiedKey> made = store.rotate(rootKey, from, duration("--period", period),
                    duration("--overlap", overlap), count, new SecureRandom());
            int pruned = store.prune(Instant.now());
            PrintWriter o = spec.commandLine().getOut();
            for (IntentKeyStore.CertifiedKey k : made) {
                o.println(k.certificate().keyId() + "  " + k.certificate().notBefore() + "  " + k.certificate().notAfter());
            }
            o.flush();
            spec.commandLine().getErr().println(made.size() + " key(s) certified by root " + rootKey.getKeyID() + " in "
                    + store.dir() + (pruned > 0 ? "; " + pruned + " ended key(s) deleted" : ""));
            spec.commandLine().getErr().flush();
            return 0;
        }

        static Duration duration(String option, String text) {
            Matcher m = DURATION.matcher(text);
            if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
                throw new ConfigException(option + " '" + text + "' is not a positive duration; write e.g. 30m, 24h or 7d");
            }
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
    }
}
