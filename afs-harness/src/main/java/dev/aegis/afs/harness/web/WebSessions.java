package dev.aegis.afs.harness.web;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.core.access.Principal;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Browser sessions, in memory (a harness restart signs everyone out). A session binds a random
 * CSRF token to one principal: every form carries it, and a POST counts only when the form's
 * token is its session's. Behind the proxy the principal is re-read from the proxy's headers on
 * each request and a session of another principal is not used; a token login keeps its
 * principal in the session.
 */
final class WebSessions {

    static final Duration LIFETIME = Duration.ofHours(8);

    /** One session: its id (the cookie), CSRF token, principal and whether a token login made it. */
    record Session(String id, String csrf, Principal principal, boolean tokenLogin, Instant expires) {
        Session {
            requireNonNull(id, "id is null");
            requireNonNull(csrf, "csrf is null");
            requireNonNull(principal, "principal is null");
        }

        /** The form's token is this session's (constant time). */
        boolean csrfMatches(String presented) {
            return presented != null && MessageDigest.isEqual(WebIdentity.sha256(csrf), WebIdentity.sha256(presented));
        }
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;

    WebSessions(Clock clock) {
        this.clock = requireNonNull(clock, "clock is null");
    }

    Session create(Principal p, boolean tokenLogin) {
        sweep();
        Session s = new Session(token(), token(), p, tokenLogin, clock.instant().plus(LIFETIME));
        sessions.put(s.id(), s);
        return s;
    }

    Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Session s = sessions.get(id);
        if (s == null || !clock.instant().isBefore(s.expires())) {
            return Optional.empty();
        }
        return Optional.of(s);
    }

    void end(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    private void sweep() {
        Instant now = clock.instant();
        sessions.values().removeIf(s -> !now.isBefore(s.expires()));
    }

    private String token() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
