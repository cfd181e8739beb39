package io.synapsews.transport.netty;

import java.util.concurrent.TimeUnit;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.synapsews.transport.spi.CloseCodes;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one state machine of both legs: its transitions, the code it records, and whose thread may move it. */
class LegStateTest {

    @Test
    void weCloseAnOpenLegAndItsAnswerEndsIt() {
        LegState s = new LegState();
        assertTrue(s.isStarting());
        assertTrue(s.open());
        assertFalse(s.open(), "opens once");
        assertEquals(LegState.CloseAction.SEND_CLOSE, s.startClose(1001, "bye"));
        assertEquals(LegState.CloseAction.NONE, s.startClose(1000, "again"), "one close");
        assertTrue(s.isEnding());
        assertTrue(s.closeReceived(1000, "ok"), "the peer's close answers ours");
        assertEquals(LegState.Phase.CLOSING, s.closed());
        assertTrue(s.isClosed());
        assertEquals(1001, s.code(), "the code is the first close's");
        assertEquals("bye", s.reason());
    }

    @Test
    void thePeerClosesFirstAndWeAnswer() {
        LegState s = new LegState();
        s.open();
        assertFalse(s.closeReceived(4000, "done"), "the peer started it: answer it");
        assertEquals(4000, s.code());
        assertEquals(LegState.CloseAction.NONE, s.startClose(1001, "late"), "we do not close again");
        assertTrue(s.closeReceived(4000, "done"), "a second close frame is not answered again");
        assertEquals(4000, s.code());
    }

    @Test
    void aCloseWithoutACodeIs1005AndNoCloseAtAllIs1006() {
        LegState noCode = new LegState();
        noCode.open();
        noCode.closeReceived(0, null);
        assertEquals(CloseCodes.NO_STATUS, noCode.code());
        assertEquals("", noCode.reason());

        LegState vanished = new LegState();
        vanished.open();
        assertEquals(LegState.Phase.OPEN, vanished.closed(), "the peer vanished while open");
        assertEquals(CloseCodes.ABNORMAL, vanished.code());
    }

    @Test
    void aLegThatNeverOpenedIsDroppedNotClosed() {
        LegState s = new LegState();
        assertEquals(LegState.CloseAction.DROP, s.startClose(1001, "going away"));
        assertFalse(s.open(), "a dropped leg does not open");
        assertEquals(CloseCodes.ABNORMAL, s.code(), "no close frame went either way");
    }

    @Test
    void failingSendsOurCodeAndDoesNotWaitForAnAnswer() {
        LegState s = new LegState();
        s.open();
        assertTrue(s.fail(1002, "bad frame"));
        assertTrue(s.closeReceived(1000, ""), "what comes after a failure is not answered");
        assertEquals(1002, s.code());
        s.closed();
        assertFalse(s.fail(1011, "late"), "a closed leg does not fail");
    }

    @Test
    void transitionsOffTheLegsEventLoopAreCaught() throws Exception {
        assertTrue(LegState.class.desiredAssertionStatus(), "tests run with -ea");
        EventLoop loop = new DefaultEventLoop();
        try {
            LegState s = new LegState(loop);
            AssertionError e = assertThrows(AssertionError.class, s::open);
            assertTrue(e.getMessage().contains("off its event loop"), e.getMessage());
            assertTrue(loop.submit(s::open).get(5, TimeUnit.SECONDS), "on the loop it opens");
            assertTrue(s.isOpen(), "and any thread may read it");
        } finally {
            loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }
}
