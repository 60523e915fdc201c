package dev.aegis.afs.core.evidence;

import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.metrics.MountMetrics;
import dev.aegis.afs.core.redact.RedactionPolicy;
import dev.aegis.afs.core.redact.Redactor;
import dev.aegis.afs.query.local.ReadDeadline;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * {@link Captures} over an {@link EvidenceStore}: one backend query per path per TTL however
 * many readers, and each caller's newest snapshot per path.
 */
public final class EvidenceCaptures implements Captures {

    private record Cached(EvidenceRecord record, Instant until) {
    }

    private final EvidenceStore store;
    private final Clock clock;
    private final RedactionPolicy redaction;
    private final MountMetrics metrics;
    private final Function<String, String> backendOf;
    private final EvidenceQuotas quotas;
    private final Duration readBudget;
    private final Map<String, CompletableFuture<EvidenceRecord>> inFlight = new ConcurrentHashMap<>();
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final Map<String, EvidenceRecord> newest = new ConcurrentHashMap<>();

    /**
     * Entries kept in each map. Every distinct query is its own path, so a long-running daemon
     * must forget: expired cache entries go first, then the newest-read map starts over (a
     * forgotten user.afs.evidence answers "no such attribute"; the snapshot itself stays).
     */
    static final int KEPT = 10_000;

    /** How long one read may run when namespaces.yaml sets no {@code limits.read_time}. */
    public static final Duration DEFAULT_READ_BUDGET = Duration.ofSeconds(30);

    public EvidenceCaptures(EvidenceStore store, Clock clock, RedactionPolicy redaction) {
        this(store, clock, redaction, new MountMetrics(), path -> "unknown");
    }

    public EvidenceCaptures(EvidenceStore store, Clock clock, RedactionPolicy redaction, MountMetrics metrics,
                            Function<String, String> backendOf) {
        this(store, clock, redaction, metrics, backendOf, EvidenceQuotas.UNLIMITED, DEFAULT_READ_BUDGET);
    }

