package dev.multiwait.internal;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.multiwait.MultiWaitException;
import dev.multiwait.win32.Win32;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * CreateProcessW with an explicit inherit list (PROC_THREAD_ATTRIBUTE_HANDLE_LIST): the child gets
 * its three stdio ends and nothing else of ours. The ends are inheritable only around the call.
 * Launches of this library run in parallel, with no lock: each one's list names only its own ends,
 * so none inherits another's. (Java's own ProcessBuilder inherits every inheritable handle; a
 * launch racing one can leak an end into it for that instant, the narrowest window Windows allows.) A batch file runs through an explicit
 * cmd.exe command line ({@link BatchCommand}), never through CreateProcessW's own {@code cmd.exe /c}.
 */
public final class ProcessLaunch {
    private static final int HANDLE_FLAG_INHERIT = 1;
    private static final int EXTENDED_STARTUPINFO_PRESENT = 0x00080000;
    private static final int CREATE_UNICODE_ENVIRONMENT = 0x00000400;
    private static final int CREATE_NO_WINDOW = 0x08000000;
    private static final int CREATE_SUSPENDED = 0x00000004;
    private static final int CREATE_NEW_PROCESS_GROUP = 0x00000200;
    private static final int STARTF_USESTDHANDLES = 0x100;
    private static final long PROC_THREAD_ATTRIBUTE_HANDLE_LIST = 0x20002;
    /** STARTUPINFOEXW: STARTUPINFOW (104 bytes) + lpAttributeList @104. */
    private static final int STARTUPINFOEX_SIZE = 112;
    private static final int SI_FLAGS = 60;
    private static final int SI_STDIN = 80;
    private static final int SI_STDOUT = 88;
    private static final int SI_STDERR = 96;
    private static final int SI_ATTRIBUTES = 104;
    /** PROCESS_INFORMATION: hProcess, hThread, dwProcessId @16. */
    private static final int PROCESS_INFORMATION_SIZE = 24;

    private ProcessLaunch() {
    }

    /** The new process's handle is the caller's. */
    public record Started(long process, int pid) {
    }

    /** Where a new process goes (its job objects) before it runs its first instruction. */
    public interface Placement {
        /** @throws RuntimeException to refuse: the process is then terminated, never having run */
        void place(long process, int pid);
    }

    /** @throws MultiWaitException naming the failed call; nothing is left open or inheritable */
    public static Started start(Win32 win32, List<String> command, String directory, Map<String, String> environment,
                                long stdin, long stdout, long stderr) {
        return start(win32, command, directory, environment, stdin, stdout, stderr, null);
    }

