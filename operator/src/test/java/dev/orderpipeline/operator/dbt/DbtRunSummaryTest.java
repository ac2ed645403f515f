package dev.orderpipeline.operator.dbt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Summaries written by dbt/scripts/summarize_run_results.py from real dbt runs (src/test/resources/dbt). */
class DbtRunSummaryTest {

    static String resource(String name) {
        try (InputStream in = DbtRunSummaryTest.class.getResourceAsStream("/dbt/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aRunWithAFailingTestIsReadWithTheTestsName() throws Exception {
        DbtRunSummary summary = DbtRunSummary.parse(resource("summary-failing-test.json"));
        assertFalse(summary.ok());
        assertEquals("build", summary.command());
        assertEquals(6, summary.models().ok());
        assertEquals(0, summary.models().error());
        assertEquals(43, summary.tests().pass());
        assertEquals(1, summary.testsFailed());
        assertEquals(List.of("assert_fail_demo"), summary.failingTests());
    }

    @Test
    void aSuccessfulRunIsOk() throws Exception {
        DbtRunSummary summary = DbtRunSummary.parse(resource("summary-ok.json"));
        assertTrue(summary.ok());
        assertEquals(44, summary.tests().pass());
        assertEquals(0, summary.testsFailed());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "dbt exited with secret-ish text", "[1,2]", "{\"status\":\"ok\"}",
            "{\"status\":\"maybe\",\"models\":{},\"tests\":{}}", "{\"status\":\"ok\",\"models\":{\"ok\":\"many\"},\"tests\":{}}",
            "{\"status\":\"ok\",\"models\":[],\"tests\":{}}", "{\"status\":\"ok\",\"models\":{\"ok\":1}"})
    void anythingElseIsMalformedAndTheTextIsNotRepeated(String message) {
        DbtRunSummary.MalformedSummaryException e = assertThrows(DbtRunSummary.MalformedSummaryException.class,
                () -> DbtRunSummary.parse(message));
        assertFalse(e.getMessage().contains("secret-ish"), e.getMessage());
    }
}
