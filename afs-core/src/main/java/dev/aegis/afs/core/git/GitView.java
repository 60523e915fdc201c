package dev.aegis.afs.core.git;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.revwalk.filter.CommitTimeRevFilter;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.EmptyTreeIterator;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.AndTreeFilter;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/** One env's folder ({@code root}) of a repository: its entries, blobs, commits and diffs. */
final class GitView {

    /** An entry of a folder at a commit. */
    record Entry(String name, boolean directory) {
    }

    /** A commit as {@code .history} shows it. */
    record Commit(String id, Instant time, String author, String email, String subject) {
        String line() {
            return time + " " + id.substring(0, 12) + " " + author + " <" + email + "> " + subject;
        }
    }

    private final GitBackend backend;
    private final String root;

    GitView(GitBackend backend, String root) {
        this.backend = Objects.requireNonNull(backend, "backend is null");
        this.root = Objects.requireNonNull(root, "root is null");
    }

    GitBackend backend() {
        return backend;
    }

    /** {@code relative} inside the repository. */
    String repoPath(String relative) {
        return root.isEmpty() ? relative : relative.isEmpty() ? root : root + "/" + relative;
    }

    /** The folder's entries at {@code commit}, or empty when it is not a folder there. */
    Optional<List<Entry>> list(RevCommit commit, String relative) throws AfsException {
        String path = repoPath(relative);
        try (TreeWalk walk = path.isEmpty() ? new TreeWalk(backend.repository())
                : TreeWalk.forPath(backend.repository(), path, commit.getTree())) {
            if (path.isEmpty()) {
                walk.addTree(commit.getTree());
            } else {
                if (walk == null || !walk.getFileMode(0).equals(FileMode.TREE)) {
                    return Optional.empty();
                }
                walk.enterSubtree();
            }
            List<Entry> out = new ArrayList<>();
            while (walk.next()) {
                out.add(new Entry(walk.getNameString(), walk.getFileMode(0).equals(FileMode.TREE)));
            }
            return Optional.of(out);
        } catch (IOException e) {
            throw failure("list " + path, e);
        }
    }

    /** A blob's id at {@code commit}, empty when there is no file there. */
    Optional<ObjectId> blob(RevCommit commit, String relative) throws AfsException {
        String path = repoPath(relative);
        try (TreeWalk walk = TreeWalk.forPath(backend.repository(), path, commit.getTree())) {
            if (walk == null || walk.getFileMode(0).equals(FileMode.TREE) || walk.getFileMode(0).equals(FileMode.GITLINK)) {
                return Optional.empty();
            }
            return Optional.of(walk.getObjectId(0));
        } catch (IOException e) {
            throw failure("read " + path, e);
        }
    }

    byte[] bytes(ObjectId blob, long max) throws AfsException {
        try {
            ObjectLoader loader = backend.repository().open(blob);
            if (loader.getSize() > max) {
                throw new AfsException(AfsError.TOO_LARGE, backend.label() + ": " + blob.name() + " is " + loader.getSize()
                        + " bytes, over " + max + "; read it from the repository directly");
            }
            return loader.getBytes();
        } catch (AfsException e) {
            throw e;
        } catch (IOException e) {
            throw failure("read " + blob.name(), e);
        }
    }

    /** Commits reachable from {@code head} touching the folder with a commit time in [from, to), oldest first. */
    List<Commit> history(RevCommit head, Instant from, Instant to) throws AfsException {
        try (RevWalk walk = new RevWalk(backend.repository())) {
            walk.markStart(walk.parseCommit(head));
            if (!root.isEmpty()) {
                walk.setTreeFilter(AndTreeFilter.create(PathFilter.create(root), TreeFilter.ANY_DIFF));
            }
            if (from != null) {
                walk.setRevFilter(CommitTimeRevFilter.after(from.toEpochMilli() - 1));
            }
            List<Commit> out = new ArrayList<>();
            for (RevCommit c : walk) {
                Instant t = Instant.ofEpochSecond(c.getCommitTime());
                if ((from == null || !t.isBefore(from)) && (to == null || t.isBefore(to))) {
                    out.add(new Commit(c.name(), t, c.getAuthorIdent().getName(), c.getAuthorIdent().getEmailAddress(),
                            c.getShortMessage()));
                }
            }
            java.util.Collections.reverse(out);
            return out;
        } catch (IOException e) {
            throw failure("walk the history", e);
        }
    }

    /** The newest commit reachable from {@code head} with a commit time before {@code t}, if any. */
    Optional<RevCommit> before(RevCommit head, Instant t) throws AfsException {
        try (RevWalk walk = new RevWalk(backend.repository())) {
            walk.markStart(walk.parseCommit(head));
            for (RevCommit c : walk) {
                if (Instant.ofEpochSecond(c.getCommitTime()).isBefore(t)) {
                    return Optional.of(c);
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw failure("walk the history", e);
        }
    }

    /** The first parent of {@code c}, if any. */
    Optional<RevCommit> parent(RevCommit c) throws AfsException {
        if (c.getParentCount() == 0) {
            return Optional.empty();
        }
        try (RevWalk walk = new RevWalk(backend.repository())) {
            return Optional.of(walk.parseCommit(c.getParent(0)));
        } catch (IOException e) {
            throw failure("read " + c.name() + "^", e);
        }
    }

    /** The unified diff of the folder from {@code base} (empty: nothing) to {@code head}, as {@code git diff} prints it. */
    String diff(Optional<RevCommit> base, RevCommit head) throws AfsException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DiffFormatter f = new DiffFormatter(out)) {
            f.setRepository(backend.repository());
            if (!root.isEmpty()) {
                f.setPathFilter(PathFilter.create(root));
            }
            List<DiffEntry> entries;
            if (base.isPresent()) {
                entries = f.scan(base.get().getTree(), head.getTree());
            } else {
                CanonicalTreeParser headTree = new CanonicalTreeParser();
                try (var reader = backend.repository().newObjectReader()) {
                    headTree.reset(reader, head.getTree());
                }
                entries = f.scan(new EmptyTreeIterator(), headTree);
            }
            f.format(entries);
        } catch (IOException e) {
            throw failure("diff", e);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private AfsException failure(String what, IOException e) {
        return new AfsException(AfsError.BACKEND_FAILURE, backend.label() + ": cannot " + what + ": " + e.getMessage());
    }
}
