package dev.aegis.afs.mcp;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.core.Caller;
import java.util.Set;

/**
 * Who calls a tool (docs/trust-model.md, "Principals"): over stdio the invoking uid, over HTTP
 * the holder of a bearer token. Nothing a client merely claims is believed: the uid comes from
 * the process, the token principal from the sha256 of the presented token.
 */
public sealed interface McpPrincipal {

    /** {@code unix:1001} or {@code token:payments-agent}. */
    String name();

    /** Agents may read and propose where the lists allow; they never approve or reject. */
    boolean isAgent();

    /** The user running {@code afs mcp} over stdio: access lists apply to its uid and groups. */
    record Local(Caller caller) implements McpPrincipal {
        public Local {
            requireNonNull(caller, "caller is null");
        }

        @Override
        public String name() {
            return "unix:" + caller.uid();
        }

        @Override
        public boolean isAgent() {
            return false; // the top-level agents: list of the trust model arrives with the Principal type
        }
    }

    /**
     * A bearer token from namespaces.yaml {@code tokens:}. {@code secret} is the token as
     * presented, kept only to forward change requests so the harness authenticates it itself.
     */
    record Token(String tokenName, Set<String> groups, String secret) implements McpPrincipal {
        public Token {
            requireNonNull(tokenName, "tokenName is null");
            groups = Set.copyOf(groups);
            requireNonNull(secret, "secret is null");
        }

        @Override
        public String name() {
            return "token:" + tokenName;
        }

        @Override
        public boolean isAgent() {
            return true;
        }

        @Override
        public String toString() {
            return "Token[" + tokenName + ", groups=" + groups + "]"; // never the secret
        }
    }
}
