#!/usr/bin/env bash
# Mutation testing with gremlins, one package at a time.
# Arguments: PKG:EFFICACY:COVERAGE ... (minimum percentages, from the
# Makefile). Prints each package's figures, then a table; exits 1 when a
# package is below either threshold. GREMLINS names the binary.
# MUTATE_FLAGS adds gremlins flags (e.g. MUTATE_FLAGS='--workers 2').
# A mutant's test run times out after MUTATE_TIMEOUT_COEFFICIENT (30) times
# the package's coverage run: that run is often a build-cache hit, while
# each mutant is compiled afresh.
# Mutants listed in scripts/mutate-equivalent.txt are equivalent or dead
# code: the list says why; gremlins still counts them.
set -euo pipefail
GREMLINS=${GREMLINS:-gremlins}
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Measure a copy of the working tree in a temp dir: the tests that read
# ../shared/corpus skip there, as in a fresh clone. (gremlins gathers
# coverage where it is started but runs each mutant in a copy of its own:
# started here, the corpus tests would count for coverage and never run.)
unset ASTAPI_CORPUS
# -short skips the tests that only measure (latency, scaling) and shrinks
# a few costly inputs: they catch no mutant the behaviour tests miss and
# would cost seconds per mutant. -vet=off: make vet checks the code once.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-short -vet=off"
mkdir "$out/src"
git ls-files -z --cached --others --exclude-standard |
  tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C "$out/src"
cd "$out/src"
fail=0
summary=()
for spec in "$@"; do
  IFS=: read -r pkg eff cov <<<"$spec"
  echo "mutate: ./$pkg (thresholds: efficacy $eff%, coverage $cov%)"
  # shellcheck disable=SC2086 # MUTATE_FLAGS is a list of flags
  # Not --test-cpu: gremlins v0.6.0 passes it as the single argument
  # "-cpu N", go test fails on it, and every mutant counts as killed.
  # GOMAXPROCS=1 keeps each test run on one core instead.
  GOMAXPROCS=1 "$GREMLINS" unleash --workers 1 --timeout-coefficient "${MUTATE_TIMEOUT_COEFFICIENT:-30}" \
    ${MUTATE_FLAGS:-} "./$pkg" | tee "$out/$pkg.txt" || true
  e=$(sed -nE 's/.*Test efficacy: ([0-9.]+)%.*/\1/p' "$out/$pkg.txt" | tail -1)
  c=$(sed -nE 's/.*Mutator coverage: ([0-9.]+)%.*/\1/p' "$out/$pkg.txt" | tail -1)
  verdict=ok
  if [[ -z $e || -z $c ]]; then
    verdict="FAIL (no figures)"
  elif awk -v e="$e" -v c="$c" -v te="$eff" -v tc="$cov" 'BEGIN { exit !(e < te || c < tc) }'; then
    verdict=FAIL
  fi
  [[ $verdict == ok ]] || fail=1
  summary+=("$(printf '%-8s efficacy %6s%% (min %s)  coverage %6s%% (min %s)  %s' "$pkg" "${e:-?}" "$eff" "${c:-?}" "$cov" "$verdict")")
done
echo
printf '%s\n' "${summary[@]}"
exit $fail
