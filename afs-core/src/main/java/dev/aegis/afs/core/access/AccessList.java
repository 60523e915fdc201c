package dev.aegis.afs.core.access;

import dev.aegis.afs.core.config.ConfigNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who may do one thing in one env. One syntax everywhere ({@code access.read},
 * {@code changes.proposers}, {@code changes.approvers}, the top-level {@code agents:}):
 * {@code uid:1000}, {@code user:alice}, {@code gid:2000}, {@code group:payments-oncall},
 * {@code token:payments-agent}, {@code web-user:alice@example.com}, {@code web-group:sre}, or
 * {@code "*"} for everyone. The older map form
 * {@code {uids: [...], users: [...], gids: [...], groups: [...], tokens: [...]}} means the same.
 * {@code user:} and {@code group:} names are resolved when the configuration loads, so a typo is
 * a configuration error, not a silent deny; they match a unix principal by number and a web
 * principal by name. {@code web-user:} and {@code web-group:} name the users and groups of an
 * authenticating proxy that have no account on this machine (not checked against NSS); they match by name.
 */
public record AccessList(Set<Integer> uids, Set<String> users, Set<Integer> gids, Set<String> groups,
                         Set<String> tokens, boolean everyone, List<String> written) {

    public static final AccessList NOBODY = new AccessList(Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), false, List.of());

    private static final Map<String, String> OLD_FORM = Map.of("uids", "uid", "users", "user", "gids", "gid",
            "groups", "group", "tokens", "token");

    public AccessList {
        uids = Set.copyOf(uids);
        users = Set.copyOf(users);
        gids = Set.copyOf(gids);
        groups = Set.copyOf(groups);
        tokens = Set.copyOf(tokens);
        written = List.copyOf(written);
    }

    public static AccessList parse(ConfigNode node, UnixAccounts accounts) {
        Builder b = new Builder(accounts);
        if (node.isMap()) {
            node.allowOnly(OLD_FORM.keySet());
            node.entries().forEach((key, value) -> {
                for (ConfigNode item : items(value)) {
                    b.add(item, OLD_FORM.get(key) + ":" + item.asString().trim());
                }
            });
        } else {
            for (ConfigNode item : items(node)) {
                b.add(item, item.asString().trim());
            }
        }
        return b.build();
    }

    private static List<ConfigNode> items(ConfigNode node) {
        return node.kind() == ConfigNode.Kind.LIST ? node.items() : List.of(node);
    }

    private static final class Builder {
        private final UnixAccounts accounts;
        private final Set<Integer> uids = new HashSet<>();
        private final Set<String> users = new HashSet<>();
        private final Set<Integer> gids = new HashSet<>();
        private final Set<String> groups = new HashSet<>();
        private final Set<String> tokens = new HashSet<>();
        private final List<String> written = new ArrayList<>();
        private boolean everyone;

        Builder(UnixAccounts accounts) {
            this.accounts = accounts;
        }

        void add(ConfigNode item, String entry) {
            written.add(entry);
            int colon = entry.indexOf(':');
            String kind = colon < 0 ? entry : entry.substring(0, colon);
            String value = colon < 0 ? "" : entry.substring(colon + 1);
            switch (kind) {
                case "*" -> everyone = true;
                case "uid" -> uids.add(number(item, value));
                case "gid" -> gids.add(number(item, value));
                case "user" -> {
                    uids.add(accounts.uid(value).orElseThrow(() -> item.error("no user '" + value
                            + "' on this machine (see /etc/passwd); use uid:<number> for users that exist only in containers")));
                    users.add(value);
                }
                case "group" -> {
                    gids.add(accounts.gid(value).orElseThrow(() -> item.error("no group '" + value
                            + "' on this machine (see /etc/group); use gid:<number> instead")));
                    groups.add(value);
                }
                case "web-user" -> users.add(webName(item, value));
                case "web-group" -> groups.add(webName(item, value));
                case "token" -> {
                    if (!value.matches("[a-z0-9][a-z0-9_.-]{0,62}")) {
                        throw item.error("'" + value + "' is not a token name; write token:<name> with a name from the"
                                + " top-level tokens: in namespaces.yaml");
                    }
                    tokens.add(value);
                }
                default -> throw item.error("'" + entry + "' is not an access entry; write uid:1000, user:alice, gid:2000, "
                        + "group:oncall, token:payments-agent, web-user:alice@example.com, web-group:sre or \"*\"");
            }
        }

        AccessList build() {
            return new AccessList(uids, users, gids, groups, tokens, everyone, written);
        }
    }

    private static String webName(ConfigNode item, String value) {
        if (value.isBlank() || value.length() > 256 || !value.chars().allMatch(c -> c > 0x20 && c != 0x7f && c != ',')) {
            throw item.error("'" + value + "' is not a web user or group name; write the name the proxy sends, "
                    + "e.g. web-user:alice@example.com (no spaces or commas)");
        }
        return value;
    }

    private static int number(ConfigNode item, String value) {
        if (!value.matches("\\d{1,9}")) {
            throw item.error("'" + value + "' is not a number; write e.g. uid:1000");
        }
        return Integer.parseInt(value);
    }

    /** Whether the list names nobody at all. */
    public boolean isEmpty() {
        return !everyone && uids.isEmpty() && gids.isEmpty() && tokens.isEmpty() && users.isEmpty() && groups.isEmpty();
    }

    public boolean allows(Principal p) {
        if (everyone) {
            return true;
        }
        return switch (p.kind()) {
            case UNIX -> uids.contains(p.uid().getAsInt()) || p.gids().stream().anyMatch(gids::contains);
            case WEB -> users.contains(p.name()) || p.groups().stream().anyMatch(groups::contains);
            case TOKEN -> tokens.contains(p.name()) || p.groups().stream().anyMatch(groups::contains);
            case AGENT -> false;
        };
    }

    @Override
    public String toString() {
        return written.isEmpty() ? "nobody" : String.join(", ", written);
    }
}
