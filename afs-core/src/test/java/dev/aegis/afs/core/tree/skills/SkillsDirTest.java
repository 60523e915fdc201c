package dev.aegis.afs.core.tree.skills;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aegis.afs.core.Caller;
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
        try (OpenFile file = ((FileNode) node).open(Caller.self())) {
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
