package dev.aegis.afs.core.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.config.ConfigException;
import dev.aegis.afs.core.config.ConfigReader;
import dev.aegis.afs.core.prometheus.RecordingCaptures;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.BackendContext;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.EnvContext;
import dev.aegis.afs.core.tree.TreeReads;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okio.Buffer;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code type: git} with {@code url}: the backend mirrors a repository served over HTTP (git's
 * dumb protocol, files of a bare repository, behind basic auth as a git host puts a token), with
 * the credentials read from files. The server refuses anyone without the token; a wrong token
 * fails the read naming the remote, never the secret.
 */
class GitRemoteTest {

    private static final Instant BASE = Instant.parse("2026-11-21T10:00:00Z");
    private static final String TOKEN = "ghp_s3cretToken0123";

    @TempDir
    Path dir;

    private ConfigRepo repo;
    private MockWebServer server;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        repo = ConfigRepo.create(dir, BASE);
        serverInfo(repo.bare);
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return serve(request);
            }
        });
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    @AfterEach
    void tearDown() throws IOException {
        server.shutdown();
    }

    /** What {@code git update-server-info} writes: the dumb protocol's list of refs and of packs. */
    private static void serverInfo(Path bare) throws IOException {
        try (Repository r = new FileRepositoryBuilder().setGitDir(bare.toFile()).build()) {
            StringBuilder refs = new StringBuilder();
            for (Ref ref : r.getRefDatabase().getRefsByPrefix("refs/")) {
                refs.append(ref.getObjectId().name()).append('\t').append(ref.getName()).append('\n');
            }
            Files.createDirectories(bare.resolve("info"));
            Files.writeString(bare.resolve("info/refs"), refs.toString());
        }
        StringBuilder packs = new StringBuilder();
        try (Stream<Path> files = Files.list(bare.resolve("objects/pack"))) {
            files.filter(p -> p.toString().endsWith(".pack")).forEach(p -> packs.append("P ").append(p.getFileName()).append('\n'));
        }
        Files.createDirectories(bare.resolve("objects/info"));
        Files.writeString(bare.resolve("objects/info/packs"), packs.append('\n').toString());
    }

    /** Static files of the bare repository under /deploy.git/, for the token only (as a git host). */
    private MockResponse serve(RecordedRequest request) {
        String auth = request.getHeader("Authorization");
        authorizations.add(auth == null ? "" : auth);
        if (!okhttp3.Credentials.basic("deployer", TOKEN).equals(auth)) {
            return new MockResponse().setResponseCode(401).setHeader("WWW-Authenticate", "Basic realm=\"git\"");
        }
        String path = request.getRequestUrl().encodedPath();
        if (!path.startsWith("/deploy.git/") || path.contains("..")) {
            return new MockResponse().setResponseCode(404);
        }
        Path file = repo.bare.resolve(path.substring("/deploy.git/".length()));
        try {
            if (!Files.isRegularFile(file)) {
                return new MockResponse().setResponseCode(404);
            }
            return new MockResponse().setHeader("Content-Type", "application/octet-stream")
                    .setBody(new Buffer().write(Files.readAllBytes(file)));
        } catch (IOException e) {
            return new MockResponse().setResponseCode(500);
        }
    }

    private DirNode config(String credentials) throws Exception {
        Clock clock = Clock.fixed(BASE, ZoneOffset.UTC);
        Backend git = new GitBackendType().create("deploy", ConfigReader.parse("namespaces.yaml",
                "type: git\nrepo: mirror.git\nbranch: main\nurl: " + server.url("/deploy.git") + "\n" + credentials),
                new BackendContext(dir, clock, k -> null));
        EnvContext env = new EnvContext("payments", "prod", "/teams/payments/prod", Map.of("deploy", git), Map.of(),
                new RecordingCaptures(Files.createDirectories(dir.resolve("evidence")), clock), clock, dir);
        return new ConfigSection().directory(env, ConfigReader.parse("namespaces.yaml", "backend: deploy\npath: envs/prod\n"));
    }

    private static String read(DirNode config, String path) throws Exception {
        return TreeReads.read(config, path);
    }

    @Test
    void aMirrorIsFetchedWithTheTokenFromItsFile() throws Exception {
        Files.writeString(dir.resolve("git.token"), TOKEN + "\n");
        DirNode config = config("username: deployer\npassword_file: git.token\n");
        String history = read(config, ".history");
        assertTrue(history.contains("carol <carol@example.com> payment-api: db pool 50 -> 10"), history);
        assertTrue(read(config, "payment-api/values.yaml").contains("dbPool: 10"));
        assertTrue(Files.isDirectory(dir.resolve("mirror.git/objects")), "the mirror is a bare repository beside the config");
        assertFalse(authorizations.isEmpty());
        assertTrue(authorizations.stream().allMatch(a -> a.equals(okhttp3.Credentials.basic("deployer", TOKEN))),
                "every request carried the token: " + authorizations);
    }

    @Test
    void aWrongTokenFailsTheReadNamingTheRemoteNotTheSecret() throws Exception {
        Files.writeString(dir.resolve("git.token"), "wrong-token-4567\n");
        DirNode config = config("username: deployer\npassword_file: git.token\n");
        AfsException e = assertThrows(AfsException.class, () -> read(config, ".history"));
        assertEquals(AfsError.BACKEND_FAILURE, e.error());
        assertTrue(e.getMessage().startsWith("git:deploy: cannot fetch " + server.url("/deploy.git")), e.getMessage());
        assertFalse(e.getMessage().contains("wrong-token-4567"), e.getMessage());

        Files.writeString(dir.resolve("git.token"), TOKEN + "\n"); // rotated: read at the next fetch
        assertTrue(read(config, ".history").contains("db pool 50 -> 10"));
    }

    @Test
    void credentialsWithoutUrlAndSshUrlsAreRefusedWithTheFix() {
        ConfigException noUrl = assertThrows(ConfigException.class, () -> new GitBackendType().create("deploy",
                ConfigReader.parse("namespaces.yaml", "type: git\nrepo: config.git\npassword_file: x\n"),
                new BackendContext(dir, Clock.systemUTC(), k -> null)));
        assertTrue(noUrl.getMessage().contains("password_file applies to a mirror fetched from url"), noUrl.getMessage());
        ConfigException ssh = assertThrows(ConfigException.class, () -> new GitBackendType().create("deploy",
                ConfigReader.parse("namespaces.yaml", "type: git\nrepo: m.git\nurl: git@github.com:acme/deploy.git\n"),
                new BackendContext(dir, Clock.systemUTC(), k -> null)));
        assertTrue(ssh.getMessage().contains("is not an http or https URL"), ssh.getMessage());
    }
}