    /**
     * @param metrics   counts backend reads, cache hits, snapshots and redactions
     * @param backendOf the configured backend name that serves a tree path (a metric label)
     * @param quotas     evidence per caller and env per hour, asked before each new snapshot
     * @param readBudget how long one read may run; checked inside scans, matches and backend lines
     */
    public EvidenceCaptures(EvidenceStore store, Clock clock, RedactionPolicy redaction, MountMetrics metrics,
                            Function<String, String> backendOf, EvidenceQuotas quotas, Duration readBudget) {
        this.store = Objects.requireNonNull(store, "store is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.redaction = Objects.requireNonNull(redaction, "redaction is null");
        this.metrics = Objects.requireNonNull(metrics, "metrics is null");
        this.backendOf = Objects.requireNonNull(backendOf, "backendOf is null");
        this.quotas = Objects.requireNonNull(quotas, "quotas is null");
        this.readBudget = Objects.requireNonNull(readBudget, "readBudget is null");
    }

    public EvidenceQuotas quotas() {
        return quotas;
    }

    @Override
    public EvidenceStore store() {
        return store;
    }

    @Override
    public EvidenceRecord capture(Caller reader, String treePath, long cacheTtlMillis, SnapshotProducer raw)
            throws AfsException {
        Caller caller = store.tagged(reader); // once, before the shared cache is asked: its records name their incident
        SnapshotProducer producer = redacted(treePath, measured(treePath, raw));
        EvidenceRecord record = cacheTtlMillis > 0 ? attributed(shared(caller, treePath, cacheTtlMillis, producer), caller)
                : fresh(caller, treePath, producer);
        remember(caller, treePath, record);
        return record;
    }

    @Override
    public EvidenceRecord captureSegment(Caller reader, String followPath, int segment, SnapshotProducer raw)
            throws AfsException {
        Caller caller = store.tagged(reader);
        if (segment < 1) {
            throw new IllegalArgumentException("segments count from 1, not " + segment);
        }
        String treePath = followPath + "#" + segment;
        SnapshotProducer producer = redacted(treePath, measured(treePath, raw));
        EvidenceRecord record = fresh(caller, treePath, producer, segment == 1);
        remember(caller, treePath, record);
        return record;
    }

    /**
     * A read served from another reader's capture gets a record of its own (same blob, same
     * capture time) so that user.afs.caller always names who read it, and user.afs.incident the
     * incident this reader works under.
     */
    private EvidenceRecord attributed(EvidenceRecord shared, Caller caller) throws AfsException {
        String principal = "unix:" + caller.uid() + "@";
        boolean same = shared.record().caller().principal().startsWith(principal)
                && shared.record().incident().equals(caller.incident());
        return same ? shared : store.recordFor(shared, caller);
    }

    private EvidenceRecord shared(Caller caller, String treePath, long ttl, SnapshotProducer producer) throws AfsException {
        Cached cached = cache.get(treePath);
        if (cached != null && clock.instant().isBefore(cached.until()) && java.nio.file.Files.exists(cached.record().file())) {
            metrics.cacheHit(false);
            return cached.record();
        }
        CompletableFuture<EvidenceRecord> mine = new CompletableFuture<>();
        CompletableFuture<EvidenceRecord> running = inFlight.putIfAbsent(treePath, mine);
        if (running != null) {
            metrics.cacheHit(true);
            return await(running);
        }
        try {
            EvidenceRecord record = fresh(caller, treePath, producer);
            if (cache.size() >= KEPT) {
                Instant now = clock.instant();
                cache.values().removeIf(c -> !now.isBefore(c.until()));
            }
            cache.put(treePath, new Cached(record, clock.instant().plusMillis(ttl)));
            mine.complete(record);
            return record;
        } catch (AfsException | RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(treePath, mine);
        }
    }

    /** A new snapshot: within the caller's and env's quota, and within the read's time budget. */
    private EvidenceRecord fresh(Caller caller, String treePath, SnapshotProducer producer) throws AfsException {
        return fresh(caller, treePath, producer, true);
    }

    /** @param counted whether this snapshot counts against the snapshot quota (a follow's later segments do not) */
    private EvidenceRecord fresh(Caller caller, String treePath, SnapshotProducer producer, boolean counted)
            throws AfsException {
        String env = env(treePath);
        if (counted) {
            quotas.admit(caller, env);
        } else {
            quotas.admitSegment(caller, env);
        }
        EvidenceRecord record;
        try {
            record = ReadDeadline.run(readBudget, System::nanoTime,
                    () -> store.capture(evidenceName(treePath), treePath, caller, producer));
        } catch (ReadDeadline.Exceeded e) {
            throw new AfsException(AfsError.READ_BUDGET_EXCEEDED, treePath + ": " + e.getMessage()
                    + "; narrow the read (a shorter since=, a smaller tail=, a simpler pattern) or raise"
                    + " limits.read_time in namespaces.yaml", e);
        }
        if (counted) {
            quotas.charge(caller, env, record.size());
        } else {
            quotas.chargeSegment(caller, env, record.size());
        }
        metrics.snapshot(record.size());
        return record;
    }

    /** {@code team/env} of a path under /teams, else empty. */
    static String env(String treePath) {
        if (!treePath.startsWith("/teams/")) {
            return "";
        }
        String[] parts = treePath.split("[/?]", 5);
        return parts.length >= 4 ? parts[2] + "/" + parts[3] : "";
    }

    /** Times the backend read and counts its bytes, whether it succeeds or fails. */
    private SnapshotProducer measured(String treePath, SnapshotProducer producer) {
        return out -> {
            String backend = backendOf.apply(treePath);
            java.time.Instant start = clock.instant();
            try {
                CaptureInfo info = producer.produce(out);
                metrics.backendRequest(backend, Duration.between(start, clock.instant()), null);
                metrics.backendBytes(backend, info.stats().bytesReceived());
                return info;
            } catch (AfsException e) {
                metrics.backendRequest(backend, Duration.between(start, clock.instant()), e.error());
                throw e;
            } catch (RuntimeException e) {
                metrics.backendRequest(backend, Duration.between(start, clock.instant()), dev.aegis.afs.core.AfsError.INTERNAL);
                throw e;
            }
        };
    }

    /**
     * Redacts every line before it is stored or served, and counts the markers served. A
     * producer that filters gets the same redactor through {@link SnapshotOutput#redactor()} and
     * writes served lines with {@link SnapshotOutput#servedLine}. Kubernetes YAML is redacted
     * value by value (keys and numbers stay).
     */
    @Override
    public Redactor redactor(String treePath) {
        return redaction.forPath(treePath);
    }

    private SnapshotProducer redacted(String treePath, SnapshotProducer producer) {
        boolean yaml = treePath.split("\\?", 2)[0].endsWith(".yaml") && treePath.contains("/k8s/");
        return out -> {
            Redactor redactor = redaction.forPath(treePath);
            if (redactor.isEmpty()) {
                return producer.produce(out);
            }
            CaptureInfo info = producer.produce(new SnapshotOutput() {
                @Override
                public void line(String text) throws AfsException {
                    servedLine(yaml ? redactor.redactYaml(text) : redactor.redact(text));
                }

                @Override
                public void servedLine(String text) throws AfsException {
                    redactor.countMarkers(text);
                    out.line(text);
                }

                @Override
                public Redactor redactor() {
                    return redactor;
                }

                @Override
                public long lines() {
                    return out.lines();
                }
            });
            Map<String, String> extra = new java.util.LinkedHashMap<>(info.extra());
            metrics.redacted(redactor.counts());
            long total = 0;
            for (Map.Entry<String, Long> e : redactor.counts().entrySet()) {
                extra.put("redacted." + e.getKey(), Long.toString(e.getValue()));
                total += e.getValue();
            }
            extra.put("redacted", Long.toString(total));
            return new CaptureInfo(info.backend(), info.query(), info.truncation(), info.stats(), extra);
        };
    }

    private static EvidenceRecord await(CompletableFuture<EvidenceRecord> running) throws AfsException {
        try {
            return running.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof AfsException a) {
                throw a;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private void remember(Caller caller, String treePath, EvidenceRecord record) {
        if (newest.size() >= KEPT) {
            newest.clear();
        }
        newest.put(caller.uid() + " " + treePath, record);
        int mark = treePath.indexOf('?');
        if (mark > 0) {
            newest.put(caller.uid() + " " + treePath.substring(0, mark), record);
        }
    }

    @Override
    public Optional<EvidenceRecord> newest(Caller caller, String treePath) {
        return Optional.ofNullable(newest.get(caller.uid() + " " + treePath));
    }

    /** {@code /teams/payments/prod/logs/api.log?tail=5} -> {@code payments.prod.logs.api.log}. */
    static String evidenceName(String treePath) {
        String path = treePath.split("[? ]", 2)[0];
        if (path.startsWith("/teams/")) {
            path = path.substring("/teams/".length());
        }
        return path.replace('/', '.').replaceAll("^\\.+", "");
    }
}
