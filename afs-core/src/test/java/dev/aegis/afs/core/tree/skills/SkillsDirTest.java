package dev.aegis.afs.core.tree.skills;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.tree.DirNode;
import dev.aegis.afs.core.tree.FileNode;
import dev.aegis.afs.core.tree.Node;
import dev.aegis.afs.core.tree.OpenFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** _index.json lists each skill's name, summary, triggers and when to use it; the repo's skills are complete. */
class SkillsDirTest {

    @TempDir
    Path dir;

    private static String read(Node node) throws Exception {
        return read(node, Caller.self());
    }

    private static String read(Node node, Caller caller) throws Exception {
        try (OpenFile file = ((FileNode) node).open(caller)) {
            ByteBuffer buffer = ByteBuffer.allocate((int) file.size());
            int n = file.read(0, buffer);
            return new String(buffer.array(), 0, Math.max(n, 0), StandardCharsets.UTF_8);
        }
    }

    @Test
    void indexListsEverySkillAndNamesWhatIsMissing() throws Exception {
        Files.createDirectories(dir.resolve("good"));
        Files.writeString(dir.resolve("good/SKILL.md"), """
                ---
                name: good
                description: Does a thing.
                triggers: [5xx, "when did it start"]
                when_to_use: First.
                ---
                # Good
                """);
        Files.createDirectories(dir.resolve("bare"));
        Files.writeString(dir.resolve("bare/SKILL.md"), "# no front matter\n");
        SkillsDir skills = new SkillsDir(dir, Clock.systemUTC());
        assertEquals(List.of("_index.json", "bare", "good"), skills.list(Caller.self()).stream().map(Node::name).toList());
        JsonNode index = new ObjectMapper().readTree(read(skills.child("_index.json", Caller.self())));
        assertEquals(1, index.path("version").asInt());
        JsonNode bare = index.path("skills").get(0);
        assertEquals("bare", bare.path("name").asText());
        assertTrue(bare.path("problems").get(0).asText().startsWith("no front matter"), bare.toString());
        JsonNode good = index.path("skills").get(1);
        assertEquals("good", good.path("name").asText());
        assertEquals("good/SKILL.md", good.path("path").asText());
        assertEquals("Does a thing.", good.path("summary").asText());
        assertEquals("[\"5xx\",\"when did it start\"]", good.path("triggers").toString());
        assertEquals("First.", good.path("when_to_use").asText());
        assertEquals(0, good.path("problems").size());
    }

    @Test
    void indexIsBuiltOnceAndRebuiltWhenASkillChanges() throws Exception {
        Files.createDirectories(dir.resolve("a"));
        Path skill = dir.resolve("a/SKILL.md");
        Files.writeString(skill, "---\nname: a\ndescription: one\ntriggers: [x]\nwhen_to_use: y\n---\n");
        SkillIndex index = new SkillIndex(dir);
        String first = index.text();
        assertSame(first, index.text()); // cached
        Files.writeString(skill, "---\nname: a\ndescription: two\ntriggers: [x]\nwhen_to_use: y\n---\n");
        Files.setLastModifiedTime(skill, FileTime.from(Instant.now().plusSeconds(5)));
        String second = index.text();
        assertNotSame(first, second);
        assertTrue(second.contains("\"summary\" : \"two\""), second);
    }

    private static final String STRUCTURED = """
            skill: %s
            summary: pods run out of memory
            version: 2
            triggers: [{log: OutOfMemoryError}, {alert: KubeContainerOOMKilled}]
            steps:
              - {read: "/teams/{team}/{env}/logs/api.log?since=1h&grep=OutOfMemoryError", why: how often}
            """;

