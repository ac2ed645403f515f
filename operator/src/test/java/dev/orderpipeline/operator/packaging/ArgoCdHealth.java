package dev.orderpipeline.operator.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JseMathLib;

/**
 * The chart's Argo CD health check run as Argo CD runs it: the resource as the global {@code obj}, only
 * the base, table, string and math libraries. Used on hand-written resources (ArgoCdHealthCheckTest) and
 * on live ones (the e2e story).
 */
public record ArgoCdHealth(String status, String message) {
    /** The chart's script for the resource's kind, on a live resource. */
    public static ArgoCdHealth of(HasMetadata live) {
        Path script = RepositoryFiles.root().resolve("charts/order-pipeline-operator/argocd/health-"
                + live.getKind().toLowerCase(java.util.Locale.ROOT) + ".lua");
        return run(script, JSON.valueToTree(live));
    }

    /** {@code script} on {@code resource} (JSON as Argo CD hands it over). */
    public static ArgoCdHealth run(Path script, JsonNode resource) {
        Globals globals = new Globals();
        globals.load(new JseBaseLib());
        globals.load(new PackageLib());
        globals.load(new TableLib());
        globals.load(new StringLib());
        globals.load(new JseMathLib());
        LoadState.install(globals);
        LuaC.install(globals);
        globals.set("obj", toLua(resource));
        try {
            LuaValue result = globals.load(Files.readString(script), script.getFileName().toString()).call();
            if (!result.istable()) {
                throw new AssertionError(script + " does not return a table");
            }
            return new ArgoCdHealth(result.get("status").tojstring(),
                    result.get("message").isnil() ? "" : result.get("message").tojstring());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** JSON as Argo CD hands it to Lua: objects and arrays as tables (arrays 1-based), numbers, strings, booleans. */
    private static LuaValue toLua(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return LuaValue.NIL;
        }
        if (node.isObject()) {
            LuaTable table = new LuaTable();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                table.set(field.getKey(), toLua(field.getValue()));
            }
            return table;
        }
        if (node.isArray()) {
            LuaTable table = new LuaTable();
            int i = 1;
            for (JsonNode element : node) {
                table.set(i++, toLua(element));
            }
            return table;
        }
        if (node.isBoolean()) {
            return LuaValue.valueOf(node.booleanValue());
        }
        if (node.canConvertToInt() && node.isIntegralNumber()) {
            return LuaValue.valueOf(node.intValue());
        }
        if (node.isNumber()) {
            return LuaValue.valueOf(node.doubleValue());
        }
        return LuaValue.valueOf(node.asText());
    }
}
