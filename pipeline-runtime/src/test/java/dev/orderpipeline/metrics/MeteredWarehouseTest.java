package dev.orderpipeline.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orderpipeline.warehouse.Warehouse;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The loader reaches its warehouse only through this wrapper: a method of {@link Warehouse} it does not pass on
 * falls back to the interface's default, and the dialect's own behaviour is silently lost (DuckDB's checkpoint
 * between batches was, once).
 */
class MeteredWarehouseTest {
    @Test
    void everyMethodOfTheWarehouseInterfaceIsPassedOnToTheWrappedWarehouse() {
        List<String> missing = Arrays.stream(Warehouse.class.getMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()))
                .filter(m -> !declares(m))
                .map(Method::getName)
                .toList();
        assertEquals(List.of(), missing, "MeteredWarehouse must override (and pass on) every Warehouse method");
        assertTrue(declares(method("tidy")), "the check sees default methods too");
    }

    private static boolean declares(Method method) {
        try {
            return MeteredWarehouse.class.getDeclaredMethod(method.getName(), method.getParameterTypes()) != null;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static Method method(String name) {
        return Arrays.stream(Warehouse.class.getMethods()).filter(m -> m.getName().equals(name)).findFirst().orElseThrow();
    }
}
