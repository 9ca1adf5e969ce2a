package dev.multiwait.internal;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.multiwait.MultiWaitException;
import dev.multiwait.win32.ProcessDirect;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import static dev.multiwait.win32.ProcessDirect.HANDLE_FLAG_INHERIT;
import static dev.multiwait.win32.ProcessDirect.SetHandleInformation;

/**
 * CreateProcessW with an explicit inherit list (PROC_THREAD_ATTRIBUTE_HANDLE_LIST): the child gets
 * its three stdio ends and nothing else of ours. The ends are inheritable only while the lock is
 * held, which keeps other launches of this library from inheriting them. (Java's own
 * ProcessBuilder inherits every inheritable handle; a launch racing one can leak an end into it
 * for that instant, the narrowest window Windows allows.) A batch file runs through an explicit
 * cmd.exe command line ({@link BatchCommand}), never through CreateProcessW's own {@code cmd.exe /c}.
 */
public final class ProcessLaunch {
    private static final Object LOCK = new Object();
    private static final int ERROR_INSUFFICIENT_BUFFER = 122;

    private ProcessLaunch() {
    }

    /** The new process and its main thread's handles are the caller's. */
    public record Started(long process, int pid) {
    }

    public static Started start(List<String> command, String directory, Map<String, String> environment,
                                long stdin, long stdout, long stderr) {
        char[] application = null;
        String commandLine;
        if (BatchCommand.isBatch(command.get(0))) {
            String script = BatchCommand.resolve(command.get(0), BatchCommand.searchDirectories());
            if (script == null) {
                throw new MultiWaitException("CreateProcessW(" + CommandLine.join(command) + ")", 0, 2,
                        "batch file not found");
            }
            commandLine = BatchCommand.commandLine(script, command.subList(1, command.size()));
            application = Native.toCharArray(BatchCommand.windowsDirectory() + "\\System32\\cmd.exe");
        } else {
            commandLine = CommandLine.join(command);
        }
        char[] cmd = Native.toCharArray(commandLine); // mutable and NUL-terminated, as CreateProcessW wants
        char[] dir = directory == null ? null : Native.toCharArray(directory);
        char[] env = environment == null ? null
                : environmentBlock(withSystemRoot(environment, System.getenv("SystemRoot")));
        Set<Long> inherit = new LinkedHashSet<>(List.of(stdin, stdout, stderr));
        try (Memory sizeOut = new Memory(8); Memory handles = new Memory(8L * inherit.size());
             Memory startup = new Memory(ProcessDirect.STARTUPINFOEX_SIZE);
             Memory info = new Memory(ProcessDirect.PROCESS_INFORMATION_SIZE)) {
            sizeOut.setLong(0, 0);
            ProcessDirect.InitializeProcThreadAttributeList(0, 1, 0, Pointer.nativeValue(sizeOut));
            long size = sizeOut.getLong(0);
            if (size <= 0) {
                throw new MultiWaitException("InitializeProcThreadAttributeList", 0, Native.getLastError(), null);
            }
            try (Memory list = new Memory(size)) {
                long listAddress = Pointer.nativeValue(list);
                if (!ProcessDirect.InitializeProcThreadAttributeList(listAddress, 1, 0, Pointer.nativeValue(sizeOut))) {
                    throw new MultiWaitException("InitializeProcThreadAttributeList", 0, Native.getLastError(), null);
                }
                try {
                    int i = 0;
                    for (long h : inherit) {
                        handles.setLong(8L * i++, h);
                    }
                    if (!ProcessDirect.UpdateProcThreadAttribute(listAddress, 0, ProcessDirect.PROC_THREAD_ATTRIBUTE_HANDLE_LIST,
                            Pointer.nativeValue(handles), 8L * inherit.size(), 0, 0)) {
                        throw new MultiWaitException("UpdateProcThreadAttribute", 0, Native.getLastError(), null);
                    }
                    startup.clear();
                    startup.setInt(0, ProcessDirect.STARTUPINFOEX_SIZE);
                    startup.setInt(ProcessDirect.SI_FLAGS, ProcessDirect.STARTF_USESTDHANDLES);
                    startup.setLong(ProcessDirect.SI_STDIN, stdin);
                    startup.setLong(ProcessDirect.SI_STDOUT, stdout);
                    startup.setLong(ProcessDirect.SI_STDERR, stderr);
                    startup.setLong(ProcessDirect.SI_ATTRIBUTES, listAddress);
                    info.clear();
                    int flags = ProcessDirect.EXTENDED_STARTUPINFO_PRESENT | ProcessDirect.CREATE_NO_WINDOW
                            | (env != null ? ProcessDirect.CREATE_UNICODE_ENVIRONMENT : 0);
                    boolean ok;
                    int error;
                    synchronized (LOCK) {
                        for (long h : inherit) {
                            SetHandleInformation(h, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
                        }
                        ok = ProcessDirect.CreateProcessW(application, cmd, 0, 0, true, flags, env, dir,
                                Pointer.nativeValue(startup), Pointer.nativeValue(info));
                        error = Native.getLastError();
                        for (long h : inherit) {
                            SetHandleInformation(h, HANDLE_FLAG_INHERIT, 0);
                        }
                    }
                    if (!ok) {
                        throw new MultiWaitException("CreateProcessW(" + commandLine
                                + (directory != null ? ", directory " + directory : "") + ")", 0, error, hint(error));
                    }
                } finally {
                    ProcessDirect.DeleteProcThreadAttributeList(listAddress);
                }
            }
            ProcessDirect.CloseHandle(info.getLong(8)); // the main thread: not needed
            return new Started(info.getLong(0), info.getInt(16));
        }
    }

    private static String hint(int error) {
        switch (error) {
            case 2:
                return "executable not found";
            case 3:
            case 267:
                return "working directory does not exist or is not a directory";
            case 5:
                return "access denied";
            case 193:
                return "not a valid Windows executable";
            default:
                return null;
        }
    }

    /**
     * {@code environment}, plus SystemRoot from {@code parentSystemRoot} if it has no such name in any
     * case (as the JDK does: Winsock and more fail in a child without it).
     */
    static Map<String, String> withSystemRoot(Map<String, String> environment, String parentSystemRoot) {
        if (parentSystemRoot == null || environment.keySet().stream().anyMatch("SystemRoot"::equalsIgnoreCase)) {
            return environment;
        }
        Map<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        copy.putAll(environment);
        copy.put("SystemRoot", parentSystemRoot);
        return copy;
    }

    /** KEY=VALUE\0...\0\0, sorted case-insensitively as Windows expects; names differing only in case are refused. */
    static char[] environmentBlock(Map<String, String> environment) {
        Map<String, String> sorted = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, String> e : environment.entrySet()) {
            Objects.requireNonNull(e.getKey(), "environment variable name");
            Objects.requireNonNull(e.getValue(), () -> "value of environment variable " + e.getKey());
            if (sorted.put(e.getKey(), e.getValue()) != null) {
                throw new IllegalArgumentException("environment variable " + e.getKey() + " given twice (names ignore case)");
            }
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : sorted.entrySet()) {
            if (e.getKey().isEmpty() || e.getKey().indexOf('=', 1) >= 0 || e.getKey().indexOf('\0') >= 0
                    || e.getValue().indexOf('\0') >= 0) {
                throw new IllegalArgumentException("invalid environment entry: " + e.getKey());
            }
            sb.append(e.getKey()).append('=').append(e.getValue()).append('\0');
        }
        if (sorted.isEmpty()) {
            sb.append('\0');
        }
        sb.append('\0');
        return sb.toString().toCharArray();
    }
}
