package dev.aegis.afs.bench;

import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.aegis.afs.intent.Action;
import dev.aegis.afs.intent.Intent;
import dev.aegis.afs.intent.IntentKeyStore;
import dev.aegis.afs.intent.IntentSigner;
import dev.aegis.afs.intent.IntentVerifier;
import dev.aegis.afs.intent.Jwks;
import dev.aegis.afs.intent.KeyFile;
import dev.aegis.afs.intent.ReplayCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of one intent: signing (control plane, per lease) and verifying (agent, per task:
 * JWS parse, the key's certificate under the pinned root, the intent's signature, the claims,
 * the replay check). {@code verify} uses an in-memory replay guard to show the crypto alone;
 * {@code verifyWithReplayCache} adds the agent's real on-disk cache, one fsync per intent.
 *
 * <pre>java -jar bench/target/benchmarks.jar IntentBenchmark -wi 2 -i 3 -f 1</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class IntentBenchmark {

    private static final int BATCH = 2_000;

    private Path dir;
    private IntentSigner signer;
    private IntentVerifier verifier;
    private IntentVerifier fileVerifier;
    private ReplayCache replay;
    private Action action;
    private String[] intents;
    private int next;
    private long seq;
    private volatile Instant batchTime = Instant.now();

    @Setup
    public void setUp() throws Exception {
        SecureRandom random = new SecureRandom();
        dir = Files.createTempDirectory("intent-bench");
        OctetKeyPair root = KeyFile.generate(random);
        IntentKeyStore store = IntentKeyStore.open(dir);
        store.rotate(root, Instant.now().minusSeconds(60), Duration.ofHours(24), Duration.ofHours(1), 1, random);
        signer = new IntentSigner(store, Clock.systemUTC(), random, Duration.ofMinutes(5));
        action = new Action("prod-eu", "cr-7", "a1", "scale", new Action.Target("Deployment", "payments", "api"),
                Map.of("replicas", 4L), Action.Mode.EXECUTE, "ab".repeat(32), "cr-7/a1");
        Jwks jwks = Jwks.parse(Jwks.json(store.published(Instant.now())));
        // the verifier's clock stays at the batch's signing time: under load, signing a batch can
        // take longer than an intent lives, and expiry is not what is measured here
        Clock batchClock = new Clock() {
            @Override
            public Instant instant() {
                return batchTime;
            }

            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        };
        verifier = new IntentVerifier(root, "prod-eu", jwks::certificate, (jti, exp, now) -> true, batchClock,
                IntentVerifier.DEFAULT_SKEW);
        replay = ReplayCache.open(dir.resolve("replay.cache"));
        // the real on-disk cache (append + fsync per intent); a counter keeps the batch's jtis unique when it wraps
        fileVerifier = new IntentVerifier(root, "prod-eu", jwks::certificate,
                (jti, exp, now) -> replay.remember(jti + "." + seq++, exp, now), batchClock, IntentVerifier.DEFAULT_SKEW);
    }

    /** Fresh intents for each iteration: a jti is accepted once. */
    @Setup(Level.Iteration)
    public void signBatch() {
        intents = new String[BATCH];
        for (int i = 0; i < BATCH; i++) {
            intents[i] = signer.sign(action).compact();
        }
        batchTime = Instant.now(); // after the newest iat; the oldest intent still has minutes to live
        next = 0;
    }

    @TearDown
    public void tearDown() throws Exception {
        replay.close();
    }

    @Benchmark
    public Intent sign() {
        return signer.sign(action);
    }

    @Benchmark
    public Intent verify() throws Exception {
        return verifier.verify(intents[next++ % BATCH]);
    }

    @Benchmark
    public Intent verifyWithReplayCache() throws Exception {
        return fileVerifier.verify(intents[next++ % BATCH]);
    }
}
