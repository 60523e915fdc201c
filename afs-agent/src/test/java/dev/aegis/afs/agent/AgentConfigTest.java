package dev.aegis.afs.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {

    @TempDir
    Path dir;

    static final String BASE = """
            cluster: prod-eu
            control_plane: https://afs.example:7780
            root_public_key: 11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo
            policy: policy.yaml
            data_dir: data
            """;

    AgentConfig read(String yaml) throws Exception {
        Path p = dir.resolve("agent.yaml");
        Files.writeString(p, yaml);
        return AgentConfig.read(p);
    }

    @Test
    void defaultsAndRelativePaths() throws Exception {
        AgentConfig c = read(BASE);
        assertEquals(dir.resolve("agent.key"), c.agentKey());
        assertEquals(dir.resolve("data"), c.dataDir());
        assertEquals(Duration.ofSeconds(5), c.pollIdle());
        assertEquals(Duration.ofSeconds(1), c.pollBusy());
        assertTrue(c.statusListen().isEmpty());
    }

    @Test
    void mistakesAreNamedWithTheirFix() {
        assertMessage(BASE + "stauts_listen: 127.0.0.1:1\n", "unknown key 'stauts_listen'");
        assertMessage(BASE + "status_listen: 0.0.0.0:9477\n", "is not a loopback address");
        assertMessage(BASE.replace("https://afs.example:7780", "http://afs.example:7780"), "control_plane must be https://");
        assertMessage(BASE + "poll: {idle: 5 seconds}\n", "poll.idle '5 seconds' is not a positive duration");
        assertMessage(BASE.replace("cluster: prod-eu", "cluster: Prod_EU"), "must be a DNS-style name");
        assertMessage(BASE.replace("policy: policy.yaml\n", ""), "'policy' is missing");
        assertMessage(BASE.replace("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "REPLACE-me"), "root_public_key: 'REPLACE-me' is not an Ed25519");
    }

    private void assertMessage(String yaml, String expected) {
        AgentConfig.Invalid e = assertThrows(AgentConfig.Invalid.class, () -> read(yaml));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
