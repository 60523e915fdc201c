package dev.aegis.afs.democluster;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * fabric8's CRUD dispatcher, except that a request with {@code dryRun=All} answers as the real
 * API server does (the object as it would become) and then forgets the change. The mock server
 * applies dry runs for real, which would make the demo's shadow mode change the demo cluster.
 */
final class DryRunAwareDispatcher extends KubernetesCrudDispatcher {

    private static boolean dryRun(String path) {
        return path != null && path.contains("dryRun=All");
    }

    /** Runs {@code write} and puts every stored object back as it was. */
    private synchronized MockResponse unpersisted(Supplier<MockResponse> write) {
        Map<AttributeSet, String> before = new HashMap<>(map);
        try {
            return write.get();
        } finally {
            map.clear();
            map.putAll(before);
        }
    }

    @Override
    public MockResponse handlePatch(RecordedRequest request) {
        return dryRun(request.getPath()) ? unpersisted(() -> super.handlePatch(request)) : super.handlePatch(request);
    }

    @Override
    public MockResponse handleUpdate(RecordedRequest request) {
        return dryRun(request.getPath()) ? unpersisted(() -> super.handleUpdate(request)) : super.handleUpdate(request);
    }

    @Override
    public MockResponse handleCreate(RecordedRequest request) {
        return dryRun(request.getPath()) ? unpersisted(() -> super.handleCreate(request)) : super.handleCreate(request);
    }

    @Override
    public MockResponse handleDelete(String path) {
        return dryRun(path) ? unpersisted(() -> super.handleDelete(path)) : super.handleDelete(path);
    }
}
