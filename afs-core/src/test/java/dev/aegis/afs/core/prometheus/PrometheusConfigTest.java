package dev.aegis.afs.core.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.aegis.afs.core.config.ConfigException;
import dev.aegis.afs.core.config.ConfigReader;
import dev.aegis.afs.core.source.Backend;
import dev.aegis.afs.core.source.BackendContext;
import dev.aegis.afs.core.tree.EnvContext;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Validation of the backend options and the metrics section, with positions. */
class PrometheusConfigTest {

    @TempDir
    Path dir;

    private Backend backend(String yaml) {
        return new PrometheusBackendType().create("prom", ConfigReader.parse("namespaces.yaml", yaml),
                new BackendContext(dir, Clock.systemUTC(), Map.of("SET", "x")::get));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        type: prometheus                                        | namespaces.yaml:1:1: missing key 'url'; add 'url: ...'
        type: prometheus\\nurl: localhost:9090                 | namespaces.yaml:2:6: 'localhost:9090' is not an http or https URL; write e.g. http://127.0.0.1:9090
        type: prometheus\\nurl: http://u:p@h:9090              | namespaces.yaml:2:6: the url holds credentials; move them to username and password_file
        type: prometheus\\nurl: http://h\\nretries: 11         | namespaces.yaml:3:10: value 11 is out of range; use a number from 0 to 10
        type: prometheus\\nurl: http://h\\nmax_points_per_series: 20000 | namespaces.yaml:3:24: value 20000 is out of range; use a number from 2 to 11000
        type: prometheus\\nurl: http://h\\ntimeout: 0s         | namespaces.yaml:3:10: timeout must be positive; write e.g. 30s
        type: prometheus\\nurl: http://h\\nusername: u         | namespaces.yaml:1:1: username is set without a password; add password_file or password_env
        type: prometheus\\nurl: http://h\\nbearer_token_env: UNSET | namespaces.yaml:3:19: environment variable UNSET is not set; export it or use bearer_token_file
        type: prometheus\\nurl: http://h\\nbearer_token_file: nope | namespaces.yaml:3:20: bearer_token_file DIR/nope is not a readable file; fix the path (relative paths resolve against the config file's directory)
        type: prometheus\\nurl: http://h\\nbearer_token_env: SET\\nusername: u\\npassword_env: SET | namespaces.yaml:1:1: both a bearer token and username/password are set; keep one way to authenticate
        """)
    void badOptionsNameThePositionAndTheFix(String yaml, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> backend(yaml.replace("\\n", "\n")));
        assertEquals(message.replace("DIR", dir.toString()), e.getMessage());
    }

    @Test
    void unknownOptionListsTheAllowedOnes() {
        ConfigException e = assertThrows(ConfigException.class, () -> backend("type: prometheus\nurl: http://h\ntimout: 5s"));
        assertEquals("namespaces.yaml:3:9: unknown key 'timout'; did you mean 'timeout'? (allowed here: bearer_token_env,"
                + " bearer_token_file, cache_ttl, max_points_per_series, password_env, password_file, retries, timeout,"
                + " type, url, username)", e.getMessage());
    }

    private void section(String yaml) {
        Backend prom = backend("type: prometheus\nurl: http://127.0.0.1:9");
        EnvContext env = new EnvContext("t", "e", "/teams/t/e", Map.of("prom", prom), Map.of(),
                new RecordingCaptures(dir.resolve("evidence"), Clock.systemUTC()), Clock.systemUTC(), dir);
        new MetricsSection().directory(env, ConfigReader.parse("namespaces.yaml", yaml));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        backend: prom                                             | namespaces.yaml:1:1: missing key 'series'; add 'series: ...'
        backend: nope\\nseries: {a: up}                          | namespaces.yaml:1:10: no backend named 'nope'; define it under backends: (known: prom)
        backend: prom\\nseries: {}                               | namespaces.yaml:2:9: series must map names to a PromQL expression or {metric: ..., match: {...}}, e.g. requests: {metric: http_requests_total, match: {job: api}}
        backend: prom\\nseries:\\n  a/b: up                     | namespaces.yaml:3:8: series name 'a/b' cannot be a file name; use letters, digits, '_', '.' and '-' (at most 100), starting with a letter or digit
        backend: prom\\nseries:\\n  a: {metric: 'http-requests'} | namespaces.yaml:3:15: 'http-requests' is not a metric name; write e.g. http_requests_total (for anything else write the series as a PromQL expression string)
        backend: prom\\nseries:\\n  a: {metric: up, match: {2x: y}} | namespaces.yaml:3:31: '2x' is not a label name; a label name is a letter or _ followed by letters, digits and _
        backend: prom\\nseries:\\n  a: {metric: up, matches: {}} | namespaces.yaml:3:28: unknown key 'matches'; did you mean 'match'? (allowed here: match, metric)
        backend: prom\\nseries:\\n  a: '  '                     | namespaces.yaml:3:6: the PromQL expression is empty; write e.g. sum(rate(http_requests_total[5m]))
        backend: prom\\nseries:\\n  a: {match: {job: x}}        | namespaces.yaml:3:6: missing key 'metric'; add 'metric: ...'
        """)
    void badSectionsNameThePositionAndTheFix(String yaml, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> section(yaml.replace("\\n", "\n")));
        assertEquals(message, e.getMessage());
    }
}
