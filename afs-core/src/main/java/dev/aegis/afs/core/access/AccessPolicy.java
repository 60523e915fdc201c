package dev.aegis.afs.core.access;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.config.ConfigNode;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Who may read each team/env, from the env's {@code access:} section:
 * <pre>
 * access:
 *   read: [group:payments-oncall, uid:1000]
 * </pre>
 * Unlisted means denied. An env without {@code access:} is readable by root only. Root (uid 0)
 * may always read: it holds the daemon's credentials anyway. Who may approve changes is the
 * harness' {@code changes.approvers} of the same env (one list, read by the harness). Enforced by the daemon on every operation from the caller's
 * uid/gid; mode bits mean nothing under allow_other.
 */
public final class AccessPolicy {

    private record EnvAccess(AccessList read) {
    }

    private final Map<String, EnvAccess> byEnv;
    private final UnixAccounts accounts;

    private AccessPolicy(Map<String, EnvAccess> byEnv, UnixAccounts accounts) {
        this.byEnv = Map.copyOf(byEnv);
        this.accounts = accounts;
    }

    /** @param envSections team -> env -> the env's section (its {@code access:} key is read here) */
    public static AccessPolicy from(Map<String, Map<String, ConfigNode>> envSections, UnixAccounts accounts) {
        Map<String, EnvAccess> byEnv = new HashMap<>();
        envSections.forEach((team, envs) -> envs.forEach((env, node) -> {
            EnvAccess access = node.get("access").map(a -> {
                a.allowOnly(Set.of("read"));
                return new EnvAccess(a.get("read").map(r -> AccessList.parse(r, accounts)).orElse(AccessList.NOBODY));
            }).orElse(new EnvAccess(AccessList.NOBODY));
            byEnv.put(team + "/" + env, access);
        }));
        return new AccessPolicy(byEnv, accounts);
    }

    public boolean canRead(Caller caller, String team, String env) {
        if (caller.uid() == 0) {
            return true;
        }
        EnvAccess access = byEnv.get(team + "/" + env);
        return access != null && access.read().allows(caller, groups(caller));
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

    private Set<Integer> groups(Caller caller) {
        return accounts.groupsOf(caller.uid(), caller.gid(), caller.pid());
    }
}
