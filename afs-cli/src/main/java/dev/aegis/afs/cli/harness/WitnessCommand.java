package dev.aegis.afs.cli.harness;

import dev.aegis.afs.harness.LedgerWitness;
import dev.aegis.afs.harness.SigningKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code afs witness --dir D --public-key K}: keeps the harness's signed ledger checkpoints where the harness cannot rewrite them. */
@Command(name = "witness", mixinStandardHelpOptions = true,
        description = {"Keeps every signed ledger checkpoint the harness sends, in its own directory, and refuses one older "
                + "than (or diverging from) the newest it holds. afs ledger verify --witness URL then finds a ledger "
                + "truncated together with its local checkpoint.",
                "Run it as another user than the harness (ideally on another host): it protects only against whoever "
                        + "cannot write its directory."})
public final class WitnessCommand implements Callable<Integer> {

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "where checkpoints are kept (created 0700)")
    Path dir;

    @Option(names = "--public-key", required = true, paramLabel = "KEY", description = "the harness's ledger public key (base64url or hex)")
    String publicKey;

    @Option(names = "--listen", defaultValue = "127.0.0.1:7782", paramLabel = "HOST:PORT",
            description = "loopback address to listen on (default ${DEFAULT-VALUE}); port 0 picks a free one")
    String listen;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        String key = SigningKey.publicKeyHex(publicKey).orElseThrow(() -> new ParameterException(spec.commandLine(),
                "--public-key: '" + publicKey + "' is not an Ed25519 public key (base64url or hex)"));
        int colon = listen.lastIndexOf(':');
        InetAddress host = InetAddress.getByName(colon < 0 ? listen : listen.substring(0, colon));
        if (colon < 0 || !host.isLoopbackAddress()) {
            throw new ParameterException(spec.commandLine(), "--listen: '" + listen + "' is not a loopback host:port; write e.g. 127.0.0.1:7782");
        }
        LedgerWitness witness = LedgerWitness.start(dir.toAbsolutePath().normalize(), key,
                new InetSocketAddress(host, Integer.parseInt(listen.substring(colon + 1))));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            witness.close();
            stopped.countDown();
        }, "afs-witness-shutdown"));
        spec.commandLine().getOut().println("afs witness listening on " + witness.url() + " (checkpoints in " + dir + ")");
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}
