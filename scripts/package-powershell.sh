#!/usr/bin/env bash
# Assembles a ready-to-import SsisService module folder (what powershell/build.ps1 does, for
# machines without PowerShell): the module files, the built library in
# runtimes/<rid>/native/, and the binding compiled as SsisNative.dll (with mcs or csc).
#
#   scripts/package-powershell.sh [OUTPUT_DIR]     # default: target/powershell/SsisService
#   PROFILE=debug scripts/package-powershell.sh    # copy the debug library (default: release)
#   NO_BUILD=1 scripts/package-powershell.sh       # do not run cargo
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
profile="${PROFILE:-release}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
out="${1:-$target_dir/powershell/SsisService}"

case "$(uname -s)" in
  Linux) os=linux; lib=libssis_service.so ;;
  Darwin) os=osx; lib=libssis_service.dylib ;;
  MINGW* | MSYS* | CYGWIN*) os=win; lib=ssis_service.dll ;;
  *) echo "package-powershell: unknown system $(uname -s)" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "package-powershell: unknown architecture $(uname -m)" >&2; exit 1 ;;
esac
rid="$os-$arch"

if [ "${NO_BUILD:-0}" != 1 ]; then
  if [ "$profile" = release ]; then
    cargo build --lib --release --manifest-path "$root/Cargo.toml"
  else
    cargo build --lib --manifest-path "$root/Cargo.toml"
  fi
fi
library="$target_dir/$profile/$lib"
if [ ! -f "$library" ]; then
  echo "package-powershell: $library does not exist (build it with cargo build --lib)" >&2
  exit 1
fi

src="$root/powershell/SsisService"
rm -rf "$out"
mkdir -p "$out/runtimes/$rid/native"
cp -R "$src/SsisService.psd1" "$src/SsisService.psm1" "$src/SsisService.Format.ps1xml" \
  "$src/SsisNative.cs" "$src/Public" "$src/Private" "$src/en-US" "$out/"
cp "$library" "$out/runtimes/$rid/native/$lib"

# The binding compiled once, here, instead of by Add-Type at every import: C# 5 for the .NET
# Framework 4.x profile, which Windows PowerShell 5.1 loads and PowerShell 7 loads too (its
# PowerShell 7 resolver is found by reflection). The module loads SsisNative.dll when it is
# there (also in Constrained Language Mode, where Add-Type is refused) and falls back to
# compiling SsisNative.cs. Without mcs (or csc) the folder has no DLL and the fallback is used.
compiler=""
if command -v mcs >/dev/null; then compiler=mcs; elif command -v csc >/dev/null; then compiler=csc; fi
if [ -n "$compiler" ]; then
  "$compiler" -langversion:5 -warnaserror -nologo -optimize+ -target:library \
    -out:"$out/SsisNative.dll" "$src/SsisNative.cs"
  echo "SsisNative.dll compiled with $compiler"
else
  echo "package-powershell: no mcs or csc: SsisNative.dll not built (the module compiles SsisNative.cs at import)" >&2
fi
echo "SsisService module ($rid, $profile library) assembled in $out"
