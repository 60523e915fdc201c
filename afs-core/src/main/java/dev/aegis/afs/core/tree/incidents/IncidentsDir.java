package dev.aegis.afs.core.tree.incidents;

import static java.util.Objects.requireNonNull;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.harness.HarnessClient;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.NodeAttributes;
import dev.aegis.afs.evidence.IncidentId;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /incidents}: one workspace per incident the caller may see something of (a tagged read
 * or a change request of an env it may read), as the harness knows them. See {@link IncidentWorkspace}.
 *
 * <p>{@code /incidents/<id>/teams/...} is the very {@code /teams} tree (the same nodes, so the same
 * access lists), and every read made through it is tagged with the incident: the front end names
 * the caller's incident from the path with {@link #tag} before it resolves.
 */
public final class IncidentsDir implements DirNode {

    /** The name of the workspace entry that serves the team tree. */
    public static final String TEAMS = "teams";

    private static final Pattern UNDER_TEAMS = Pattern.compile("/incidents/([^/?]+)/" + TEAMS + "(?:[/?].*)?");

    private final DirNode teams;
    private final DirNode evidence;
    private final HarnessClient harness;
    private final Clock clock;

    /**
     * @param teams    the {@code /teams} directory, served again under each incident
     * @param evidence the {@code /evidence} directory, whose snapshots each workspace's {@code evidence/} shows
     */
    public IncidentsDir(DirNode teams, DirNode evidence, HarnessClient harness, Clock clock) {
        this.teams = requireNonNull(teams, "teams is null");
        this.evidence = requireNonNull(evidence, "evidence is null");
        this.harness = requireNonNull(harness, "harness is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * {@code caller} working under the incident {@code treePath} names when it goes through
     * {@code /incidents/<id>/teams}; {@code caller} itself otherwise (an invalid id is refused by
     * the lookup, with the reason).
     */
    public static Caller tag(String treePath, Caller caller) {
        return incidentOf(treePath).map(caller::withIncident).orElse(caller);
    }

    /** The incident {@code /incidents/<id>/teams/...} names; empty for any other path. */
    public static Optional<String> incidentOf(String treePath) {
        Matcher m = UNDER_TEAMS.matcher(treePath);
        return m.matches() && IncidentId.valid(m.group(1)) ? Optional.of(m.group(1)) : Optional.empty();
    }

    @Override
    public String name() {
        return "incidents";
    }

    @Override
    public NodeAttributes attributes(Caller caller) {
        return NodeAttributes.dir(clock.instant(), 0);
    }

    /** The incidents the caller may see; fails (EIO, with the reason) when the harness cannot be asked. */
    @Override
    public List<Node> list(Caller caller) throws AfsException {
        List<Node> out = new ArrayList<>();
        for (String id : harness.incidents(caller)) {
            if (IncidentId.valid(id)) {
                out.add(workspace(id));
            }
        }
        return out;
    }

    /** Any well-formed id resolves (an agent may start reading under an incident nothing has been tagged with yet). */
    @Override
    public Node child(String id, Caller caller) throws AfsException {
        Optional<String> problem = IncidentId.problem(id);
        if (problem.isPresent()) {
            throw new AfsException(AfsError.INVALID_ARGUMENT, "/incidents/" + id.replaceAll("[^\\x20-\\x7e]", "?")
                    + ": the name " + problem.get());
        }
        return workspace(id);
    }

    private IncidentWorkspace workspace(String id) {
        return new IncidentWorkspace(id, teams, evidence, harness, clock);
    }
}
