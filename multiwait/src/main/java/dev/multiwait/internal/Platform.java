package dev.multiwait.internal;

import java.util.Locale;

/**
 * Where the native layer can work: Windows on a 64-bit x64 or arm64 JVM (the structure layouts
 * are 64-bit ones). Checked before any JNA binding loads, so other systems get a clear
 * UnsupportedOperationException instead of an UnsatisfiedLinkError from a class initializer.
 */
public final class Platform {
    private Platform() {
    }

    /** Null where multiwait runs, else what is wrong, for the exception message. */
    public static String unsupportedReason(String osName, String osArch, String dataModel) {
        String os = osName == null ? "" : osName.toLowerCase(Locale.ROOT);
        String arch = osArch == null ? "" : osArch.toLowerCase(Locale.ROOT);
        boolean windows = os.startsWith("windows");
        boolean arch64 = arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64") || arch.equals("arm64");
        boolean bits64 = dataModel == null || dataModel.isEmpty() || dataModel.equals("64");
        if (windows && arch64 && bits64) {
            return null;
        }
        return "multiwait needs Windows and a 64-bit x64 or arm64 JVM; this is " + osName + " on " + osArch
                + (dataModel == null || dataModel.isEmpty() ? "" : " (" + dataModel + "-bit JVM)");
    }

    /** {@link #unsupportedReason} for the running JVM. */
    public static String unsupportedReason() {
        return unsupportedReason(System.getProperty("os.name"), System.getProperty("os.arch"),
                System.getProperty("sun.arch.data.model"));
    }

    /** Throws the clear exception off Windows x64/arm64, before anything native is touched. */
    public static void requireSupported() {
        String reason = unsupportedReason();
        if (reason != null) {
            throw new UnsupportedOperationException(reason);
        }
    }
}
