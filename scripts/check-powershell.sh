#!/usr/bin/env bash
# CI check of the PowerShell module (powershell/SsisService):
#  1. the Pester 5 tests (tests/powershell/*.Tests.ps1) when pwsh is on PATH, else a plain
#     note that they were skipped;
#  2. always: the static checks of tests/powershell/check.mjs (every .ps1/.psm1/.psd1 parsed
#     with the tree-sitter PowerShell grammar; exports, verbs, CmdletBinding, help,
#     ShouldProcess, pipeline binding, manifest), node packages from package-lock.json
#     installed into tests/powershell/.node (gitignored);
#  3. always: scripts/package-powershell.sh assembles a module folder with the library.
# Prints "N passed, M failed" last; exits non-zero when anything failed.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
passed=0
failed=0

# Adds the counts of a "N passed, M failed" line found in the given output file.
count() {
  local line
  line="$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)"
  if [ -z "$line" ]; then
    failed=$((failed + 1))
    return
  fi
  passed=$((passed + $(echo "$line" | awk '{print $1}')))
  failed=$((failed + $(echo "$line" | awk '{print $3}')))
}

log="$(mktemp -d)"
trap 'rm -rf "$log"' EXIT

echo "== native library (cargo build --lib --bin ssis)"
if ! cargo build -q --lib --bin ssis; then
  echo "cargo build failed"
  failed=$((failed + 1))
fi

echo "== static checks (tree-sitter PowerShell grammar)"
node_dir="$root/tests/powershell/.node"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "node/npm not found: install nodejs and npm (the static checks need them)"
  failed=$((failed + 1))
else
  mkdir -p "$node_dir"
  if ! cmp -s "$root/tests/powershell/package-lock.json" "$node_dir/package-lock.json" \
    || [ ! -d "$node_dir/node_modules/web-tree-sitter" ]; then
    cp "$root/tests/powershell/package.json" "$root/tests/powershell/package-lock.json" "$node_dir/"
    (cd "$node_dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) || failed=$((failed + 1))
  fi
  # --liftoff-only: with web-tree-sitter's wasm, plain node waits ~14 s at exit.
  node --liftoff-only tests/powershell/check.mjs "$root" "$node_dir/node_modules" | tee "$log/static.txt"
  count "$log/static.txt"
fi

echo "== packaging (scripts/package-powershell.sh, debug library)"
out="$log/module/SsisService"
if PROFILE=debug NO_BUILD=1 scripts/package-powershell.sh "$out" >"$log/package.txt" 2>&1; then
  problems=""
  for f in SsisService.psd1 SsisService.psm1 SsisService.Format.ps1xml SsisNative.cs en-US/about_SsisService.help.txt; do
    [ -f "$out/$f" ] || problems="$problems missing $f;"
  done
  libs="$(find "$out/runtimes" -path '*/native/*ssis_service*' -type f | wc -l)"
  [ "$libs" = 1 ] || problems="$problems runtimes/<rid>/native/ holds $libs libraries;"
  src_count="$(find powershell/SsisService/Public -name '*.ps1' | wc -l)"
  out_count="$(find "$out/Public" -name '*.ps1' | wc -l)"
  [ "$src_count" = "$out_count" ] || problems="$problems $out_count of $src_count cmdlet files copied;"
  # With a C# compiler here, the binding ships compiled (no Add-Type at import).
  if command -v mcs >/dev/null || command -v csc >/dev/null; then
    [ -f "$out/SsisNative.dll" ] || problems="$problems no SsisNative.dll;"
  fi
  if [ -z "$problems" ]; then
    echo "ok   module folder assembled with $(find "$out/runtimes" "$out/SsisNative.dll" -type f 2>/dev/null | sed "s|$out/||" | tr '\n' ' ')"
    passed=$((passed + 1))
  else
    echo "FAIL module folder:$problems"
    failed=$((failed + 1))
  fi
else
  cat "$log/package.txt"
  echo "FAIL scripts/package-powershell.sh"
  failed=$((failed + 1))
fi

echo "== Pester tests"
if command -v pwsh >/dev/null; then
  SSIS_PS_MODULE="$out/SsisService.psd1" SSIS_BIN="$target_dir/debug/ssis" pwsh -NoProfile -NonInteractive -Command '
    $ErrorActionPreference = "Stop"
    if (-not (Get-Module -ListAvailable Pester | Where-Object { $_.Version -ge [version]"5.0" })) {
      Install-Module Pester -MinimumVersion 5.0 -Scope CurrentUser -Force -SkipPublisherCheck
    }
    Import-Module Pester -MinimumVersion 5.0
    $config = New-PesterConfiguration
    $config.Run.Path = "tests/powershell"
    $config.Run.PassThru = $true
    $config.Output.Verbosity = "Normal"
    $result = Invoke-Pester -Configuration $config
    "{0} passed, {1} failed" -f $result.PassedCount, ($result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount)
  ' 2>&1 | tee "$log/pester.txt"
  count "$log/pester.txt"
else
  echo "pwsh is not installed: the Pester tests (tests/powershell/*.Tests.ps1) were skipped"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
