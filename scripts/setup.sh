#!/usr/bin/env bash
# Installs what the Wine test stage needs, once: Debian's wine and mingw-w64, the pinned
# Windows JRE (npm pack, verified against its sha512 integrity), and a reusable WINEPREFIX.
set -euo pipefail
source "$(dirname "$0")/env.sh"
is_windows && { echo "setup: Windows host, nothing to install"; exit 0; }

need=()
command -v wine >/dev/null || need+=(wine)
command -v x86_64-w64-mingw32-gcc >/dev/null || need+=(gcc-mingw-w64-x86-64)
command -v script >/dev/null || need+=(bsdutils)
command -v mvn >/dev/null || need+=(maven)
command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  sudo_=""; [ "$(id -u)" -eq 0 ] || sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq "${need[@]}" >/dev/null
fi

mkdir -p "$MW_CACHE"
if [ ! -f "$MW_WIN_JAVA" ]; then
  echo "setup: fetching $MW_JRE_PKG"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack "$MW_JRE_PKG" --silent >/dev/null 2>&1)
  tgz="$(ls "$tmp"/*.tgz)"
  # npm's integrity is base64 of the SHA-512; compare in hex with coreutils only.
  want="$(printf '%s' "${MW_JRE_INTEGRITY#sha512-}" | base64 -d | od -An -v -tx1 | tr -d ' \n')"
  got="$(sha512sum "$tgz" | cut -d' ' -f1)"
  if [ "$got" != "$want" ]; then
    echo "setup: integrity mismatch for $MW_JRE_PKG: sha512 $got, expected $want" >&2; rm -rf "$tmp"; exit 1
  fi
  mkdir -p "$tmp/x" && tar xzf "$tgz" -C "$tmp/x"
  java_exe="$(find "$tmp/x" -path '*bin/java.exe' | head -n1)"
  rm -rf "$MW_JRE_DIR" && mv "$(dirname "$(dirname "$java_exe")")" "$MW_JRE_DIR"
  rm -rf "$tmp"
fi

if [ ! -f "$WINEPREFIX/system.reg" ]; then
  echo "setup: creating WINEPREFIX $WINEPREFIX (once)"
  wineboot -i >/dev/null 2>&1 || wine wineboot -i >/dev/null 2>&1
  wineserver -w
fi
echo "setup: ready (jre $MW_JRE_DIR, prefix $WINEPREFIX)"
