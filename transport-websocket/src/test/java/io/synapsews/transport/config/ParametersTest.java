package io.synapsews.transport.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one parameter reader: defaults, types, ranges, and messages that name the file and the parameter. */
class ParametersTest {

    enum Policy { WAIT, CLOSE }

    private static Parameters of(Map<String, String> values) {
        return new Parameters(values::get, p -> "conf/ep.xml: parameter '" + p + "'");
    }

    private static String message(Executable e) {
        return assertThrows(ParameterException.class, e::run).getMessage();
    }

    interface Executable {
        void run() throws ParameterException;
    }

    @Test
    void missingOrBlankValuesAreTheDefault() throws Exception {
        Parameters p = of(Map.of("blank", "  "));
        assertEquals(7, p.integer("n", 7, 0, 10));
        assertEquals(7, p.integer("blank", 7, 0, 10));
        assertTrue(p.bool("b", true));
        assertEquals(Policy.WAIT, p.choice("policy", Policy.class, Policy.WAIT));
        assertEquals(Duration.ofSeconds(10), p.millis("t", Duration.ofSeconds(10), Duration.ZERO, Duration.ofHours(1)));
        assertEquals("d", p.text("blank", "d"));
        assertEquals(List.of(), p.list("l", List.of()));
    }

    @Test
    void valuesAreTrimmedAndTyped() throws Exception {
        Parameters p = of(Map.of("n", " 42 ", "b", "TRUE", "policy", "Close", "t", "1500", "s", "3", "l", "a, ,b ,"));
        assertEquals(42, p.integer("n", null, 0, 100));
        assertEquals(42L, p.whole("n", null, 0, 100));
        assertTrue(p.bool("b", false));
        assertEquals(Policy.CLOSE, p.choice("policy", Policy.class, Policy.WAIT));
        assertEquals(Duration.ofMillis(1500), p.millis("t", Duration.ZERO, Duration.ZERO, Duration.ofHours(1)));
        assertEquals(Duration.ofSeconds(3), p.seconds("s", Duration.ZERO, Duration.ZERO, Duration.ofHours(1)));
        assertEquals(List.of("a", "b"), p.list("l", List.of()));
    }

    @Test
    void everyMistakeNamesTheFileAndTheParameter() {
        Parameters p = of(Map.of("n", "ten", "big", "11", "neg", "-1", "b", "yes", "policy", "drop", "t", "1.5"));
        assertEquals("conf/ep.xml: parameter 'n' must be a whole number, was 'ten'", message(() -> p.integer("n", 1, 0, 10)));
        assertEquals("conf/ep.xml: parameter 'big' must be between 0 and 10, was 11", message(() -> p.integer("big", 1, 0, 10)));
        assertEquals("conf/ep.xml: parameter 'neg' must be 0 or more, was -1", message(() -> p.integer("neg", 1, 0, Integer.MAX_VALUE)));
        assertEquals("conf/ep.xml: parameter 'neg' must be strictly positive, was -1",
                message(() -> p.integer("neg", 1, 1, Integer.MAX_VALUE)));
        assertEquals("conf/ep.xml: parameter 'b' must be true or false, was 'yes'", message(() -> p.bool("b", false)));
        assertEquals("conf/ep.xml: parameter 'policy' must be wait or close, was 'drop'",
                message(() -> p.choice("policy", Policy.class, Policy.WAIT)));
        assertEquals("conf/ep.xml: parameter 't' must be a whole number, was '1.5'",
                message(() -> p.millis("t", Duration.ZERO, Duration.ZERO, Duration.ofHours(1))));
        assertEquals("conf/ep.xml: parameter 'port' is required", message(() -> p.integer("port", null, 1, 65535)));
        ParameterException e = assertThrows(ParameterException.class, () -> p.integer("big", 1, 0, 10));
        assertEquals("big", e.parameter());
    }

    @Test
    void aNumberTooLargeForAnIntIsOutOfRangeNotWrappedAround() {
        Parameters p = of(Map.of("n", "4294967297"));
        assertEquals("conf/ep.xml: parameter 'n' must be between 0 and 100, was 4294967297",
                message(() -> p.integer("n", 1, 0, 100)));
        assertEquals("conf/ep.xml: parameter 'n' must be at most 2147483647, was 4294967297",
                message(() -> p.integer("n", 1, 0, Integer.MAX_VALUE)));
    }
}
