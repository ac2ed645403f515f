package dev.orderpipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** OPL_HTTP_BIND_ADDRESS: every interface unless told otherwise, and only ever an IP address. */
class HttpBindAddressTest {
    @Test
    void theEndpointsListenOnEveryInterfaceByDefault() {
        assertEquals("0.0.0.0", new Environment(Map.of()).ipAddress(Setting.HTTP_BIND_ADDRESS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.7", "10.1.2.3", "::1", "0.0.0.0"})
    void anIpAddressIsTakenAsGiven(String address) {
        assertEquals(address, new Environment(Map.of("OPL_HTTP_BIND_ADDRESS", address)).ipAddress(Setting.HTTP_BIND_ADDRESS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "127.0.0.256", "pod.example", "127.0.0", "http://127.0.0.1"})
    void anythingElseIsRefusedNamingTheSetting(String value) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new Environment(Map.of("OPL_HTTP_BIND_ADDRESS", value)).ipAddress(Setting.HTTP_BIND_ADDRESS));
        assertTrue(e.getMessage().startsWith("OPL_HTTP_BIND_ADDRESS='" + value + "' is invalid"), e.getMessage());
        assertTrue(e.getMessage().contains("IP address"), e.getMessage());
    }
}