    /**
     * The shared library's skills for everyone, a team's own only for callers of that team (here
     * uid 1001 is payments, 1002 checkout); proposals are not in the index; a structured skill
     * gets its version and typed triggers, a broken one its problems at file:line:column.
     */
    @Test
    void indexShowsTheSharedLibraryAndTheCallersTeamsOwn() throws Exception {
        Files.writeString(dir.resolve("oom.yaml"), STRUCTURED.formatted("oom"));
        Files.createDirectories(dir.resolve("teams/payments"));
        Files.writeString(dir.resolve("teams/payments/pay-oom.yaml"), STRUCTURED.formatted("pay-oom"));
        Files.createDirectories(dir.resolve("teams/checkout"));
        Files.writeString(dir.resolve("teams/checkout/broken.yaml"), STRUCTURED.formatted("broken").replace("version: 2", "version: two"));
        Files.createDirectories(dir.resolve("proposed/payments"));
        Files.writeString(dir.resolve("proposed/payments/draft.yaml"), STRUCTURED.formatted("draft"));
        Caller payments = new Caller(1001, 1001, 1);
        Caller checkout = new Caller(1002, 1002, 1);
        Caller nobody = new Caller(1003, 1003, 1);
        SkillsDir skills = new SkillsDir(dir, Clock.systemUTC(), c -> switch (c.uid()) {
            case 1001 -> java.util.Set.of("payments");
            case 1002 -> java.util.Set.of("checkout");
            default -> java.util.Set.of();
        });
        JsonNode forPayments = new ObjectMapper().readTree(read(skills.child("_index.json", payments), payments)).path("skills");
        assertEquals(List.of("oom", "pay-oom"), names(forPayments));
        JsonNode shared = forPayments.get(0);
        assertEquals("structured", shared.path("kind").asText());
        assertEquals("shared", shared.path("scope").asText());
        assertEquals("oom.yaml", shared.path("file").asText());
        assertEquals("2", shared.path("version").asText());
        assertEquals("[{\"log\":\"OutOfMemoryError\"},{\"alert\":\"KubeContainerOOMKilled\"}]", shared.path("triggers").toString());
        JsonNode own = forPayments.get(1);
        assertEquals("team", own.path("scope").asText());
        assertEquals("payments", own.path("team").asText());
        assertEquals("teams/payments/pay-oom.yaml", own.path("file").asText());

        JsonNode forCheckout = new ObjectMapper().readTree(read(skills.child("_index.json", checkout), checkout)).path("skills");
        assertEquals(List.of("oom", "broken"), names(forCheckout));
        assertEquals("[\"teams/checkout/broken.yaml:3:10: version 'two' is not a version; write 1, 1.2 or 1.2.3\"]",
                forCheckout.get(1).path("problems").toString());
        assertEquals(List.of("oom"), names(new ObjectMapper().readTree(read(skills.child("_index.json", nobody), nobody)).path("skills")));

        // the directories: another team's are absent, as if they did not exist
        DirNode teams = (DirNode) skills.child("teams", payments);
        assertEquals(List.of("payments"), teams.list(payments).stream().map(Node::name).toList());
        assertEquals(List.of(), teams.list(nobody).stream().map(Node::name).toList());
        AfsException hidden = assertThrows(AfsException.class, () -> teams.child("checkout", payments));
        assertEquals(AfsError.NOT_FOUND, hidden.error());
        DirNode proposed = (DirNode) skills.child("proposed", payments);
        assertEquals(List.of("draft.yaml"), ((DirNode) proposed.child("payments", payments)).list(payments).stream()
                .map(Node::name).toList());
        assertThrows(AfsException.class, () -> ((DirNode) skills.child("proposed", checkout)).child("payments", checkout));
    }

    private static List<String> names(JsonNode skills) {
        List<String> out = new java.util.ArrayList<>();
        skills.forEach(s -> out.add(s.path("name").asText()));
        return out;
    }

    @Test
    void eachSetOfTeamsHasItsIndexCachedUntilASkillChanges() throws Exception {
        Files.createDirectories(dir.resolve("teams/payments"));
        Path own = dir.resolve("teams/payments/pay-oom.yaml");
        Files.writeString(own, STRUCTURED.formatted("pay-oom"));
        SkillIndex index = new SkillIndex(dir);
        String payments = index.text(java.util.Set.of("payments"));
        String none = index.text(java.util.Set.of());
        assertSame(payments, index.text(java.util.Set.of("payments")));
        assertSame(none, index.text(java.util.Set.of()));
        Files.writeString(own, STRUCTURED.formatted("pay-oom").replace("version: 2", "version: 3"));
        Files.setLastModifiedTime(own, FileTime.from(Instant.now().plusSeconds(5)));
        String changed = index.text(java.util.Set.of("payments"));
        assertTrue(changed.contains("\"version\" : \"3\""), changed);
        assertSame(none, index.text(java.util.Set.of())); // the shared library's did not change
    }

    /** The skills shipped in the repository: every one complete, none naming a fixed mountpoint. */
    @Test
    void repositorySkillsAreCompleteAndMountpointFree() throws Exception {
        Path repo = Path.of(System.getProperty("afs.repo", "..")).toAbsolutePath().normalize();
        SkillIndex index = new SkillIndex(repo.resolve("skills"));
        JsonNode skills = new ObjectMapper().readTree(index.text()).path("skills");
        assertTrue(skills.size() >= 5, skills.toString());
        for (JsonNode s : skills) {
            assertEquals(0, s.path("problems").size(), s.toString());
            assertTrue(s.path("triggers").size() > 0, s.toString());
            String text = Files.readString(repo.resolve("skills").resolve(s.path("path").asText()));
            assertTrue(!text.contains("/mnt/afs"), s.path("name").asText() + " names /mnt/afs");
        }
        try (var runbooks = Files.walk(repo.resolve("demo/runbooks"))) {
            for (Path p : runbooks.filter(Files::isRegularFile).toList()) {
                assertTrue(!Files.readString(p).contains("/mnt/afs"), p + " names /mnt/afs");
            }
        }
    }
}
