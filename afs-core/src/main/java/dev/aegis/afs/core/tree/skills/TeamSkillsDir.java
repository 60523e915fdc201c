package dev.aegis.afs.core.tree.skills;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.NodeAttributes;
import dev.aegis.afs.core.tree.disk.DiskDir;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code /context/skills/teams} or {@code /context/skills/proposed}: one directory per team on
 * disk, of which a caller sees only its own teams'. Another team's directory is NOT_FOUND, as if
 * it did not exist, so a caller learns neither its skills nor that the team has any.
 */
final class TeamSkillsDir implements DirNode {

    private final DiskDir disk;
    private final Function<Caller, Set<String>> teamsOf;

    TeamSkillsDir(String name, Path dir, Function<Caller, Set<String>> teamsOf) {
        this.disk = new DiskDir(name, Objects.requireNonNull(dir, "dir is null"));
        this.teamsOf = Objects.requireNonNull(teamsOf, "teamsOf is null");
    }

    @Override
    public String name() {
        return disk.name();
    }

    @Override
    public NodeAttributes attributes(Caller caller) {
        return disk.attributes(caller);
    }

    @Override
    public List<Node> list(Caller caller) throws AfsException {
        Set<String> teams = teamsOf.apply(caller);
        return disk.list(caller).stream().filter(n -> teams.contains(n.name())).toList();
    }

    @Override
    public Node child(String name, Caller caller) throws AfsException {
        if (!teamsOf.apply(caller).contains(name)) {
            throw new AfsException(AfsError.NOT_FOUND, "/context/skills/" + disk.name() + "/" + name
                    + ": no such team skills directory among the teams you may read");
        }
        return disk.child(name, caller);
    }
}
