package dev.aegis.afs.core.tree.incidents;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code timeline.md}: one line per entry of the harness's timeline, oldest first. */
final class TimelineText {

    private TimelineText() {
    }

    static String markdown(JsonNode timeline) {
        String id = timeline.path("incident").asText();
        StringBuilder s = new StringBuilder("# Timeline of ").append(id).append("\n\n");
        if (timeline.path("entries").isEmpty()) {
            s.append("Nothing yet that you may see. Reads are added when made with AFS_INCIDENT=").append(id)
                    .append(" or under /incidents/").append(id).append("/teams/, plans when their incident_id is ").append(id)
                    .append(".\n");
            return s.toString();
        }
        for (JsonNode e : timeline.path("entries")) {
            s.append("- ").append(e.path("at").asText()).append(" **").append(e.path("kind").asText()).append("** ")
                    .append(e.path("who").asText()).append(": ").append(oneLine(e.path("summary").asText()));
            if (e.hasNonNull("evidence")) {
                s.append("; evidence /evidence/").append(e.path("evidence").asText()).append(" sha256 ")
                        .append(e.path("sha256").asText());
                if (e.path("cited_by").size() > 0) {
                    s.append("; cited by");
                    e.path("cited_by").forEach(c -> s.append(' ').append(c.asText()));
                }
            }
            s.append(" (step `").append(e.path("step").asText()).append("`)\n");
        }
        return s.toString();
    }

    /** Agent-written text (a hypothesis) on one line, so it cannot forge entries of its own. */
    private static String oneLine(String text) {
        return text.replaceAll("[\\r\\n\\t]+", " ").replaceAll("\\p{Cntrl}", "?");
    }
}
