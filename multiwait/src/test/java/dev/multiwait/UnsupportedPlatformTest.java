package dev.multiwait;

import dev.multiwait.internal.Platform;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** Off Windows every entry point says clearly what is needed, instead of an UnsatisfiedLinkError. */
class UnsupportedPlatformTest {
    @BeforeAll
    static void offWindows() {
        assumeFalse(System.getProperty("os.name").startsWith("Windows"), "checks the behaviour off Windows");
    }

    @Test
    void isSupportedIsFalseHere() {
        assertFalse(MultiHandleWait.isSupported());
    }

    @Test
    void constructorThrowsTheClearException() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, MultiHandleWait::new);
        assertClear(e);
    }

    @Test
    void staticEntryPointsThrowTheClearException() {
        // the builder is plain configuration; starting is where the system is reached
        assertClear(assertThrows(UnsupportedOperationException.class, () -> ChildProcess.builder("cmd.exe").start(null)));
        assertClear(assertThrows(UnsupportedOperationException.class,
                () -> ChildProcess.builder(java.util.List.of("cmd.exe")).start(null)));
        assertClear(assertThrows(UnsupportedOperationException.class, OverlappedPipe::create));
        assertClear(assertThrows(UnsupportedOperationException.class, OverlappedPipe::uniqueName));
        assertClear(assertThrows(UnsupportedOperationException.class, () -> OverlappedPipe.createServer("\\\\.\\pipe\\x")));
        assertClear(assertThrows(UnsupportedOperationException.class, () -> OverlappedPipe.openClient("\\\\.\\pipe\\x")));
    }

    @Test
    void windowsOn64BitX64OrArm64IsTheOnlySupportedPlatform() {
        assertNull(Platform.unsupportedReason("Windows 11", "amd64", "64"));
        assertNull(Platform.unsupportedReason("Windows Server 2022", "aarch64", "64"));
        assertNull(Platform.unsupportedReason("Windows 10", "amd64", null));
        String x86 = Platform.unsupportedReason("Windows 10", "x86", "32");
        assertEquals("multiwait needs Windows and a 64-bit x64 or arm64 JVM; this is Windows 10 on x86 (32-bit JVM)", x86);
        assertTrue(Platform.unsupportedReason("Windows 10", "amd64", "32").contains("32-bit JVM"));
        assertTrue(Platform.unsupportedReason("Linux", "amd64", "64").contains("this is Linux on amd64"));
        assertTrue(Platform.unsupportedReason("Mac OS X", "aarch64", "64").contains("this is Mac OS X"));
    }

    private static void assertClear(UnsupportedOperationException e) {
        String m = e.getMessage();
        assertTrue(m.startsWith("multiwait needs Windows and a 64-bit x64 or arm64 JVM; this is "
                + System.getProperty("os.name") + " on " + System.getProperty("os.arch")), m);
    }
}
