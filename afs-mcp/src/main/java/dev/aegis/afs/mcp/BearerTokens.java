package dev.aegis.afs.mcp;

import dev.aegis.afs.core.config.ConfigNode;
import dev.aegis.afs.core.config.Namespaces;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The bearer tokens of namespaces.yaml, which holds only their sha256:
 * <pre>
 * tokens:
 *   payments-agent: {sha256: 9f86d0..., groups: [payments-agents]}
 * </pre>
 * Read from the already loaded {@link Namespaces} (the one place that reads the file). Kept
 * small so it can give way to afs-core's access package once that knows token principals.
 */
public final class BearerTokens {

    private record Entry(String name, byte[] sha256, Set<String> groups) {
    }

    private final List<Entry> entries;

    private BearerTokens(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** @throws dev.aegis.afs.core.config.ConfigException naming file:line:column and the fix */
    public static BearerTokens from(Namespaces config) {
        List<Entry> out = new ArrayList<>();
        config.root().get("tokens").ifPresent(tokens -> {
            if (!tokens.isMap()) {
                throw tokens.error("'tokens' must map each token name to {sha256: <hex>, groups: [...]}");
            }
            tokens.entries().forEach((name, t) -> {
                if (!name.matches("[a-z0-9][a-z0-9_.-]{0,62}")) {
                    throw t.error("token name '" + name + "' is not allowed; use lower-case letters, digits, '-', '_' or '.'");
                }
                t.allowOnly(Set.of("sha256", "groups"));
                String hex = t.string("sha256").toLowerCase(java.util.Locale.ROOT);
                if (!hex.matches("[0-9a-f]{64}")) {
                    throw t.require("sha256").error("sha256 must be 64 hex digits: the sha256 of the token, e.g. "
                            + "printf %s \"$TOKEN\" | sha256sum");
                }
                Set<String> groups = new LinkedHashSet<>();
                t.get("groups").ifPresent(g -> (g.kind() == ConfigNode.Kind.LIST ? g.items() : List.of(g))
                        .forEach(item -> groups.add(item.asString())));
                out.add(new Entry(name, HexFormat.of().parseHex(hex), groups));
            });
        });
        return new BearerTokens(out);
    }

    /** The principal of {@code presented}; empty for an unknown token. Compares in constant time. */
    public Optional<McpPrincipal.Token> authenticate(String presented) {
        if (presented == null || presented.isEmpty()) {
            return Optional.empty();
        }
        byte[] hash = sha256(presented);
        Entry found = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(e.sha256(), hash)) {
                found = e;
            }
        }
        return found == null ? Optional.empty()
                : Optional.of(new McpPrincipal.Token(found.name(), found.groups(), presented));
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    static byte[] sha256(String s) {
        return sha256Bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] sha256Bytes(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
