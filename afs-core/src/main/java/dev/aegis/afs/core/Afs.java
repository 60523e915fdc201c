package dev.aegis.afs.core;

/**
 * The library every front end calls (FUSE adapter, CLI, later MCP): the tree built from
 * namespaces.yaml, path resolution, shell-form reads, evidence and the error journal.
 *
 * <pre>{@code
 * try (Afs afs = Afs.load(Path.of("namespaces.yaml"))) {
 *     Node node = afs.resolve("/teams/payments/prod/logs/api.log?tail=50", Caller.self());
 * }
 * }</pre>
 *
 * API (being implemented by the lead; signatures are stable):
 * <ul>
 *   <li>{@code static Afs load(Path namespacesYaml)} - throws ConfigException</li>
 *   <li>{@code DirNode root()}</li>
 *   <li>{@code Node resolve(String treePath, Caller caller) throws AfsException} - walks from the root,
 *       each segment through {@code DirNode.child}; a trailing {@code name?query} is resolved by its directory</li>
 *   <li>{@code EvidenceRecord runShell(String script, Caller caller, OutputStream out) throws AfsException} -
 *       {@code afs sh -c}: compiles the pipeline, captures evidence, writes the result to out</li>
 *   <li>{@code EvidenceStore evidence()}, {@code ErrorJournal errors()}, {@code void close()}</li>
 * </ul>
 */
public final class Afs {
    private Afs() {
    }
}
