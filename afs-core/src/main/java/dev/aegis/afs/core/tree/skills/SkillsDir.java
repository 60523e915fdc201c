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

/**
 * {@code /context/skills}: the skills directory from namespaces.yaml, read-only, plus
 * {@code _index.json} (see {@link SkillIndex}).
 */
public final class SkillsDir implements DirNode {

    private final DiskDir disk;
    private final SkillIndex index;
    private final Clock clock;

    public SkillsDir(Path root, Clock clock) {
        this.disk = new DiskDir("skills", Objects.requireNonNull(root, "root is null"));
        this.index = new SkillIndex(root);
        this.clock = Objects.requireNonNull(clock, "clock is null");
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
        out.addAll(disk.list(caller));
        return out;
    }

    @Override
    public Node child(String name, Caller caller) throws AfsException {
        return name.equals(SkillIndex.FILE) ? indexFile() : disk.child(name, caller);
    }

    private TextFile indexFile() {
        return new TextFile(SkillIndex.FILE, clock, caller -> {
            try {
                return index.text();
            } catch (IOException e) {
                throw new AfsException(AfsError.INTERNAL, "/context/skills/" + SkillIndex.FILE
                        + ": cannot read the skills directory: " + e.getMessage() + "; check skills: in namespaces.yaml", e);
            }
        });
    }
}
