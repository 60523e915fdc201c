package dev.aegis.afs.core.skills;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code afs guardrails propose}: policy changes drafted from what went wrong in an incident. An
 * action whose request failed (its verify step, or the action itself) and was rolled back now needs
 * a human: one {@code kind: guardrail} change request per such request, tightening
 * {@code changes.min_approvals} of its team/env to 1. Tightening is approved by the team's own
 * approvers (docs/skills.md); the drafts are printed, to be submitted with {@code afs plan submit}.
 */
public final class GuardrailDraft {

    private static final Pattern TOOL = Pattern.compile("(?m)^\\s*-\\s*\\{?\\s*tool:\\s*([a-z_]+)");

    private GuardrailDraft() {
    }

    /** One change request document per FAILED or ROLLED_BACK plan of the incident; empty when every plan held. */
    public static List<String> drafts(String incident, List<JsonNode> requests) {
        List<String> out = new ArrayList<>();
        for (JsonNode r : requests) {
            String state = r.path("state").asText();
            String document = r.path("document").asText();
            if (!(state.equals("FAILED") || state.equals("ROLLED_BACK")) || document.startsWith("kind:") || document.contains("\nkind:")) {
                continue;
            }
            List<String> tools = new ArrayList<>();
            Matcher m = TOOL.matcher(document);
            while (m.find()) {
                tools.add(m.group(1));
            }
            List<String> why = new ArrayList<>();
            r.path("reasons").forEach(x -> why.add(x.asText()));
            String id = r.path("id").asText();
            String name = (incident + "-" + id + "-needs-approval").toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-");
            out.add("# drafted by afs guardrails propose: " + String.join(", ", tools) + " of request " + id + " ended " + state
                    + (why.isEmpty() ? "" : " (" + String.join("; ", why).replace('\n', ' ') + ")") + "\n"
                    + "# submit with: afs plan submit FILE (tightening: the team's approvers approve it)\n"
                    + "kind: guardrail\n"
                    + "incident_id: " + incident + "\n"
                    + "team: " + r.path("team").asText() + "\n"
                    + "env: " + r.path("env").asText() + "\n"
                    + "name: " + (name.length() > 64 ? name.substring(0, 64) : name) + "\n"
                    + "direction: tighten\n"
                    + "content: |\n"
                    + "  # " + String.join(", ", tools) + " failed in " + incident + ": a human approves every change from now on\n"
                    + "  min_approvals: 1\n");
        }
        return out;
    }
}
