package dev.aegis.afs.core.access;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.config.Namespaces;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who may read, propose and approve in each team/env (docs/trust-model.md, "Who may do what"):
 * <pre>
 * agents: [uid:1500]                      # principals an agent uses: they never approve
 * tokens: {payments-agent: {sha256: &lt;hex&gt;, groups: [payments-agents]}}
 * teams: {payments: {prod: {
 *   access: {read: [group:payments-oncall, token:payments-agent]},
 *   changes: {proposers: [...], approvers: [group:payments-leads]}}}}
 * </pre>
 * Unlisted means denied. An env without {@code access:} is readable by root only; root (uid 0 on
 * a mount host) may always read: it holds the daemon's credentials anyway. Proposers default to
 * the env's readers; approvers default to nobody. Enforced on every operation from the
 * principal's uid and groups; mode bits mean nothing under allow_other.
 */
public final class AccessPolicy {

    /** The lists of one env. */
    private record EnvAccess(AccessList read, Optional<AccessList> proposers, AccessList approvers) {
    }

    /** A bearer token the config knows: only its sha256 is kept. */
    private record Token(String name, Set<String> groups) {
    }

    private final Map<String, EnvAccess> byEnv;
    private final AccessList agents;
    private final Map<String, Token> tokensBySha;
    private final UnixAccounts accounts;
    private final String host;

    private AccessPolicy(Map<String, EnvAccess> byEnv, AccessList agents, Map<String, Token> tokensBySha,
                         UnixAccounts accounts, String host) {
        this.byEnv = Map.copyOf(byEnv);
        this.agents = agents;
        this.tokensBySha = Map.copyOf(tokensBySha);
        this.accounts = accounts;
        this.host = host;
    }

    /** The lists of a loaded namespaces.yaml; {@code host} names this mount host in principals. */
    public static AccessPolicy from(Namespaces namespaces, UnixAccounts accounts, String host) {
        ConfigNode root = namespaces.root();
        AccessList agents = root.get("agents").map(a -> AccessList.parse(a, accounts)).orElse(AccessList.NOBODY);
        Map<String, Token> tokens = new LinkedHashMap<>();
        root.get("tokens").ifPresent(t -> t.entries().forEach((name, spec) -> {
            spec.allowOnly(Set.of("sha256", "groups"));
            String sha = spec.string("sha256").toLowerCase(java.util.Locale.ROOT);
            if (!sha.matches("[0-9a-f]{64}")) {
                throw spec.require("sha256").error("token '" + name + "': sha256 must be 64 hex digits; write the output of "
                        + "printf %s \"$TOKEN\" | sha256sum");
            }
            if (tokens.containsKey(sha)) {
                throw spec.require("sha256").error("token '" + name + "' has the same sha256 as token '"
                        + tokens.get(sha).name() + "'; give each holder its own token");
            }
            tokens.put(sha, new Token(name, Set.copyOf(spec.get("groups").map(ConfigNode::asStringList)
                    .orElse(java.util.List.of()))));
        }));
        return new AccessPolicy(envs(namespaces.teams(), accounts), agents, tokens, accounts, host);
    }

    /** Only the env lists (tests of the mount that need no agents or tokens). */
    public static AccessPolicy from(Map<String, Map<String, ConfigNode>> envSections, UnixAccounts accounts) {
        return new AccessPolicy(envs(envSections, accounts), AccessList.NOBODY, Map.of(), accounts, "localhost");
    }

    private static Map<String, EnvAccess> envs(Map<String, Map<String, ConfigNode>> envSections, UnixAccounts accounts) {
        Map<String, EnvAccess> byEnv = new HashMap<>();
        envSections.forEach((team, envs) -> envs.forEach((env, node) -> {
            AccessList read = node.get("access").map(a -> {
                a.allowOnly(Set.of("read"));
                return a.get("read").map(r -> AccessList.parse(r, accounts)).orElse(AccessList.NOBODY);
            }).orElse(AccessList.NOBODY);
            Optional<ConfigNode> changes = node.get("changes").filter(ConfigNode::isMap);
            Optional<AccessList> proposers = changes.flatMap(c -> c.get("proposers")).map(p -> AccessList.parse(p, accounts));
            AccessList approvers = changes.flatMap(c -> c.get("approvers")).map(p -> AccessList.parse(p, accounts))
                    .orElse(AccessList.NOBODY);
            byEnv.put(team + "/" + env, new EnvAccess(read, proposers, approvers));
        }));
        return byEnv;
    }

    /** This machine's host name, as principals name their mount host. */
    public static String localHost() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    // ---- principals ----

    /** The unix principal of a FUSE (or CLI) caller: its NSS name, its groups, whether it is an agent. */
    public Principal principal(Caller caller) {
        Set<Integer> gids = accounts.groupsOf(caller.uid(), caller.gid(), caller.pid());
        return unix(caller.uid(), gids);
    }

