package io.synapsews.transport.spi;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CloseCodesTest {

    @Test
    void onlyCodesAFrameMayCarryAreSendable() {
        for (int code : new int[] {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1014, 3000, 4999}) {
            assertTrue(CloseCodes.sendable(code), String.valueOf(code));
        }
        for (int code : new int[] {-1, 0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
            assertFalse(CloseCodes.sendable(code), String.valueOf(code));
        }
    }

    @Test
    void everyFrameWeSendCarriesASendableCodeAndAReasonThatFits() {
        CloseWebSocketFrame f = CloseCodes.frame(1005, "x");
        assertEquals(1011, f.statusCode());
        f.release();
        f = CloseCodes.frame(0, "ignored");
        assertEquals(-1, f.statusCode()); // empty: no status
        f.release();
        String emoji = "\uD83D\uDE00".repeat(40); // 4 bytes each: 30 fit
        f = CloseCodes.frame(4000, emoji);
        assertEquals(4000, f.statusCode());
        assertEquals("\uD83D\uDE00".repeat(30), f.reasonText());
        assertTrue(f.reasonText().getBytes(StandardCharsets.UTF_8).length <= CloseCodes.MAX_REASON_BYTES);
        f.release();
        assertEquals("a".repeat(123), CloseCodes.reason("a".repeat(500)));
        assertEquals("short", CloseCodes.reason("short"));
    }

    @Test
    void aSequencesCodeIsReadOrRefused() {
        assertEquals(1000, CloseCodes.fromProperty(null, 1000));
        assertEquals(4005, CloseCodes.fromProperty(" 4005 ", 1000));
        assertEquals(-1, CloseCodes.fromProperty("1006", 1000));
        assertEquals(-1, CloseCodes.fromProperty("loud", 1000));
    }

    @Test
    void theNamesAreTheRfcCodes() {
        assertEquals(List.of(1000, 1001, 1002, 1005, 1006, 1007, 1008, 1009, 1011, 1014),
                List.of(CloseCodes.NORMAL, CloseCodes.GOING_AWAY, CloseCodes.PROTOCOL_ERROR, CloseCodes.NO_STATUS,
                        CloseCodes.ABNORMAL, CloseCodes.INVALID_PAYLOAD, CloseCodes.POLICY_VIOLATION, CloseCodes.TOO_BIG,
                        CloseCodes.INTERNAL_ERROR, CloseCodes.BAD_GATEWAY));
        assertFalse(CloseCodes.sendable(CloseCodes.NO_STATUS) || CloseCodes.sendable(CloseCodes.ABNORMAL), "recorded, never sent");
    }
}
