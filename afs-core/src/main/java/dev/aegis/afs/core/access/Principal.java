package dev.aegis.afs.core.access;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Who did something, as docs/trust-model.md names it: {@code kind:name[@host]}. Each front end
 * proves its own kind (the mount attests a uid with its client token, a bearer token proves a
 * token principal); nothing a client merely claims is believed. Access lists are matched against
 * a principal, never against a bare uid, so every front end decides the same way.
 *
 * @param kind   how the principal was proven
 * @param name   the NSS user name of a unix principal (or its uid as text when it has none), the
 *               proxy's user, the token's or agent's name
 * @param host   the mount host of a unix principal; empty otherwise
 * @param uid    a unix principal's uid
 * @param gids   a unix principal's group ids (primary, supplementary and NSS membership)
 * @param groups group names: NSS names of the gids, the proxy's groups, or the token's configured groups
 * @param agent  an agent: token and agent principals always, unix and web principals when
 *               namespaces.yaml's top-level {@code agents:} names them. Agents never approve.
 */
public record Principal(Kind kind, String name, Optional<String> host, OptionalInt uid, Set<Integer> gids,
                        Set<String> groups, boolean agent) {

    /** How a principal was proven. */
    public enum Kind {
        UNIX, WEB, TOKEN, AGENT;

        public String prefix() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Principal {
        requireNonNull(kind, "kind is null");
        requireNonNull(name, "name is null");
        requireNonNull(host, "host is null");
        requireNonNull(uid, "uid is null");
        gids = Set.copyOf(gids);
        groups = Set.copyOf(groups);
        if (kind == Kind.TOKEN || kind == Kind.AGENT) {
            agent = true; // a credential an agent holds can never stand for a person
        }
        if (kind == Kind.UNIX && uid.isEmpty()) {
            throw new IllegalArgumentException("a unix principal needs a uid");
        }
    }

    /** A mount-attested local user: {@code user} is its NSS name when it has one. */
    public static Principal unix(int uid, Optional<String> user, String host, Set<Integer> gids, Set<String> groups,
                                 boolean agent) {
        return new Principal(Kind.UNIX, user.orElse(Integer.toString(uid)), Optional.of(host), OptionalInt.of(uid), gids,
                groups, agent);
    }

    /** A user an authenticating proxy (or a per-user web token) vouched for. */
    public static Principal web(String user, Set<String> groups, boolean agent) {
        return new Principal(Kind.WEB, user, Optional.empty(), OptionalInt.empty(), Set.of(), groups, agent);
    }

    /** A bearer-token holder: always an agent. */
    public static Principal token(String name, Set<String> groups) {
        return new Principal(Kind.TOKEN, name, Optional.empty(), OptionalInt.empty(), Set.of(), groups, true);
    }

    /** {@code unix:1001@web-3}, {@code token:payments-agent}: what the ledger records as the actor. */
    public String id() {
        String n = kind == Kind.UNIX ? Integer.toString(uid.getAsInt()) : name;
        return kind.prefix() + ":" + n + host.map(h -> "@" + h).orElse("");
    }

    /**
     * The person behind a human principal, for counting approvals: {@code user:<name>} of a
     * unix principal (or {@code uid:<n>} when its uid has no name) or of a web principal. Alice
     * through the mount and through the web page is one person.
     */
    public String person() {
        return switch (kind) {
            case UNIX -> name.equals(Integer.toString(uid.getAsInt())) ? "uid:" + name : "user:" + name;
            case WEB -> "user:" + name;
            case TOKEN, AGENT -> id();
        };
    }

    /** Root on a mount host: it holds the daemon's credentials anyway, so it may read every env. */
    public boolean isRoot() {
        return kind == Kind.UNIX && uid.getAsInt() == 0;
    }

    @Override
    public String toString() {
        return id();
    }
}
