# Sourced by every script: where the Wine test toolchain lives.
# The cache survives between runs (first run installs, later runs reuse it).
MW_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MW_CACHE="${MULTIWAIT_CACHE:-$HOME/.cache/multiwait}"
MW_JRE_PKG="@node-plantuml-2/jre-win32-x64@1.1.8"
MW_JRE_INTEGRITY="sha512-tMY4zs+KhMlXVIPVFOqE1GOscDgJPFcjOClvL5XewB+sdLGakkjUxuHt8YjVW8TjCUi+AbQlE7neaXtNoYS8hA=="
MW_JRE_DIR="$MW_CACHE/jre-win32-x64-1.1.8"
export WINEPREFIX="${WINEPREFIX:-$MW_CACHE/wineprefix}"
export WINEDEBUG="${WINEDEBUG:--all}"
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=}"
MW_WIN_JAVA="$MW_JRE_DIR/bin/java.exe"
is_windows() { case "$(uname -s)" in MINGW*|MSYS*|CYGWIN*) return 0;; *) return 1;; esac; }
