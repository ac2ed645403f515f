package dev.orderpipeline.warehouse;

import dev.orderpipeline.config.Environment;
import dev.orderpipeline.config.Setting;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

/**
 * The statement timeout every warehouse connection carries: each statement it creates gets JDBC's
 * {@code setQueryTimeout}, so no dialect's driver can wait forever on a lock or a slow statement.
 * Dialects add their own server-side and socket timeouts when they connect (see README).
 */
public final class StatementTimeouts {
    private StatementTimeouts() {
    }

    /** {@code OPL_SINK_STATEMENT_TIMEOUT}'s default, for warehouses opened without a loader configuration. */
    public static Duration defaultTimeout() {
        return new Environment(Map.of()).duration(Setting.SINK_STATEMENT_TIMEOUT);
    }

    /** Whole seconds, at least one: JDBC's unit. */
    static int seconds(Duration timeout) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (timeout.toMillis() + 999) / 1000));
    }

    /** {@code connection}, whose statements (plain, prepared, callable) all time out after {@code timeout}. */
    static Connection apply(Connection connection, Duration timeout) {
        int seconds = seconds(timeout);
        InvocationHandler handler = (proxy, method, args) -> {
            Object result = invoke(connection, method, args);
            if (result instanceof Statement statement) {
                statement.setQueryTimeout(seconds);
            }
            return result;
        };
        return (Connection) Proxy.newProxyInstance(StatementTimeouts.class.getClassLoader(),
                new Class<?>[] {Connection.class}, handler);
    }

    private static Object invoke(Connection target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
