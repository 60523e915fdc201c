package dev.aegis.afs.core.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegis.afs.core.Afs;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.config.ConfigException;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.FileNode;
import dev.aegis.afs.core.tree.LiveFile;
import dev.aegis.afs.core.tree.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * uids x teams x envs x operations: each caller sees and reads exactly the envs its access
 * lists grant, through uid, gid, named group and supplementary groups.
 */
class AccessMatrixTest {

    @TempDir
    Path dir;
    private Afs afs;

    // uid 1001 alice (group payments=3001), uid 1002 bob (checkout=3002 via /etc/group membership),
    // uid 1003 carol (primary gid 3003 "auditors"), uid 1004 mallory (nothing), uid 0 root
    private static final Caller ALICE = new Caller(1001, 3001, 1);
    private static final Caller BOB = new Caller(1002, 100, 1);
    private static final Caller CAROL = new Caller(1003, 3003, 1);
    private static final Caller MALLORY = new Caller(1004, 100, 1);
    private static final Caller ROOT = new Caller(0, 0, 1);

    @BeforeEach
    void load() throws Exception {
        Files.createDirectories(dir.resolve("logs"));
        Files.writeString(dir.resolve("logs/a.log"), "2026-11-21T10:00:00Z hello\n");
        Files.writeString(dir.resolve("passwd"), """
                root:x:0:0::/root:/bin/bash
                alice:x:1001:3001::/home/alice:/bin/bash
                bob:x:1002:100::/home/bob:/bin/bash
                carol:x:1003:3003::/home/carol:/bin/bash
                mallory:x:1004:100::/home/mallory:/bin/bash
                """);
        Files.writeString(dir.resolve("group"), """
                payments:x:3001:
                checkout:x:3002:bob
                auditors:x:3003:
                """);
        Files.writeString(dir.resolve("namespaces.yaml"), """
                evidence: {dir: evidence}
                backends:
                  local: {type: file, root: logs, cache_ttl: 0s}
                teams:
                  payments:
                    prod:
                      access: {read: [group:payments, gid:3003]}
                      logs: {app: {backend: local, path: a.log}}
                    staging:
                      access: {read: [user:alice]}
                      logs: {app: {backend: local, path: a.log}}
                  checkout:
                    prod:
                      access: {read: [group:checkout, uid:1003]}
                      logs: {app: {backend: local, path: a.log}}
                    dev:
                      logs: {app: {backend: local, path: a.log}}
                """);
        UnixAccounts accounts = FileNameService.accounts(dir.resolve("passwd"), dir.resolve("group"), dir.resolve("no-proc"));
        afs = Afs.load(dir.resolve("namespaces.yaml"), Clock.systemUTC(), System::getenv, accounts, List.of());
    }

    @AfterEach
    void close() {
        afs.close();
    }

    @Test
    void everyCallerSeesAndReadsExactlyItsEnvs() throws Exception {
        Map<Caller, List<String>> allowed = Map.of(
                ALICE, List.of("payments/prod", "payments/staging"),
                BOB, List.of("checkout/prod"),
                CAROL, List.of("payments/prod", "checkout/prod"),
                MALLORY, List.of(),
                ROOT, List.of("payments/prod", "payments/staging", "checkout/prod", "checkout/dev"));
        List<String> all = List.of("payments/prod", "payments/staging", "checkout/prod", "checkout/dev");
        for (Map.Entry<Caller, List<String>> e : allowed.entrySet()) {
            Caller caller = e.getKey();
            List<String> visible = new ArrayList<>();
            for (Node team : ((DirNode) afs.resolve("/teams", caller)).list(caller)) {
                for (Node env : ((DirNode) team).list(caller)) {
                    visible.add(team.name() + "/" + env.name());
                }
            }
            assertEquals(e.getValue().stream().sorted().toList(), visible.stream().sorted().toList(), "ls for uid " + caller.uid());
            for (String env : all) {
                String file = "/teams/" + env + "/logs/app.log";
                if (e.getValue().contains(env)) {
                    Node node = afs.resolve(file, caller);
                    node.attributes(caller);
                    try (var open = ((FileNode) node).open(caller)) {
                        assertTrue(open.size() > 0, "read " + file + " as uid " + caller.uid());
                    }
                    assertTrue(((LiveFile) node).xattr(LiveFile.XATTR_EVIDENCE, caller).isPresent());
                } else {
                    for (String path : List.of("/teams/" + env, file, file + "?tail=1")) {
                        AfsException denied = assertThrows(AfsException.class, () -> afs.resolve(path, caller),
                                path + " as uid " + caller.uid());
                        assertEquals(AfsError.ACCESS_DENIED, denied.error());
                        assertTrue(denied.getMessage().contains("access.read"), denied.getMessage());
                    }
                }
            }
        }
    }

    @Test
    void evidenceIsShownOnlyToReadersOfItsEnv() throws Exception {
        LiveFile file = (LiveFile) afs.resolve("/teams/checkout/prod/logs/app.log", BOB);
        file.open(BOB).close();
        String evidence = file.xattr(LiveFile.XATTR_EVIDENCE, BOB).orElseThrow();
        String day = evidence.split("/")[2];
        afs.resolve(evidence, CAROL);
        assertEquals(1, ((DirNode) afs.resolve("/evidence/" + day, CAROL)).list(CAROL).size());
        assertEquals(0, ((DirNode) afs.resolve("/evidence/" + day, ALICE)).list(ALICE).size());
        assertEquals(AfsError.ACCESS_DENIED, assertThrows(AfsException.class, () -> afs.resolve(evidence, ALICE)).error());
        assertEquals(AfsError.ACCESS_DENIED, assertThrows(AfsException.class, () -> afs.resolve(evidence, MALLORY)).error());
    }

    @Test
    void unknownNamesInAccessListsAreConfigErrors() throws Exception {
        Files.writeString(dir.resolve("bad.yaml"), """
                backends: {local: {type: file, root: logs}}
                teams:
                  payments:
                    prod:
                      access: {read: [group:payment]}
                      logs: {app: {backend: local, path: a.log}}
                """);
        UnixAccounts accounts = FileNameService.accounts(dir.resolve("passwd"), dir.resolve("group"), dir.resolve("no-proc"));
        ConfigException e = assertThrows(ConfigException.class,
                () -> Afs.load(dir.resolve("bad.yaml"), Clock.systemUTC(), System::getenv, accounts, List.of()));
        assertTrue(e.getMessage().matches(".*bad.yaml:5:\\d+: no group 'payment'.*"), e.getMessage());
    }
}
