package dev.aegis.afs.mcp;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.config.Namespaces;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which envs a bearer-token principal may read: the env's {@code access.read} list, matched on
 * {@code token:<name>}, {@code group:<name>} (the token's groups from {@code tokens:}) and
 * {@code "*"}. uid and gid entries never match a token. No {@code access:} means root only,
 * so no token. The same list the mount applies to uids: one list per env, two kinds of caller.
 */
final class TokenAccess {

    private final Map<String, List<String>> readers;

    private TokenAccess(Map<String, List<String>> readers) {
        this.readers = Map.copyOf(readers);
    }

    static TokenAccess from(Namespaces config) {
        Map<String, List<String>> out = new HashMap<>();
        config.teams().forEach((team, envs) -> envs.forEach((env, node) -> out.put(team + "/" + env,
                node.get("access").flatMap(a -> a.get("read"))
                        .map(r -> (r.kind() == ConfigNode.Kind.LIST ? r.items() : List.of(r)).stream()
                                .map(i -> i.asString().trim()).toList())
                        .orElse(List.of()))));
        return new TokenAccess(out);
    }

    boolean canRead(McpPrincipal.Token token, String team, String env) {
        for (String entry : readers.getOrDefault(team + "/" + env, List.of())) {
            if (entry.equals("*") || entry.equals("token:" + token.tokenName())
                    || (entry.startsWith("group:") && token.groups().contains(entry.substring(6)))) {
                return true;
            }
        }
        return false;
    }

    /** Whether a tree path (e.g. an evidence record's source) lies in an env the token may read. */
    boolean canReadPath(McpPrincipal.Token token, String treePath) {
        if (!treePath.startsWith("/teams/")) {
            return false;
        }
        String[] parts = treePath.split("[/?| ]", 5);
        return parts.length >= 4 && canRead(token, parts[2], parts[3]);
    }

    boolean canReadTeam(McpPrincipal.Token token, String team, Iterable<String> envs) {
        for (String env : envs) {
            if (canRead(token, team, env)) {
                return true;
            }
        }
        return false;
    }
}
