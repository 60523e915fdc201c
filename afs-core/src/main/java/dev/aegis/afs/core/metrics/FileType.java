package dev.aegis.afs.core.metrics;

/**
 * What kind of file a tree path names, for metric labels. Only the tree's fixed structure is
 * used (the section under an env, the top-level directory): never the team, env, stream or
 * query, which are tenant data and would also give a label per query.
 */
public enum FileType {
    LOG("log"), METRIC("metric"), POD_LOG("pod_log"), K8S_OBJECT("k8s_object"), RUNBOOK("runbook"),
    EVIDENCE("evidence"), SKILL("skill"), STATUS("status"), CHANGE_REQUEST("change_request"),
    APPROVAL("approval"), LEDGER("ledger"), OTHER("other");

    private final String label;

    FileType(String label) {
        this.label = label;
    }

    /** The label value, e.g. {@code log}. */
    public String label() {
        return label;
    }

    /** {@code /teams/payments/prod/logs/api.log?tail=5} -> {@link #LOG}. */
    public static FileType of(String treePath) {
        String path = treePath.split("\\?", 2)[0];
        String[] s = path.startsWith("/") ? path.substring(1).split("/") : path.split("/");
        return switch (s[0]) {
            case "teams" -> s.length < 5 ? OTHER : section(s);
            case "evidence" -> EVIDENCE;
            case "context" -> SKILL;
            case ".afs" -> STATUS;
            case "change_requests" -> CHANGE_REQUEST;
            case "approvals" -> APPROVAL;
            case "ledger" -> LEDGER;
            default -> OTHER;
        };
    }

    private static FileType section(String[] s) {
        return switch (s[3]) {
            case "logs" -> LOG;
            case "metrics" -> METRIC;
            case "runbooks" -> RUNBOOK;
            // k8s/pods/<pod>/logs/<container>.log
            case "k8s" -> s.length >= 8 && s[4].equals("pods") && s[6].equals("logs") ? POD_LOG : K8S_OBJECT;
            default -> OTHER;
        };
    }
}
