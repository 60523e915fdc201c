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

    private record Use(Instant at, long bytes) {
    }

    /** One principal's uses in the last hour. */
    private static final class Account {
        final Deque<Use> uses = new ArrayDeque<>();
        long bytes;

        synchronized void trim(Instant now) {
            Instant from = now.minus(HOUR);
            while (!uses.isEmpty() && !uses.peekFirst().at().isAfter(from)) {
                bytes -= uses.removeFirst().bytes();
            }
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
        Instant now = clock.instant();
        check("uid " + caller.uid(), account("uid:" + caller.uid()), perCaller, now,
                "per_caller");
        if (!env.isEmpty()) {
            check("env " + env, account("env:" + env), perEnv, now, "per_env");
        }
    }

    /** Records a snapshot of {@code bytes} created for {@code caller} in {@code env}. */
    public void charge(Caller caller, String env, long bytes) {
        Instant now = clock.instant();
        add(account("uid:" + caller.uid()), now, bytes);
        if (!env.isEmpty()) {
            add(account("env:" + env), now, bytes);
        }
    }

    private void check(String who, Account a, Limits limits, Instant now, String key) throws AfsException {
        synchronized (a) {
            a.trim(now);
            boolean snapshots = limits.snapshotsPerHour() > 0 && a.uses.size() >= limits.snapshotsPerHour();
            boolean bytes = limits.bytesPerHour() > 0 && a.bytes >= limits.bytesPerHour();
            if (snapshots || bytes) {
                Instant free = a.uses.isEmpty() ? now : a.uses.peekFirst().at().plus(HOUR);
                throw new AfsException(AfsError.QUOTA_EXCEEDED, who + " is over its evidence quota: "
                        + a.uses.size() + " snapshots and " + a.bytes + " bytes in the last hour (limit " + limits
                        + "); reuse earlier reads (the same path within cache_ttl is free), narrow queries, wait until "
                        + free + ", or raise quotas." + key + " in namespaces.yaml");
            }
        }
    }

    private static void add(Account a, Instant now, long bytes) {
        synchronized (a) {
            a.trim(now);
            a.uses.addLast(new Use(now, bytes));
            a.bytes += bytes;
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
                snapshots = a.uses.size();
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
