package dev.aegis.afs.harness;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.afs.harness.StoredRequest.StoredAction;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What undoes an action a cluster agent ran (execution: agents): the parameters of the same
 * tool that restore the {@code diff.before} the agent reported in its signed result. The
 * harness never read the object itself, so the agent's report is the only "before" there is.
 */
final class RollbackStep {

    private RollbackStep() {
    }

    /** The parameters that restore {@code sa}; empty for a restart (it cannot be undone) or without a reported before. */
    static Optional<Map<String, Object>> restore(StoredAction sa) {
        if (sa.outcome().isEmpty()) {
            return Optional.empty();
        }
        JsonNode before;
        try {
            before = Ledger.JSON.readTree(sa.outcome().get()).path("diff").path("before");
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
        Map<String, Object> params = new LinkedHashMap<>();
        switch (sa.tool()) {
            case "scale" -> {
                if (!before.canConvertToInt()) {
                    return Optional.empty();
                }
                params.put("replicas", before.asInt());
            }
            case "set_resources" -> {
                for (String part : new String[] {"requests", "limits"}) {
                    if (before.path(part).isObject() && !before.path(part).isEmpty()) {
                        params.put(part, Ledger.JSON.convertValue(before.get(part), Map.class));
                    }
                }
                if (params.isEmpty()) {
                    return Optional.empty();
                }
            }
            default -> {
                return Optional.empty(); // restart: a rollout cannot be un-rolled
            }
        }
        return Optional.of(params);
    }
}