    /** A unix principal attested by a mount with its client token, from the uid and gids it forwarded. */
    public Principal unix(int uid, Set<Integer> gids) {
        Set<Integer> all = new HashSet<>(gids);
        all.addAll(accounts.groupsOf(uid, -1, -1)); // NSS membership, whatever the caller's process held
        all.remove(-1);
        Set<String> names = new HashSet<>();
        for (int g : all) {
            accounts.groupName(g).ifPresent(names::add);
        }
        Principal p = Principal.unix(uid, accounts.userName(uid), host, all, names, false);
        return agents.allows(p) ? Principal.unix(uid, accounts.userName(uid), host, all, names, true) : p;
    }

    /**
     * A web principal: the user and groups an authenticating proxy vouched for (or a per-user
     * token named), an agent when the top-level {@code agents:} names it.
     */
    public Principal web(String user, Set<String> groups) {
        Principal p = Principal.web(user, groups, false);
        return agents.allows(p) ? Principal.web(user, groups, true) : p;
    }

    /** The principal a bearer token proves, when the config knows its sha256. */
    public Optional<Principal> token(String bearer) {
        if (bearer == null || bearer.isBlank()) {
            return Optional.empty();
        }
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(bearer.strip().getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        // compare every known digest in constant time, so timing does not tell which prefix matched
        Token found = null;
        for (Map.Entry<String, Token> e : tokensBySha.entrySet()) {
            if (MessageDigest.isEqual(HexFormat.of().parseHex(e.getKey()), digest)) {
                found = e.getValue();
            }
        }
        return Optional.ofNullable(found).map(t -> Principal.token(t.name(), t.groups()));
    }

    // ---- decisions ----

    public boolean canRead(Caller caller, String team, String env) {
        return caller.uid() == 0 || canRead(principal(caller), team, env);
    }

    public boolean canRead(Principal p, String team, String env) {
        if (p.isRoot()) {
            return true;
        }
        EnvAccess access = byEnv.get(team + "/" + env);
        return access != null && access.read().allows(p);
    }

    /** Why {@code p} may not propose a change for team/env; empty when it may. */
    public Optional<String> proposeProblem(Principal p, String team, String env) {
        EnvAccess access = byEnv.get(team + "/" + env);
        if (access == null) {
            return Optional.of("there is no env " + team + "/" + env + " in namespaces.yaml");
        }
        if (!canRead(p, team, env)) {
            return Optional.of(p.id() + " may not read " + team + "/" + env + ", so it may not propose changes there; add it to "
                    + "teams." + team + "." + env + ".access.read (readers: " + access.read() + ")");
        }
        if (access.proposers().isPresent() && !access.proposers().get().allows(p)) {
            return Optional.of(p.id() + " is not a proposer for " + team + "/" + env + " (proposers: "
                    + access.proposers().get() + "); add it to teams." + team + "." + env + ".changes.proposers");
        }
        return Optional.empty();
    }

    /** Why {@code p} may not approve or reject in team/env; empty when it may. */
    public Optional<String> approveProblem(Principal p, String team, String env) {
        EnvAccess access = byEnv.get(team + "/" + env);
        if (access == null) {
            return Optional.of("there is no env " + team + "/" + env + " in namespaces.yaml");
        }
        if (p.agent()) {
            return Optional.of(p.id() + " is an agent (" + (p.kind() == Principal.Kind.UNIX || p.kind() == Principal.Kind.WEB
                    ? "named by agents: in namespaces.yaml" : "a " + p.kind().prefix() + " principal")
                    + "); agents may propose but never approve or reject, whatever the approver list says");
        }
        if (!canRead(p, team, env)) {
            return Optional.of(p.id() + " may not read " + team + "/" + env + ", so it may not approve there; approvers must also be "
                    + "in teams." + team + "." + env + ".access.read");
        }
        if (!access.approvers().allows(p)) {
            return Optional.of(p.id() + " is not an approver for " + team + "/" + env + " (approvers: " + access.approvers()
                    + "; teams." + team + "." + env + ".changes.approvers in namespaces.yaml)");
        }
        return Optional.empty();
    }

    /** Whether anyone at all may approve in team/env. */
    public boolean hasApprovers(String team, String env) {
        EnvAccess access = byEnv.get(team + "/" + env);
        return access != null && !access.approvers().isEmpty();
    }

    /** Fails with ACCESS_DENIED naming the env and how to be let in. */
    public void checkRead(Caller caller, String team, String env) throws AfsException {
        if (!canRead(caller, team, env)) {
            throw new AfsException(AfsError.ACCESS_DENIED, "/teams/" + team + "/" + env + ": uid " + caller.uid()
                    + " may not read this env; add it (uid:, user:, gid: or group:) to teams." + team + "." + env
                    + ".access.read in namespaces.yaml");
        }
    }

    /** Whether {@code treePath} (e.g. an evidence source) lies in an env the caller may read. */
    public boolean canReadPath(Caller caller, String treePath) {
        if (!treePath.startsWith("/teams/")) {
            return caller.uid() == 0;
        }
        String[] parts = treePath.split("[/?| ]", 5);
        return parts.length >= 4 && canRead(caller, parts[2], parts[3]);
    }
}
