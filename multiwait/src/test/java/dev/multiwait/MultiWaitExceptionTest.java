package dev.multiwait;

import dev.multiwait.internal.ErrorText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MultiWaitExceptionTest {

    @Test
    void messageNamesCallHandleInHexErrorNumberAndName() {
        MultiWaitException e = new MultiWaitException("ReadFile", 0x1a4L, 676, null);
        String m = e.getMessage();
        assertTrue(m.startsWith("ReadFile"), m);
        assertTrue(m.contains("0x1a4"), m);
        assertFalse(m.contains("420"), "the handle should be in hex: " + m);
        assertTrue(m.contains("676"), m);
        assertTrue(m.contains("ERROR_HANDLES_CLOSED"), m);
        assertEquals(676, e.win32Error());
        assertEquals(0x1a4L, e.handle());
    }

    @Test
    void exactFormat() {
        assertEquals("WriteFile on handle 0xbeef failed: Win32 error 232 (ERROR_NO_DATA)",
                ErrorText.describe("WriteFile", 0xbeef, 232, null));
        assertEquals("CreateIoCompletionPort(associate) on handle 0x10 failed: Win32 error 87 (ERROR_INVALID_PARAMETER): why",
                new MultiWaitException("CreateIoCompletionPort(associate)", 0x10, 87, "why").getMessage());
    }

    @Test
    void noHandleMeansNoHandleInTheMessage() {
        String m = new MultiWaitException("CreateIoCompletionPort", 0, 8, null).getMessage();
        assertFalse(m.contains("handle"), m);
        assertTrue(m.contains("8") && m.contains("ERROR_NOT_ENOUGH_MEMORY"), m);
    }

    @Test
    void invalidHandleValueIsShownAsItsBitPattern() {
        String m = ErrorText.describe("CloseHandle", -1L, 6, null);
        assertTrue(m.contains("0xffffffffffffffff"), m);
        assertTrue(m.contains("ERROR_INVALID_HANDLE"), m);
    }

    @Test
    void unknownErrorsStillShowTheirNumber() {
        String m = ErrorText.describe("ReadFile", 0x20, 12345, null);
        assertTrue(m.contains("12345"), m);
        assertEquals("error", ErrorText.name(12345));
    }

    @ParameterizedTest
    @CsvSource({
            "6, ERROR_INVALID_HANDLE", "38, ERROR_HANDLE_EOF", "87, ERROR_INVALID_PARAMETER",
            "109, ERROR_BROKEN_PIPE", "232, ERROR_NO_DATA", "233, ERROR_PIPE_NOT_CONNECTED",
            "258, WAIT_TIMEOUT", "535, ERROR_PIPE_CONNECTED", "676, ERROR_HANDLES_CLOSED",
            "995, ERROR_OPERATION_ABORTED", "997, ERROR_IO_PENDING", "1168, ERROR_NOT_FOUND",
            "10054, WSAECONNRESET"})
    void namesOfTheErrorsTheLibraryMeets(int error, String name) {
        assertEquals(name, ErrorText.name(error));
        assertTrue(ErrorText.describe("X", 1, error, null).contains(error + " (" + name + ")"));
    }
}
