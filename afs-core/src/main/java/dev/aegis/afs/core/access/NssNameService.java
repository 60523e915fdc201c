package dev.aegis.afs.core.access;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The name service switch through {@code getent passwd|group} and {@code id -G [-n]}: exactly
 * what an administrator checks with the same commands, including LDAP/SSSD accounts and
 * supplementary groups (glibc's {@code initgroups}). Answers, including "no such user", are
 * cached for {@link #DEFAULT_TTL} so a busy mount forks rarely.
 *
 * <p>Why commands and not {@code getpwnam_r}/{@code getgrouplist} through jnr-ffi: the NSS
 * modules (sss, ldap, systemd) then run in a short-lived child, not inside the FUSE daemon, so a
 * hung directory server costs one lookup its {@link #TIMEOUT} instead of pinning a FUSE thread
 * without limit, and a module that crashes or is not fork-safe cannot take the daemon down;
 * there is also no {@code struct passwd} layout or ERANGE buffer loop to get right per libc.
 * A failed or timed-out lookup answers "unknown" (never cached), which denies access.
 */
public final class NssNameService implements NameService {

    /** How long an answer is reused. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(30);
    /** How long one getent or id may take. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private record Cached(Optional<String> output, Instant until) {
    }

    /** Runs a command and returns its stdout on exit 0, empty on exit != 0; null when it could not run. */
    @FunctionalInterface
    interface Runner {
        Optional<String> run(List<String> command);
    }

    private final Runner runner;
    private final Clock clock;
    private final Duration ttl;
    private final Map<List<String>, Cached> cache = new ConcurrentHashMap<>();

    public NssNameService() {
        this(NssNameService::exec, Clock.systemUTC(), DEFAULT_TTL);
    }

    NssNameService(Runner runner, Clock clock, Duration ttl) {
        this.runner = Objects.requireNonNull(runner, "runner is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.ttl = Objects.requireNonNull(ttl, "ttl is null");
    }

    @Override
    public Optional<Integer> uid(String user) {
        return field(ask("getent", "passwd", user), 2);
    }

    @Override
    public Optional<Integer> gid(String group) {
        return field(ask("getent", "group", group), 2);
    }

    @Override
    public Optional<String> group(int gid) {
        return ask("getent", "group", Integer.toString(gid)).map(line -> line.split(":", 2)[0]);
    }

    @Override
    public Optional<String> user(int uid) {
        return ask("getent", "passwd", Integer.toString(uid)).map(line -> line.split(":", 2)[0]);
    }

    @Override
    public Set<Integer> groupIds(String user) {
        Set<Integer> out = new HashSet<>();
        ask("id", "-G", "--", user).ifPresent(text -> {
            for (String g : text.trim().split("\\s+")) {
                if (g.matches("\\d{1,10}")) {
                    out.add(Integer.parseInt(g));
                }
            }
        });
        return out;
    }

    @Override
    public Set<String> groupNames(String user) {
        Set<String> out = new HashSet<>();
        ask("id", "-Gn", "--", user).ifPresent(text -> {
            for (String g : text.trim().split("\\s+")) {
                if (!g.isEmpty()) {
                    out.add(g);
                }
            }
        });
        return out;
    }

    private static Optional<Integer> field(Optional<String> line, int index) {
        return line.flatMap(l -> {
            String[] f = l.split(":", -1);
            return f.length > index && f[index].matches("\\d{1,10}") ? Optional.of(Integer.parseInt(f[index]))
                    : Optional.empty();
        });
    }

    private Optional<String> ask(String... command) {
        for (String arg : command) {
            if (arg.isEmpty() || arg.indexOf('\n') >= 0 || arg.indexOf('\0') >= 0) {
                return Optional.empty();
            }
        }
        List<String> key = List.of(command);
        Instant now = clock.instant();
        Cached hit = cache.get(key);
        if (hit != null && now.isBefore(hit.until())) {
            return hit.output();
        }
        Optional<String> answer = runner.run(key);
        if (answer != null) {
            if (cache.size() > 10_000) {
                cache.clear();
            }
            cache.put(key, new Cached(answer, now.plus(ttl)));
            return answer;
        }
        return Optional.empty(); // could not ask: unknown, and asked again next time
    }

    private static Optional<String> exec(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readNBytes(64 * 1024);
            }
            if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return null;
            }
            // getent: 2 = not found; id: 1 = no such user. Both are answers, cached as "none".
            return p.exitValue() == 0 ? Optional.of(new String(out, StandardCharsets.UTF_8).lines().findFirst()
                    .orElse("")) : Optional.empty();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
