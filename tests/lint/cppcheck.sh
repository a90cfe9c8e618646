#!/usr/bin/env bash
# cppcheck over every framework source finds nothing (warning, performance and portability
# checks). Suppressions, each with its reason:
#  - missingIncludeSystem: system, LibTorch and other library headers are not analysed (only
#    Topiary's own code is), so cppcheck is told not to look for them.
#  - useInitializationList in framework/models: LibTorch modules must call register_module()
#    on a constructed `this`, so submodules are assigned in the constructor body.
source "$(dirname "$0")/../lib.sh"
command -v cppcheck >/dev/null || fail "cppcheck is not installed (launch/setup.sh installs it)"
cd "$SRC"
cppcheck --version
cppcheck --enable=warning,performance,portability --std=c++20 --inline-suppr --quiet \
  --error-exitcode=1 -I framework --suppress=missingIncludeSystem \
  --suppress='useInitializationList:framework/models/*' framework >"$WORK/findings.txt" 2>&1 ||
  { cat "$WORK/findings.txt"; fail "cppcheck found the problems above"; }
[ ! -s "$WORK/findings.txt" ] || { cat "$WORK/findings.txt"; fail "cppcheck printed findings"; }
files=$(find framework -name '*.cpp' | wc -l)
echo "ok: cppcheck found nothing in $files framework sources"
