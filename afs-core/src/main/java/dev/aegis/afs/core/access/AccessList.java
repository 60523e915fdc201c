package dev.aegis.afs.core.access;

import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.config.ConfigNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Who may do one thing in one env: entries {@code uid:1000}, {@code user:alice},
 * {@code gid:2000}, {@code group:payments-oncall}, {@code token:payments-agent} (a bearer token of
 * {@code afs mcp}), or {@code "*"} for everyone. Names are
 * resolved when the configuration loads, so a typo is a configuration error, not a silent deny.
 */
public record AccessList(Set<Integer> uids, Set<Integer> gids, boolean everyone, List<String> written) {

    public static final AccessList NOBODY = new AccessList(Set.of(), Set.of(), false, List.of());

    public AccessList {
        uids = Set.copyOf(uids);
        gids = Set.copyOf(gids);
        written = List.copyOf(written);
    }

    public static AccessList parse(ConfigNode node, UnixAccounts accounts) {
        Set<Integer> uids = new HashSet<>();
        Set<Integer> gids = new HashSet<>();
        boolean everyone = false;
        List<String> written = new ArrayList<>();
        List<ConfigNode> items = node.kind() == ConfigNode.Kind.LIST ? node.items() : List.of(node);
        for (ConfigNode item : items) {
            String entry = item.asString().trim();
            written.add(entry);
            int colon = entry.indexOf(':');
            String kind = colon < 0 ? entry : entry.substring(0, colon);
            String value = colon < 0 ? "" : entry.substring(colon + 1);
            switch (kind) {
                case "*" -> everyone = true;
                case "uid" -> uids.add(number(item, value));
                case "gid" -> gids.add(number(item, value));
                case "user" -> uids.add(accounts.uid(value).orElseThrow(() -> item.error("no user '" + value
                        + "' on this machine (see /etc/passwd); use uid:<number> for users that exist only in containers")));
                case "group" -> gids.add(accounts.gid(value).orElseThrow(() -> item.error("no group '" + value
                        + "' on this machine (see /etc/group); use gid:<number> instead")));
                // a bearer-token principal (afs mcp over HTTP): never matches a uid; the MCP server
                // matches it against the written entries
                case "token" -> {
                    if (!value.matches("[a-z0-9][a-z0-9_.-]{0,62}")) {
                        throw item.error("'" + value + "' is not a token name; write token:<name> with a name from tokens: in namespaces.yaml");
                    }
                }
                default -> throw item.error("'" + entry + "' is not an access entry; write uid:1000, user:alice, gid:2000, group:oncall, token:agent or \"*\"");
            }
        }
        return new AccessList(uids, gids, everyone, written);
    }

    private static int number(ConfigNode item, String value) {
        if (!value.matches("\\d{1,9}")) {
            throw item.error("'" + value + "' is not a number; write e.g. uid:1000");
        }
        return Integer.parseInt(value);
    }

    public boolean allows(Caller caller, Set<Integer> callerGroups) {
        if (everyone || uids.contains(caller.uid())) {
            return true;
        }
        for (int g : callerGroups) {
            if (gids.contains(g)) {
                return true;
            }
        }
        return false;
    }
}
