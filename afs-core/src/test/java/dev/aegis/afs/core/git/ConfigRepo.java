package dev.aegis.afs.core.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.TimeZone;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * A bare configuration repository for tests, made with JGit: three commits relative to base.
 * <ol>
 * <li>3h before: "initial manifests" by alice: envs/prod/payment-api/{deployment,values}.yaml, envs/staging/api.yaml</li>
 * <li>2h before: "staging: more replicas" by bob: envs/staging/api.yaml only</li>
 * <li>20m before: "payment-api: db pool 50 -> 10" by carol: envs/prod/payment-api/values.yaml (the deploy before the errors)</li>
 * </ol>
 */
public final class ConfigRepo {

    public static final String VALUES_V1 = "image: payment-api:1.4.1\ndbPool: 50\ntimeoutMs: 800\n";
    public static final String VALUES_V2 = "image: payment-api:1.4.2\ndbPool: 10\ntimeoutMs: 800\n";
    public static final String DEPLOYMENT = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: payment-api\nspec:\n  replicas: 3\n";

    public final Path bare;
    public final String initial;
    public final String staging;
    public final String poolChange;

    private ConfigRepo(Path bare, String initial, String staging, String poolChange) {
        this.bare = bare;
        this.initial = initial;
        this.staging = staging;
        this.poolChange = poolChange;
    }

    /** Creates {@code dir/config.git} (bare) with the three commits. */
    public static ConfigRepo create(Path dir, Instant base) throws IOException, GitAPIException {
        Path work = dir.resolve("work");
        try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            String c1 = commit(git, work, base.minusSeconds(3 * 3600), "alice", "initial manifests", Map.of(
                    "envs/prod/payment-api/deployment.yaml", DEPLOYMENT,
                    "envs/prod/payment-api/values.yaml", VALUES_V1,
                    "envs/staging/api.yaml", "replicas: 1\n"));
            String c2 = commit(git, work, base.minusSeconds(2 * 3600), "bob", "staging: more replicas",
                    Map.of("envs/staging/api.yaml", "replicas: 2\n"));
            String c3 = commit(git, work, base.minusSeconds(20 * 60), "carol", "payment-api: db pool 50 -> 10",
                    Map.of("envs/prod/payment-api/values.yaml", VALUES_V2));
            Path bare = dir.resolve("config.git");
            Git.cloneRepository().setURI(work.toUri().toString()).setDirectory(bare.toFile()).setBare(true).call().close();
            return new ConfigRepo(bare, c1, c2, c3);
        }
    }

    private static String commit(Git git, Path work, Instant at, String who, String message, Map<String, String> files)
            throws IOException, GitAPIException {
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = work.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue(), StandardCharsets.UTF_8);
            git.add().addFilepattern(f.getKey()).call();
        }
        PersonIdent ident = new PersonIdent(who, who + "@example.com", Date.from(at), TimeZone.getTimeZone("UTC"));
        RevCommit c = git.commit().setMessage(message).setAuthor(ident).setCommitter(ident).setSign(false).call();
        return c.name();
    }
}
