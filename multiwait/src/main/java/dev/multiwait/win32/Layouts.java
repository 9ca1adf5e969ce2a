package dev.multiwait.win32;

/** x64 structure layouts the library reads and writes in native memory it owns. */
public final class Layouts {
    private Layouts() {
    }

    /** OVERLAPPED: Internal (NTSTATUS), InternalHigh (bytes), Offset, OffsetHigh, hEvent. */
    public static final int OVERLAPPED_SIZE = 32;
    public static final int OVERLAPPED_INTERNAL = 0;
    public static final int OVERLAPPED_INTERNAL_HIGH = 8;

    /** OVERLAPPED_ENTRY: lpCompletionKey, lpOverlapped, Internal, dwNumberOfBytesTransferred. */
    public static final int ENTRY_SIZE = 32;
    public static final int ENTRY_KEY = 0;
    public static final int ENTRY_OVERLAPPED = 8;
    public static final int ENTRY_BYTES = 24;

    /** INPUT_RECORD: WORD EventType, then the event union at offset 4; 20 bytes in all. */
    public static final int INPUT_RECORD_SIZE = 20;
    public static final int KEY_EVENT = 1;
    public static final int KEY_DOWN = 4;
    public static final int KEY_REPEAT = 8;
    public static final int KEY_CHAR = 14;

    public static final int FILE_SKIP_COMPLETION_PORT_ON_SUCCESS = 0x1;
    public static final int FILE_SKIP_SET_EVENT_ON_HANDLE = 0x2;
    /** GetNamedPipeInfo flag: a message-type pipe (reads end at message boundaries, 234 when one is longer). */
    public static final int PIPE_TYPE_MESSAGE = 0x4;
    public static final int WT_EXECUTEINWAITTHREAD = 0x4;
    public static final int WT_EXECUTEONLYONCE = 0x8;
    public static final int INFINITE = -1;
}
