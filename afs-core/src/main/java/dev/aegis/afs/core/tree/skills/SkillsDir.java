package dev.aegis.afs.core.tree.skills;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.NodeAttributes;
import dev.aegis.afs.core.tree.TextFile;
import dev.aegis.afs.core.tree.disk.DiskDir;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code /context/skills}: the skills library from namespaces.yaml, read-only. The shared
 * library (the directory's skills) is shown to everyone; {@code teams/<team>/} (a team's own
 * skills) and {@code proposed/<team>/} (drafts from {@code afs skills propose}) only to callers
 * who may read an env of that team, as {@code /teams/<team>} is. {@code _index.json} (see
 * {@link SkillIndex}) lists the shared skills and the caller's teams' own.
 */
public final class SkillsDir implements DirNode {

    private final Path root;
    private final DiskDir disk;
    private final SkillIndex index;
    private final Clock clock;
    private final Function<Caller, Set<String>> teamsOf;

    /** A library without team skills (every caller sees the shared library only). */
    public SkillsDir(Path root, Clock clock) {
        this(root, clock, caller -> Set.of());
    }

    /** @param teamsOf the teams whose own skills a caller sees: those it may read an env of */
    public SkillsDir(Path root, Clock clock, Function<Caller, Set<String>> teamsOf) {
        this.root = Objects.requireNonNull(root, "root is null");
        this.disk = new DiskDir("skills", root);
        this.index = new SkillIndex(root);
        this.clock = Objects.requireNonNull(clock, "clock is null");
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
        List<Node> out = new ArrayList<>();
        out.add(indexFile());
        for (Node n : disk.list(caller)) {
            out.add(switch (n.name()) {
                case SkillIndex.TEAMS, SkillIndex.PROPOSED -> teamView(n.name());
                default -> n;
            });
        }
        return out;
    }

    @Override
    public Node child(String name, Caller caller) throws AfsException {
        return switch (name) {
            case SkillIndex.FILE -> indexFile();
            case SkillIndex.TEAMS, SkillIndex.PROPOSED -> {
                disk.child(name, caller); // NOT_FOUND when the library has none
                yield teamView(name);
            }
            default -> disk.child(name, caller);
        };
    }

    private TeamSkillsDir teamView(String name) {
        return new TeamSkillsDir(name, root.resolve(name), teamsOf);
    }

    private TextFile indexFile() {
        return new TextFile(SkillIndex.FILE, clock, caller -> {
            try {
                return index.text(teamsOf.apply(caller));
            } catch (IOException e) {
                throw new AfsException(AfsError.INTERNAL, "/context/skills/" + SkillIndex.FILE
                        + ": cannot read the skills directory: " + e.getMessage() + "; check skills: in namespaces.yaml", e);
            }
        });
    }
}
