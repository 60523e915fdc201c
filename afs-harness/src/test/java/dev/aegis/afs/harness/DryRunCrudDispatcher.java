package dev.aegis.afs.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * The CRUD dispatcher ignores {@code dryRun=All} and persists the change; a real API server
 * does not. This one answers dry-run PATCH and DELETE as the API server would (the would-be
 * object) without storing anything, and remembers which requests were dry runs.
 */
final class DryRunCrudDispatcher extends KubernetesCrudDispatcher {

    private static final ObjectMapper JSON = new ObjectMapper();
    final List<String> dryRuns = new CopyOnWriteArrayList<>();
    final List<String> writes = new CopyOnWriteArrayList<>();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String path = request.getPath();
        String method = request.getMethod();
        boolean write = !method.equals("GET");
        if (write && path.contains("dryRun=All")) {
            dryRuns.add(method + " " + path);
            String plain = path.substring(0, path.indexOf('?'));
            MockResponse current = handleGet(plain);
            if (method.equals("DELETE")) {
                return current;
            }
            try {
                JsonNode original = JSON.readTree(current.getBody().readUtf8());
                JsonNode patch = JSON.readTree(request.getBody().readUtf8());
                return new MockResponse().setResponseCode(200).setBody(JSON.writeValueAsString(JsonPatch.apply(patch, original)));
            } catch (Exception e) {
                return new MockResponse().setResponseCode(500).setBody(e.toString());
            }
        }
        if (write) {
            writes.add(method + " " + path);
        }
        return super.dispatch(request);
    }
}
