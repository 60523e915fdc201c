package dev.aegis.afs.mcp;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.core.Afs;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.MountedPaths;
import dev.aegis.afs.core.evidence.EvidenceRecord;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one place where an MCP principal meets the tree. A local principal (stdio) is simply
 * the invoking uid: {@link Afs} applies the access lists to it as it does for {@code afs sh}. A
 * token principal has no uid: this gate decides what it may see from the token's own lists,
 * hides what it may not (as {@code ls} on the mount hides forbidden teams), and only then lets
 * the server read as itself. Paths outside /teams, /evidence, /context and /.afs/status (the
 * change request directories, the ledger) are not for tokens: they use the plan tools.
 */
final class TreeGate {

    private static final Set<String> TOKEN_TOP = Set.of("teams", "evidence", "context", ".afs");

    private final Afs afs;
    private final TokenAccess tokens;
    private final Caller server;

    TreeGate(Afs afs, TokenAccess tokens, Caller server) {
        this.afs = requireNonNull(afs, "afs is null");
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.server = requireNonNull(server, "server is null");
    }

    Afs afs() {
        return afs;
    }

    /** The caller {@link Afs} sees: the uid itself, or the server once the gate has let a token through. */
    Caller caller(McpPrincipal principal) {
        return principal instanceof McpPrincipal.Local local ? local.caller() : server;
    }

    /** A tree path from what a client wrote: {@code /teams/...}, or a path on a mounted afs. */
    static String treePath(String written) throws AfsException {
        if (written == null || written.isBlank()) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "name a path, e.g. /teams/<team>/<env>/logs/api.log?tail=50");
        }
        String p = MountedPaths.toTreePath(written.strip());
        if (!p.startsWith("/")) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, written + ": not an absolute path; tree paths start with /teams, /evidence, /context, ...");
        }
        return p;
    }

    Node resolve(McpPrincipal principal, String treePath) throws AfsException {
        if (principal instanceof McpPrincipal.Token token) {
            check(token, treePath);
        }
        return afs.resolve(treePath, caller(principal));
    }

    List<Node> list(McpPrincipal principal, String treePath) throws AfsException {
        Node node = resolve(principal, treePath);
        if (!(node instanceof DirNode dir)) {
            throw new AfsException(AfsError.NOT_A_DIRECTORY, treePath + " is a file; read it with the read tool");
        }
        List<Node> children = dir.list(caller(principal));
        if (!(principal instanceof McpPrincipal.Token token)) {
            return children;
        }
        String base = treePath.endsWith("/") ? treePath : treePath + "/";
        List<Node> visible = new ArrayList<>();
        for (Node child : children) {
            if (visible(token, base + child.name())) {
                visible.add(child);
            }
        }
        return visible;
    }

    /** The evidence record at {@code /evidence/<day>/<id>} if this principal may read its env. */
    EvidenceRecord evidence(McpPrincipal principal, String written) throws AfsException {
        String path = written.strip();
        String id = path.startsWith("/") ? treePath(path) : "/evidence/" + path;
        if (!id.startsWith("/evidence/")) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, written + ": name a snapshot, /evidence/<day>/<id>, as a read result names it");
        }
        EvidenceRecord record = afs.evidence().find(id.substring("/evidence/".length()))
                .orElseThrow(() -> AfsException.notFound(id + " (no such snapshot; it may have expired)"));
        boolean may = principal instanceof McpPrincipal.Token token ? tokens.canReadPath(token, record.source())
                : afs.access().canReadPath(caller(principal), record.source());
        if (!may) {
            throw new AfsException(AfsError.ACCESS_DENIED, record.treePath() + ": " + principal.name()
                    + " may not read evidence of " + record.source().split("[?| ]")[0]);
        }
        return record;
    }

    /** Whether this principal may see a change request of team/env. */
    boolean canRead(McpPrincipal principal, String team, String env) {
        return principal instanceof McpPrincipal.Token token ? tokens.canRead(token, team, env)
                : afs.access().canRead(caller(principal), team, env);
    }

    /** /.afs/status as this principal would read it: only the envs it may read are listed. */
    String status(McpPrincipal principal) {
        if (!(principal instanceof McpPrincipal.Token token)) {
            return afs.status(caller(principal));
        }
        StringBuilder out = new StringBuilder();
        for (String line : afs.status(server).split("\n", -1)) {
            if (line.startsWith("  /teams/") && !tokens.canReadPath(token, line.strip().split(":")[0])) {
                continue;
            }
            out.append(line).append('\n');
        }
        return out.substring(0, out.length() - 1);
    }

    private boolean visible(McpPrincipal.Token token, String treePath) {
        try {
            check(token, treePath);
            return true;
        } catch (AfsException e) {
            return false;
        }
    }

    private void check(McpPrincipal.Token token, String treePath) throws AfsException {
        List<String> s = segments(treePath);
        if (s.isEmpty()) {
            return;
        }
        if (!TOKEN_TOP.contains(s.get(0))) {
            throw denied(token, treePath, "is not shown to tokens; use the plan_submit, plan_status and list tools");
        }
        switch (s.get(0)) {
            case "teams" -> {
                Map<String, Map<String, dev.aegis.afs.core.config.ConfigNode>> teams = afs.config().teams();
                if (s.size() >= 2 && teams.containsKey(s.get(1))) {
                    if (s.size() == 2 && !tokens.canReadTeam(token, s.get(1), teams.get(s.get(1)).keySet())) {
                        throw denied(token, treePath, "may not read any env of this team; add token:" + token.tokenName()
                                + " to teams." + s.get(1) + ".<env>.access.read in namespaces.yaml");
                    }
                    String env = s.size() >= 3 ? s.get(2).split("\\?")[0] : null;
                    if (env != null && !tokens.canRead(token, s.get(1), env)) {
                        throw denied(token, treePath, "may not read this env; add token:" + token.tokenName()
                                + " (or group:<one of its groups>) to teams." + s.get(1) + "." + env + ".access.read in namespaces.yaml");
                    }
                }
            }
            case ".afs" -> {
                if (s.size() >= 2 && !s.get(1).equals("status")) {
                    throw denied(token, treePath, "is not shown to tokens; errors come back in each tool result");
                }
            }
            case "evidence" -> {
                if (s.size() >= 3) {
                    evidence(token, treePath);
                }
            }
            default -> {
                // /context/skills: shared guidance, readable by every authenticated principal
            }
        }
    }

    private static AfsException denied(McpPrincipal.Token token, String path, String why) {
        return new AfsException(AfsError.ACCESS_DENIED, path + ": " + token.name() + " " + why);
    }

    private static List<String> segments(String treePath) {
        int mark = treePath.indexOf('?');
        String path = mark < 0 ? treePath : treePath.substring(0, mark);
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }
}
