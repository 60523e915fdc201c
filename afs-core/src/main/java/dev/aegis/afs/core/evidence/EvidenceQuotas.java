package dev.aegis.afs.core.evidence;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How much evidence each caller (uid) and each env may create per hour: snapshots and bytes,
 * over a sliding hour. Asked before a read runs ({@link #admit}) and told its size after
 * ({@link #charge}); a read that reuses a cached snapshot costs nothing. A caller or env over
 * its quota gets EDQUOT with the numbers and when it frees up; every other caller and env stays
 * readable, so one reader with many distinct queries cannot fill the evidence directory for all.
 *
 * <p>A follow ({@code tail -f}) records a segment every {@code follow.flush}; it counts as one
 * snapshot, at its first segment, and its later segments charge their bytes only
 * ({@link #admitSegment}, {@link #chargeSegment}). Otherwise a busy stream followed for a few
 * minutes would use up the caller's hourly snapshot count by itself.
 */
public final class EvidenceQuotas {

    /** Limits per sliding hour; 0 means unlimited. */
    public record Limits(long snapshotsPerHour, long bytesPerHour) {
        public Limits {
            if (snapshotsPerHour < 0 || bytesPerHour < 0) {
                throw new IllegalArgumentException("quota limits must be 0 (unlimited) or more");
            }
        }

        @Override
        public String toString() {
            return (snapshotsPerHour == 0 ? "unlimited" : snapshotsPerHour) + " snapshots and "
                    + (bytesPerHour == 0 ? "unlimited" : bytesPerHour) + " bytes per hour";
        }
    }

    /** No limits (defaults live with the config: {@code Namespaces.Limits}). */    public static final EvidenceQuotas UNLIMITED = new EvidenceQuotas(new Limits(0, 0), new Limits(0, 0), Clock.systemUTC());

    private static final Duration HOUR = Duration.ofHours(1);

    private record Use(Instant at, long bytes, boolean snapshot) {
    }

    /** One principal's uses in the last hour. */
    private static final class Account {
        final Deque<Use> uses = new ArrayDeque<>();
        long bytes;
        long snapshots;

        synchronized void trim(Instant now) {
            Instant from = now.minus(HOUR);
            while (!uses.isEmpty() && !uses.peekFirst().at().isAfter(from)) {
                Use old = uses.removeFirst();
                bytes -= old.bytes();
                snapshots -= old.snapshot() ? 1 : 0;
            }
        }

        /** When the oldest use leaves the sliding hour. */
        Instant free(Instant now) {
            return uses.isEmpty() ? now : uses.peekFirst().at().plus(HOUR);
        }
    }

    private final Limits perCaller;
    private final Limits perEnv;
    private final Clock clock;
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();

    public EvidenceQuotas(Limits perCaller, Limits perEnv, Clock clock) {
        this.perCaller = Objects.requireNonNull(perCaller, "perCaller is null");
        this.perEnv = Objects.requireNonNull(perEnv, "perEnv is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
    }

    /**
     * @param env {@code team/env}, or empty for reads outside /teams (charged to the caller only)
     * @throws AfsException QUOTA_EXCEEDED naming whose quota, the numbers and the fix
     */
    public void admit(Caller caller, String env) throws AfsException {
        admit(caller, env, true);
    }

    /** Records a snapshot of {@code bytes} created for {@code caller} in {@code env}. */
    public void charge(Caller caller, String env, long bytes) {
        charge(caller, env, bytes, true);
    }

    /** Asks for a follow's next segment: only the byte quotas apply (the follow was counted once). */
    public void admitSegment(Caller caller, String env) throws AfsException {
        admit(caller, env, false);
    }

    /** Records a follow's later segment: its bytes, not another snapshot. */
    public void chargeSegment(Caller caller, String env, long bytes) {
        charge(caller, env, bytes, false);
    }

    private void admit(Caller caller, String env, boolean snapshot) throws AfsException {
        Instant now = clock.instant();
        check("uid " + caller.uid(), account("uid:" + caller.uid()), perCaller, now, "per_caller", snapshot);
        if (!env.isEmpty()) {
            check("env " + env, account("env:" + env), perEnv, now, "per_env", snapshot);
        }
    }

    private void charge(Caller caller, String env, long bytes, boolean snapshot) {
        Instant now = clock.instant();
        add(account("uid:" + caller.uid()), now, bytes, snapshot);
        if (!env.isEmpty()) {
            add(account("env:" + env), now, bytes, snapshot);
        }
    }

    private void check(String who, Account a, Limits limits, Instant now, String key, boolean snapshot)
            throws AfsException {
        synchronized (a) {
            a.trim(now);
            boolean snapshots = snapshot && limits.snapshotsPerHour() > 0 && a.snapshots >= limits.snapshotsPerHour();
            boolean bytes = limits.bytesPerHour() > 0 && a.bytes >= limits.bytesPerHour();
            if (snapshots || bytes) {
                Instant free = a.free(now);
                throw new AfsException(AfsError.QUOTA_EXCEEDED, who + " is over its evidence quota: "
                        + a.snapshots + " snapshots and " + a.bytes + " bytes in the last hour (limit " + limits
                        + "); reuse earlier reads (the same path within cache_ttl is free), narrow queries, wait until "
                        + free + ", or raise quotas." + key + " in namespaces.yaml");
            }
        }
    }

    private static void add(Account a, Instant now, long bytes, boolean snapshot) {
        synchronized (a) {
            a.trim(now);
            a.uses.addLast(new Use(now, bytes, snapshot));
            a.bytes += bytes;
            a.snapshots += snapshot ? 1 : 0;
        }
    }

    private Account account(String key) {
        return accounts.computeIfAbsent(key, k -> new Account());
    }

    /** The use of the last hour, for /.afs/status: {@code uid 1000: 3 snapshots, 4096 bytes}. */
    public Map<String, String> usage(Caller caller, Iterable<String> envs) {
        Instant now = clock.instant();
        Map<String, String> out = new TreeMap<>();
        out.put("uid " + caller.uid(), describe(accounts.get("uid:" + caller.uid()), perCaller, now));
        for (String env : envs) {
            out.put("env " + env, describe(accounts.get("env:" + env), perEnv, now));
        }
        return out;
    }

    private static String describe(Account a, Limits limits, Instant now) {
        long snapshots = 0;
        long bytes = 0;
        if (a != null) {
            synchronized (a) {
                a.trim(now);
                snapshots = a.snapshots;
                bytes = a.bytes;
            }
        }
        return snapshots + " snapshots, " + bytes + " bytes in the last hour (limit " + limits + ")";
    }

    public Limits perCaller() {
        return perCaller;
    }

    public Limits perEnv() {
        return perEnv;
    }
}
