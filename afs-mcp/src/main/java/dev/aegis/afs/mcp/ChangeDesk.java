package dev.aegis.afs.mcp;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.harness.HarnessClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Change requests on behalf of an MCP principal, forwarded to the harness, which decides. A
 * local principal is forwarded as the mount forwards a uid: the uid attested with the harness'
 * client token, which only root can read, so an ordinary user gets a clear refusal here rather
 * than an anonymous one from the harness. A token principal is forwarded with its own bearer
 * token, so the harness authenticates it itself. Agents (every token) never approve or reject.
 */
final class ChangeDesk {

    /**
     * Longer than the mount's 10 s: an agent waits for the tool result anyway (the MCP request
     * timeout is 2 min), and the harness' first submit (gates compiled, cluster probed) can take
     * that long on a loaded host. A timeout is not a refusal: the request may still be stored.
     */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final URI harness;
    private final Path clientToken;
    private final TreeGate gate;

    ChangeDesk(URI harness, Path clientToken, TreeGate gate) {
        this.harness = requireNonNull(harness, "harness is null");
        this.clientToken = requireNonNull(clientToken, "clientToken is null");
        this.gate = requireNonNull(gate, "gate is null");
    }

    HarnessClient.Reply submit(McpPrincipal principal, String document, Optional<String> id) throws AfsException {
        HarnessClient client = actingAs(principal);
        byte[] bytes = document.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return id.isPresent() ? client.submit(bytes, gate.caller(principal), id.get())
                : client.submit(bytes, gate.caller(principal));
    }

    /**
     * The status text, if the principal may read the request's env (the trust model's "see a
     * request"). Asked as the principal, so a harness that shows each caller only its own envs
     * decides too.
     */
    String status(McpPrincipal principal, String id) throws AfsException {
        HarnessClient reader = actingAs(principal);
        JsonNode request = reader.get(id, gate.caller(principal));
        if (!gate.canRead(principal, request.path("team").asText(), request.path("env").asText())) {
            throw AfsException.notFound("change request " + id); // as the mount hides what the caller may not read
        }
        return reader.statusText(id, gate.caller(principal));
    }

    JsonNode approve(McpPrincipal principal, String id) throws AfsException {
        if (principal.isAgent()) {
            throw new AfsException(AfsError.ACCESS_DENIED, principal.name() + " is an agent: agents may read and propose,"
                    + " but never approve or reject (docs/trust-model.md). A human approver approves with"
                    + " echo yes > /mnt/afs/approvals/" + id + "/approve or afs approve " + id);
        }
        return actingAs(principal).approve(id, gate.caller(principal));
    }

    private HarnessClient actingAs(McpPrincipal principal) throws AfsException {
        if (principal instanceof McpPrincipal.Token token) {
            return HarnessClient.withBearer(harness, TIMEOUT, token.secret());
        }
        if (!Files.isReadable(clientToken)) {
            throw new AfsException(AfsError.ACCESS_DENIED, principal.name() + " cannot attest its uid to the harness: "
                    + clientToken + " (the harness' client token) is readable by root only, as it must be, and only the mount"
                    + " (root) attests uids. Write the request on the mount, which attests yours"
                    + " (cat plan.yaml > /mnt/afs/change_requests/<id>.yaml), or use afs mcp over HTTP with a bearer token"
                    + " from tokens: in namespaces.yaml");
        }
        return new HarnessClient(harness, TIMEOUT, Optional.of(clientToken));
    }
}
