package dev.aegis.afs.harness.web;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.core.access.AccessPolicy;
import dev.aegis.afs.core.access.Principal;
import dev.aegis.afs.harness.HarnessConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Who a browser's request is from (docs/trust-model.md, {@code web} principals). An
 * authenticating proxy's user and groups headers (oauth2-proxy's {@code X-Forwarded-User} /
 * {@code X-Forwarded-Groups}, or {@code X-Auth-Request-User} / {@code -Groups}) count only
 * with the proxy's shared secret in {@code X-Afs-Proxy-Secret}: on loopback every local process
 * reaches the harness with the proxy's address, so the address proves nothing. Secrets and
 * tokens are compared as sha256 digests with {@link MessageDigest#isEqual}, in constant time.
 */
public final class WebIdentity {

    public static final String SECRET_HEADER = "X-Afs-Proxy-Secret";
    static final String[] USER_HEADERS = {"X-Forwarded-User", "X-Auth-Request-User"};
    static final String[] GROUPS_HEADERS = {"X-Forwarded-Groups", "X-Auth-Request-Groups"};

    /** Why a request carries no identity we believe; the message names the fix. */
    public static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    private final Optional<byte[]> proxySecretSha;
    private final Map<String, HarnessConfig.WebUser> users;
    private final AccessPolicy access;

    /** @param proxySecret the shared secret's content, when a proxy is configured */
    public WebIdentity(Optional<String> proxySecret, Map<String, HarnessConfig.WebUser> users, AccessPolicy access) {
        requireNonNull(proxySecret, "proxySecret is null");
        this.proxySecretSha = proxySecret.map(s -> sha256(s.strip()));
        this.users = Map.copyOf(users);
        this.access = requireNonNull(access, "access is null");
    }

    /**
     * The principal the proxy vouches for; empty when the request carries no proxy headers at
     * all (the caller then looks for a token session). Headers without the right secret are refused.
     */
    public Optional<Principal> fromProxy(Function<String, String> header) throws Refused {
        String secret = header.apply(SECRET_HEADER);
        String user = first(header, USER_HEADERS);
        if (secret == null) {
            if (user != null) {
                throw new Refused("a user header (" + String.join(" or ", USER_HEADERS) + ") came without "
                        + SECRET_HEADER + ": only the authenticating proxy may name the user; sign in through it");
            }
            return Optional.empty();
        }
        if (proxySecretSha.isEmpty()) {
            throw new Refused(SECRET_HEADER + " was sent but web.proxy_secret_file is not set in harness.yaml; "
                    + "set it to the file the proxy takes its secret from");
        }
        if (!MessageDigest.isEqual(proxySecretSha.get(), sha256(secret.strip()))) {
            throw new Refused("the proxy secret is wrong; the proxy must send the content of web.proxy_secret_file");
        }
        if (user == null || user.isBlank()) {
            throw new Refused("the proxy sent no user (" + String.join(" or ", USER_HEADERS) + "); run oauth2-proxy with "
                    + "--pass-user-headers (or --set-xauthrequest behind nginx auth_request)");
        }
        return Optional.of(access.web(user.strip(), groups(first(header, GROUPS_HEADERS))));
    }

    /** The principal of a per-user token (the login form), when harness.yaml's web.users knows it. */
    public Optional<Principal> fromToken(String user, String token) {
        if (user == null || token == null) {
            return Optional.empty();
        }
        HarnessConfig.WebUser u = users.get(user.strip());
        byte[] presented = sha256(token.strip());
        // compare with a digest even for an unknown user, so timing does not tell which users exist
        byte[] expected = u == null ? new byte[presented.length] : HexFormat.of().parseHex(u.sha256());
        boolean ok = MessageDigest.isEqual(expected, presented) && u != null;
        return ok ? Optional.of(access.web(user.strip(), u.groups())) : Optional.empty();
    }

    /** Whether the login form has anyone to log in. */
    public boolean hasUsers() {
        return !users.isEmpty();
    }

    private static String first(Function<String, String> header, String[] names) {
        for (String n : names) {
            String v = header.apply(n);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    static Set<String> groups(String header) {
        if (header == null) {
            return Set.of();
        }
        Set<String> out = new LinkedHashSet<>();
        Arrays.stream(header.split(",")).map(String::strip).filter(g -> !g.isEmpty()).forEach(out::add);
        return out;
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
