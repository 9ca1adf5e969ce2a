/**
 * multiwait: Windows I/O completion ports for the JVM. The API is the package {@code dev.multiwait};
 * the loop ({@code internal}) and the JNA bindings ({@code win32}) are reachable only by the
 * project's own tests and benchmarks, and opened to JNA, which calls back into them.
 */
module dev.multiwait {
    requires com.sun.jna;
    requires com.sun.jna.platform;

    exports dev.multiwait;

    exports dev.multiwait.internal to dev.multiwait.tests, dev.multiwait.bench;
    exports dev.multiwait.win32 to dev.multiwait.tests, dev.multiwait.bench;

    // JNA binds the native methods and invokes the wait callback reflectively
    opens dev.multiwait.internal to com.sun.jna;
    opens dev.multiwait.win32 to com.sun.jna;
}
