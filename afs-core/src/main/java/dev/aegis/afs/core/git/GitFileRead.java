package dev.aegis.afs.core.git;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.evidence.CaptureInfo;
import dev.aegis.afs.core.evidence.SnapshotOutput;
import dev.aegis.afs.core.evidence.SnapshotProducer;
import dev.aegis.afs.core.source.ReadStats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;

/** One read of a file in {@code config/}: its blob at the tip, as {@code git show <commit>:<path>}. */
final class GitFileRead implements SnapshotProducer {

    /** Larger files are refused: config files are small, and a snapshot is held whole. */
    static final long MAX_BYTES = 16L * 1024 * 1024;

    private final String treePath;
    private final GitView view;
    private final String relative;

    GitFileRead(String treePath, GitView view, String relative) {
        this.treePath = Objects.requireNonNull(treePath, "treePath is null");
        this.view = Objects.requireNonNull(view, "view is null");
        this.relative = Objects.requireNonNull(relative, "relative is null");
    }

    @Override
    public CaptureInfo produce(SnapshotOutput out) throws AfsException {
        long started = System.nanoTime();
        RevCommit tip = view.backend().tip();
        ObjectId blob = view.blob(tip, relative).orElseThrow(() -> new AfsException(AfsError.NOT_FOUND, treePath
                + ": no longer in " + view.backend().label() + " at " + tip.name().substring(0, 12)));
        byte[] bytes = view.bytes(blob, MAX_BYTES);
        String text = new String(bytes, StandardCharsets.UTF_8);
        List<String> lines = text.lines().toList();
        for (String line : lines) {
            out.line(line);
        }
        int n = lines.size();
        return new CaptureInfo(view.backend().label(), "git show " + tip.name() + ":" + view.repoPath(relative),
                Optional.empty(), ReadStats.complete(bytes.length, n, Duration.ofNanos(System.nanoTime() - started)),
                Map.of("commit", tip.name(), "blob", blob.name()));
    }
}