    /**
     * As above; with a {@code placement}, the process starts suspended in its own process group
     * (CREATE_SUSPENDED | CREATE_NEW_PROCESS_GROUP), is placed, then resumed, so nothing it starts
     * can escape its jobs.
     */
    public static Started start(Win32 win32, List<String> command, String directory, Map<String, String> environment,
                                long stdin, long stdout, long stderr, Placement placement) {
        String application = null;
        String commandLine;
        if (BatchCommand.isBatch(command.get(0))) {
            String system = win32.systemDirectory(); // cmd.exe from here, never from a search (GetSystemDirectoryW)
            if (system == null) {
                throw new MultiWaitException("GetSystemDirectoryW", 0, win32.lastError(), null);
            }
            String script = BatchCommand.resolve(command.get(0), BatchCommand.searchDirectories(system));
            if (script == null) {
                throw new MultiWaitException("CreateProcessW(" + CommandLine.join(command) + ")", 0, 2,
                        "batch file not found");
            }
            commandLine = BatchCommand.commandLine(script, command.subList(1, command.size()));
            application = system + "\\cmd.exe";
        } else {
            commandLine = CommandLine.join(command);
        }
        char[] env = environment == null ? null
                : environmentBlock(withSystemRoot(environment, System.getenv("SystemRoot")));
        Set<Long> inherit = new LinkedHashSet<>(List.of(stdin, stdout, stderr));
        try (Memory sizeOut = new Memory(8); Memory handles = new Memory(8L * inherit.size());
             Memory startup = new Memory(STARTUPINFOEX_SIZE); Memory info = new Memory(PROCESS_INFORMATION_SIZE)) {
            sizeOut.setLong(0, 0);
            win32.initializeProcThreadAttributeList(0, 1, Pointer.nativeValue(sizeOut)); // fails with 122, giving the size
            long size = sizeOut.getLong(0);
            if (size <= 0) {
                throw new MultiWaitException("InitializeProcThreadAttributeList (size)", 0, win32.lastError(), null);
            }
            try (Memory list = new Memory(size)) {
                long listAddress = Pointer.nativeValue(list);
                if (!win32.initializeProcThreadAttributeList(listAddress, 1, Pointer.nativeValue(sizeOut))) {
                    throw new MultiWaitException("InitializeProcThreadAttributeList", 0, win32.lastError(), null);
                }
                try {
                    int i = 0;
                    for (long h : inherit) {
                        handles.setLong(8L * i++, h);
                    }
                    if (!win32.updateProcThreadAttribute(listAddress, PROC_THREAD_ATTRIBUTE_HANDLE_LIST,
                            Pointer.nativeValue(handles), 8L * inherit.size())) {
                        throw new MultiWaitException("UpdateProcThreadAttribute", 0, win32.lastError(), null);
                    }
                    startup.clear();
                    startup.setInt(0, STARTUPINFOEX_SIZE);
                    startup.setInt(SI_FLAGS, STARTF_USESTDHANDLES);
                    startup.setLong(SI_STDIN, stdin);
                    startup.setLong(SI_STDOUT, stdout);
                    startup.setLong(SI_STDERR, stderr);
                    startup.setLong(SI_ATTRIBUTES, listAddress);
                    info.clear();
                    int flags = EXTENDED_STARTUPINFO_PRESENT | CREATE_NO_WINDOW | (env != null ? CREATE_UNICODE_ENVIRONMENT : 0)
                            | (placement != null ? CREATE_SUSPENDED | CREATE_NEW_PROCESS_GROUP : 0);
                    launch(win32, application, commandLine, flags, env, directory, inherit,
                            Pointer.nativeValue(startup), Pointer.nativeValue(info));
                } finally {
                    win32.deleteProcThreadAttributeList(listAddress);
                }
            }
            long process = info.getLong(0);
            int pid = info.getInt(16);
            if (placement != null) {
                placeAndResume(win32, placement, process, info.getLong(8), pid);
            }
            win32.closeHandle(info.getLong(8)); // the main thread: not needed
            return new Started(process, pid);
        }
    }

    /** A process that cannot be placed or resumed is terminated before it ran; its handles are closed. */
    private static void placeAndResume(Win32 win32, Placement placement, long process, long thread, int pid) {
        try {
            placement.place(process, pid);
            if (win32.resumeThread(thread) == -1) {
                throw new MultiWaitException("ResumeThread(pid " + pid + ")", thread, win32.lastError(), null);
            }
        } catch (RuntimeException e) {
            win32.terminateProcess(process, 1);
            win32.closeHandle(thread);
            win32.closeHandle(process);
            throw e;
        }
    }

    /** The ends are inheritable only around the call, and never after it, whatever fails. */
    private static void launch(Win32 win32, String application, String commandLine, int flags, char[] env,
                               String directory, Set<Long> inherit, long startup, long info) {
        try {
            for (long h : inherit) {
                if (!win32.setHandleInformation(h, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT)) {
                    throw new MultiWaitException("SetHandleInformation (inherit a child's end)", h, win32.lastError(), null);
                }
            }
            if (!win32.createProcess(application, commandLine, true, flags, env, directory, startup, info)) {
                int error = win32.lastError();
                throw new MultiWaitException("CreateProcessW(" + commandLine
                        + (directory != null ? ", directory " + directory : "") + ")", 0, error, hint(error));
            }
        } finally {
            for (long h : inherit) {
                win32.setHandleInformation(h, HANDLE_FLAG_INHERIT, 0);
            }
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
