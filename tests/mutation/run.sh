#!/usr/bin/env bash
# Mutation testing: proves that the tests catch a broken formula.
#
#   tests/mutation/run.sh [--jobs N] [ID...]
#
# Each entry of mutations.txt (all of them, or the IDs given) is applied to a copy of include/,
# tests/ and apps/. The test files it lists are compiled and linked with Catch2's session and the
# product kernels (each compiled once, the kernels again for a mutant of a file they include), and
# the binary runs the entry's test spec:
#   killed    the build succeeds and a test fails: the tests caught the mistake;
#   SURVIVED  every test passes: a test is missing;
#   BROKEN    the mutated code does not compile: the entry is wrong, fix mutations.txt.
# Entries tested by the same test files are built together where their edits allow, into one
# program that chooses the mutant at run time (a schema, described below), and run once each.
# Every entry's original text must occur exactly once in its file, or nothing is mutated; every
# test program must build and pass unmutated (a schema's run with no mutant chosen counts), or the
# run fails. Exits 0 only if every mutation run is killed; an entry that `needs:` a CPU feature this
# CPU lacks is NOT RUN, and named.
#
# --jobs N runs N builds at a time (default 1). Environment: CXX (default g++),
# MUTATION_OPTIMIZATION, the test files' optimisation (default -O1; the kernels are always
# compiled -O1, so that the products stay fast whatever it is), EIGEN3_INCLUDE_DIR (default
# /usr/include/eigen3), MUTATION_TIMEOUT, the seconds an unmutated test program may run (default
# 300), and MUTATION_MUTANT_TIMEOUT, the seconds a mutant's run may take (default 60).
set -euo pipefail
shopt -u patsub_replacement 2>/dev/null || true  # bash 5.2: '&' in a replacement stays '&'
if ((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] < 501)); then
  echo "$0 needs bash 5.1 or later (wait -n -p), this is $BASH_VERSION" >&2
  exit 2
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
list_file=$here/mutations.txt
cxx=${CXX:-g++}
eigen_include=${EIGEN3_INCLUDE_DIR:-/usr/include/eigen3}
optimization=${MUTATION_OPTIMIZATION:--O1}
[[ $optimization =~ ^-O[0-3sg]?$ ]] || { echo "MUTATION_OPTIMIZATION: expected -O0, -O1, ..., got '$optimization'" >&2; exit 2; }
run_timeout=${MUTATION_TIMEOUT:-300}
# A mutant's run stops at its first failure, and the slowest seen took 9 s. A mutant that writes
# out of bounds may instead leave the program waiting forever on a lock it broke, and its run
# then held a job for the whole 300 s.
mutant_timeout=${MUTATION_MUTANT_TIMEOUT:-60}
jobs=1
selected=()

usage() {
  echo "usage: $0 [--jobs N] [ID...]" >&2
  exit 2
}
while (($#)); do
  case $1 in
    --jobs) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || usage; jobs=$2; shift 2 ;;
    --jobs=*) jobs=${1#--jobs=}; [[ $jobs =~ ^[1-9][0-9]*$ ]] || usage; shift ;;
    -h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    -*) usage ;;
    *) selected+=("$1"); shift ;;
  esac
done

started=$SECONDS
work=$(mktemp -d "${TMPDIR:-/tmp}/jiggle-mutation.XXXXXX")
cleanup() {
  local running
  mapfile -t running < <(jobs -p)
  ((${#running[@]} == 0)) || kill "${running[@]}" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
# The list: ids[i], files[i], tests[i], specs[i], alone[i] (1 for `built: alone`), needs[i] (the
# CPU features of `needs:`), and edits[i], the indices into originals and replacements of entry
# i's edits, in order.
ids=() files=() tests=() specs=() alone=() needs=() edits=() originals=() replacements=()
problems=0
problem() {
  echo "mutations.txt: $*" >&2
  problems=$((problems + 1))
}

parse_list() {
  local line number=0 current=-1 awaiting=0
  while IFS= read -r line || [[ -n $line ]]; do
    number=$((number + 1))
    line=${line%$'\r'}
    case $line in
      '' | '#'*) continue ;;
    esac
    if [[ $line == 'id: '* ]]; then
      ((awaiting == 0)) || problem "line $((number - 1)): an original text without its '+' replacement"
      awaiting=0
      current=${#ids[@]}
      ids+=("${line#id: }") files+=("") tests+=("") specs+=("") alone+=("") needs+=("") edits+=("")
      continue
    fi
    if ((current < 0)); then
      problem "line $number: expected 'id: ...' first, got: $line"
      continue
    fi
    case $line in
      'file: '*) files[current]=${line#file: } ;;
      'tests: '*) tests[current]=${line#tests: } ;;
      'spec: '*) specs[current]=${line#spec: } ;;
      'built: alone') alone[current]=1 ;;
      'needs: '*) needs[current]=${line#needs: } ;;
      '- '?*)
        ((awaiting == 0)) || problem "line $number: two original texts in a row"
        originals+=("${line#- }") replacements+=("")
        edits[current]+=" $((${#originals[@]} - 1))"
        awaiting=1
        ;;
      '+' | '+ '*)
        ((awaiting == 1)) || problem "line $number: a replacement without an original text before it"
        replacements[${#replacements[@]} - 1]=${line#+}
        replacements[${#replacements[@]} - 1]=${replacements[${#replacements[@]} - 1]# }
        awaiting=0
        ;;
      *) problem "line $number: not 'id:', 'file:', 'tests:', 'spec:', 'built: alone', 'needs:', '- text' or '+ text': $line" ;;
    esac
  done <"$list_file"
  ((awaiting == 0)) || problem "the last original text has no '+' replacement"
}

# Entry i's edits applied to `path` (a copy of its file), each original checked first to occur
# exactly once, with no subshell: the check below runs it for every entry. Returns non-zero,
# saying why, if one does not.
apply_edits() {
  local i=$1 path=$2 content="" rest count k
  IFS= read -r -d '' content <"$path" || true  # the whole file, trailing newlines kept
  for k in ${edits[i]}; do
    rest=${content//"${originals[k]}"/}
    count=$(((${#content} - ${#rest}) / ${#originals[k]}))
    if ((count != 1)); then
      echo "${ids[i]}: '${originals[k]}' occurs $count times in ${files[i]}, not once" >&2
      return 1
    fi
    content=${content/"${originals[k]}"/"${replacements[k]}"}
  done
  printf '%s' "$content" >"$path"
}

parse_list
declare -A index_of=()
for i in "${!ids[@]}"; do
  id=${ids[i]}
  [[ $id =~ ^[A-Za-z0-9._-]+$ ]] || problem "id '$id': use letters, digits, '.', '_' and '-'"
  [[ -z ${index_of[$id]+set} ]] || problem "id '$id' is given twice"
  index_of[$id]=$i
  [[ -n ${files[i]} ]] || problem "$id: no 'file:'"
  [[ -n ${tests[i]} ]] || problem "$id: no 'tests:'"
  [[ -n ${specs[i]} ]] || problem "$id: no 'spec:'"
  [[ -n ${edits[i]} ]] || problem "$id: no '- original' and '+ replacement'"
  [[ -z ${files[i]} || -f $root/${files[i]} ]] || problem "$id: no file ${files[i]}"
  [[ ${needs[i]} =~ ^[a-z0-9_\ ]*$ ]] || problem "$id: 'needs:' takes CPU features as /proc/cpuinfo names them"
  read -r -a test_files <<<"${tests[i]}"
  for test_file in "${test_files[@]}"; do
    [[ ($test_file == tests/*.cpp || $test_file == apps/*/tests/*.cpp) && -f $root/$test_file ]] ||
      problem "$id: no test file $test_file under tests/ or apps/NAME/tests/"
  done
done
((problems == 0)) || exit 2

if ((${#selected[@]} == 0)); then
  chosen=("${!ids[@]}")
else
  chosen=()
  declare -A is_chosen=()
  for id in "${selected[@]}"; do
    [[ -n ${index_of[$id]+set} ]] || { echo "no mutation '$id' in $list_file" >&2; exit 2; }
    [[ -n ${is_chosen[$id]+set} ]] || chosen+=("${index_of[$id]}")
    is_chosen[$id]=1
  done
fi

# An entry that needs a CPU feature this CPU lacks mutates code the CPU cannot run, whose tests
# skip here: it is not run, and the run names it and what the CPU lacks.
line() { printf '%-9s %-46s %s\n' "$1" "$2" "$3"; }
cpu_flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
runnable=() not_run=()
for i in "${chosen[@]}"; do
  lacking=""
  for feature in ${needs[i]}; do
    [[ $cpu_flags == *" $feature "* ]] || lacking+=" $feature"
  done
  if [[ -z $lacking ]]; then
    runnable+=("$i")
  else
    not_run+=("${ids[i]}")
    line "NOT RUN" "${ids[i]}" "needs${lacking}, which this CPU lacks"
  fi
done
chosen=("${runnable[@]}")
if ((${#chosen[@]} == 0)); then
  echo "no mutation to run on this CPU (${#not_run[@]} not run)"
  exit 0
fi

kernels_source=cmake/kernels.cpp

# One snapshot of the sources for the whole run: every original is checked against it, the
# unmutated tests are built from it, and every mutant is copied from it.
snapshot=$work/snapshot
mkdir -p "$snapshot/cmake"
cp -R "$root/include" "$root/tests" "$root/apps" "$snapshot/"
cp "$root/$kernels_source" "$snapshot/cmake/"
rotten=0
for i in "${!ids[@]}"; do  # all of them, so that a changed line is found on any run
  cp "$snapshot/${files[i]}" "$work/checked-file"
  apply_edits "$i" "$work/checked-file" || rotten=1
done
if ((rotten)); then
  echo "mutations.txt no longer matches the code: update the entries above to the code as it now reads." >&2
  exit 2
fi

# ---------------------------------------------------------------------------------------------
# Building and running. The test files are compiled with the kernels left out (as the CMake build
# compiles them), with Eigen, Catch2 and the standard library read from a precompiled header
# (tests/support/precompiled.hpp, which no mutation touches), and with GCC's garbage collection
# made rarer; the kernels are compiled once, and again only for a mutant of a file they include.
compile_flags=(-std=c++20 -fopenmp -isystem "$eigen_include" "-DJIGGLE_MNIST_DIR=\"$root/data/mnist\""
  "-DJIGGLE_REFERENCE_CURVES=\"$root/apps/mnist/reference/ablation_curves.csv\"" -DJIGGLE_SEPARATE_KERNELS)
is_clang=0
[[ $("$cxx" --version) == *clang* ]] && is_clang=1
((is_clang)) || compile_flags+=(--param=ggc-min-expand=100 --param=ggc-min-heapsize=1048576)
# LLVM's linker where there is one: it links a test program in about a third of ld's time, and
# every mutant is linked.
link_flags=(-fopenmp)
if command -v ld.lld >/dev/null && "$cxx" -fuse-ld=lld -x c++ - -o /dev/null <<<'int main() {}' 2>/dev/null; then
  link_flags+=(-fuse-ld=lld)
fi
precompiled_source=tests/support/precompiled.hpp
# The optimisation SOURCE is compiled with. The kernels' unit is compiled again for every schema of
# a file it includes; at -O1 the 33 entries that include it took 61 s against 73 s at -O2.
optimization_of() {
  if [[ $1 == "$kernels_source" ]]; then echo -O1; else echo "$optimization"; fi
}

# The precompiled header where each compiler looks for it: clang is handed the file, GCC finds
# NAME.gch beside the NAME it is told to include.
if ((is_clang)); then
  precompiled_output=$work/precompiled.pch
  precompiled_use=(-include-pch "$precompiled_output")
else
  mkdir -p "$work/precompiled"
  cp "$snapshot/$precompiled_source" "$work/precompiled/"
  precompiled_output=$work/precompiled/${precompiled_source##*/}.gch
  precompiled_use=(-include "$work/precompiled/${precompiled_source##*/}")
fi

# Catch2's session and main, the kernels and the precompiled header, built once while the first
# test files compile; build() waits for them. NAME OUTPUT SOURCE COMPILER-ARGUMENTS...
shared_object() {
  local name=$1 output=$2 source=$3
  shift 3
  if "$cxx" "${compile_flags[@]}" "$(optimization_of "$source")" -I"$snapshot/include" -I"$snapshot/tests" "$@" \
    "$snapshot/$source" -o "$output.partial" >"$work/$name.log" 2>&1; then
    mv "$output.partial" "$output"
    touch "$work/$name.built"
  else
    touch "$work/$name.failed"
  fi
}
shared_object session "$work/session.o" tests/support/catch_session.cpp -c &
shared_object main "$work/main.o" tests/support/main.cpp -c &
shared_object kernels "$work/kernels.o" "$kernels_source" -c &
shared_object precompiled "$precompiled_output" "$precompiled_source" -x c++-header &

# The files the kernels' object depends on, relative to the tree.
declare -A kernels_depend_on=()
while read -r dependency; do
  kernels_depend_on[${dependency#"$snapshot/"}]=1
done < <("$cxx" "${compile_flags[@]}" -I"$snapshot/include" -MM "$snapshot/$kernels_source" |
  tr -d '\\' | tr ' ' '\n' | grep "^$snapshot/")

await_shared_object() {
  until [[ -e $work/$1.built || -e $work/$1.failed ]]; do sleep 0.2; done
  if [[ -e $work/$1.failed ]]; then
    echo "$1 did not compile:"
    cat "$work/$1.log"
    return 1
  fi
}

# Whether SOURCE can be compiled with the precompiled header: not if it defines a macro for Eigen
# or Catch2 to read, which would come too late.
takes_precompiled_header() {
  ! grep -q -E '^#define (EIGEN|CATCH)_' "$1"
}

# build TREE OUTPUT TEST_FILE...: the test files of TREE, compiled and linked into OUTPUT with the
# Catch2's session and the kernels, compiled afresh from TREE if KERNELS_FROM_TREE is set.
build() {
  local tree=$1 output=$2 source object objects=() precompiled app app_includes
  shift 2
  if [[ -n ${KERNELS_FROM_TREE:-} ]]; then
    set -- "$@" "$kernels_source"
  else
    await_shared_object kernels || return 1
    objects+=("$work/kernels.o")
  fi
  for source; do
    object=${output%/*}/${source//\//_}.o
    precompiled=() app_includes=()
    # A program's test file includes its program's headers and the ones its programs share.
    if [[ $source == apps/*/tests/* ]]; then
      app=${source#apps/}
      app_includes=(-I"$tree/apps/${app%%/*}" -I"$tree/apps/common")
    fi
    if [[ $source != "$kernels_source" ]] && takes_precompiled_header "$tree/$source"; then
      await_shared_object precompiled || return 1
      precompiled=("${precompiled_use[@]}")
    fi
    "$cxx" "${compile_flags[@]}" "$(optimization_of "$source")" -I"$tree/include" -I"$tree/tests" \
      "${app_includes[@]}" "${precompiled[@]}" -c "$tree/$source" -o "$object" || return 1
    objects+=("$object")
  done
  await_shared_object session || return 1
  await_shared_object main || return 1
  "$cxx" "${link_flags[@]}" "$work/session.o" "$work/main.o" "${objects[@]}" -o "$output" -lz
}

# run_tests BINARY SPEC LOG [OPTION...]: fails if any test of SPEC fails, or if SPEC matches no
# test. The options go to Catch2. It may run for timeout_seconds where its caller sets them (a
# mutant's run), for MUTATION_TIMEOUT otherwise.
run_tests() {
  local binary=$1 spec=$2 log=$3
  shift 3
  { (cd "${binary%/*}" && timeout "${timeout_seconds:-$run_timeout}" "$binary" --warn NoTests "$@" "$spec") >"$log" 2>&1; } 2>/dev/null
}

# Why a run failed, in a few words, naming the first test that failed; with `stopped`, the run
# ended at its first failure (Catch2's --abort), and the tests it did not reach are not counted.
describe_failure() {
  local status=$1 log=$2 stopped=${3:-} summary first
  # Catch2's console reporter heads each failing test with its name between two rules of dashes.
  first=$(awk '/^-+$/ { if (++rules == 1) { getline; print; exit } }' "$log")
  if ((status == 124)); then
    summary="timed out after ${timeout_seconds:-$run_timeout} s"
  elif ((status > 128)); then
    summary="crashed (signal $((status - 128)))"
  elif [[ -n $stopped && -n $first ]]; then
    echo "fails \"$first\""
    return
  elif summary=$(grep -m1 '^test cases:' "$log") && [[ $summary =~ ^test\ cases:\ *([0-9]+).*\ ([0-9]+)\ failed ]]; then
    summary="${BASH_REMATCH[2]} of ${BASH_REMATCH[1]} test cases failed"
  else
    summary="exit status $status"
  fi
  echo "$summary${first:+, first: \"$first\"}"
}

# FUNCTION once per argument, at most $jobs at a time, none started once an unmutated run failed.
pool() {
  local function=$1 argument finished pid running=() still_running
  shift
  for argument; do
    [[ ! -e $work/baseline-failed ]] || break
    "$function" "$argument" &
    running+=("$!")
    while ((${#running[@]} >= jobs)); do
      finished=""
      wait -n -p finished "${running[@]}" || true
      if [[ -z $finished ]]; then  # interrupted: wait for the oldest instead
        finished=${running[0]}
        wait "$finished" || true
      fi
      still_running=()
      for pid in "${running[@]}"; do [[ $pid == "$finished" ]] || still_running+=("$pid"); done
      running=("${still_running[@]}")
    done
  done
  ((${#running[@]} == 0)) || wait "${running[@]}" || true
}

# ---------------------------------------------------------------------------------------------
# Baselines: each distinct set of test files, unmutated, with each spec used on it, passes. A set
# that a schema (below) tests is checked by the schema's run with no mutant chosen, and built
# unmutated only if that run cannot be had.
declare -A set_specs=() set_of=()
sets=()
for i in "${chosen[@]}"; do
  read -r -a test_files <<<"${tests[i]}"
  key=$(printf '%s\n' "${test_files[@]}" | sort -u | tr '\n' ' ')
  key=${key% }
  set_of[$i]=$key
  if [[ -z ${set_specs[$key]+set} ]]; then
    sets+=("$key")
    set_specs[$key]=""
  fi
  [[ $'\n'${set_specs[$key]} == *$'\n'"${specs[i]}"$'\n'* ]] || set_specs[$key]+="${specs[i]}"$'\n'
done

# baseline KEY: builds the set KEY unmutated and runs its specs; non-zero, saying why, if one fails.
baseline() {
  local key=$1 dir spec status test_files failed=0
  dir=$(mktemp -d "$work/baseline.XXXXXX")
  read -r -a test_files <<<"$key"
  if ! build "$snapshot" "$dir/test-program" "${test_files[@]}" >"$dir/build.log" 2>&1; then
    line "FAILED" "baseline: $key" "does not compile unmutated"
    sed 's/^/    /' "$dir/build.log" | grep -m20 -e 'error' -e 'Catch2 main' || true
    touch "$work/baseline-failed"
    return 1
  fi
  while IFS= read -r spec; do
    [[ -n $spec ]] || continue
    status=0
    run_tests "$dir/test-program" "$spec" "$dir/run.log" || status=$?
    if ((status != 0)); then
      line "FAILED" "baseline: $key $spec" "fails unmutated: $(describe_failure "$status" "$dir/run.log")"
      sed 's/^/    /' "$dir/run.log" | tail -n 30
      touch "$work/baseline-failed"
      failed=1
    fi
  done <<<"${set_specs[$key]}"
  rm -rf "$dir"
  return "$failed"
}

# ---------------------------------------------------------------------------------------------
# The mutants. Mutants tested by one set of test files are built together where they can be:
# into one schema, copies of the files they mutate in which each mutated line chooses at run
# time, by the mutant number JIGGLE_MUTANT, between the original and each mutant's text. The
# program is built once and run once per mutant. A build costs several times a run, so a schema
# of n mutants saves nearly n - 1 builds. An edit is switched this way only in one of three forms,
# where the choice means what the edited text means:
#   a statement, the whole line or the end of one after a ')' or 'else':
#       if (jiggle_mutant_is(K)) { K's statement } else { the original }
#   a declaration 'TYPE NAME = VALUE;' whose type is spelled out and whose replacement declares
#   the same:
#       TYPE NAME = jiggle_mutant_is(K) ? (K's value) : (the original value);
#   a condition 'if (CONDITION) {' whose replacement is one too:
#       if (jiggle_mutant_is(K) ? (K's condition) : (the original condition)) {
# A comment that ends the line is set aside. A JIGGLE_OMP on the line before a switched loop
# moves into each branch that is a loop; any other pragma there rules the line out. Every other
# entry, and every entry of a schema that does not compile or whose unmutated run fails a test,
# is built on its own as before.
mkdir -p "$work/results"

record_result() {  # I STATUS DETAIL BUILD_LOG
  local i=$1 status=$2 detail=$3 build_log=$4
  {
    line "$status" "${ids[i]}" "$detail"
    [[ $status != BROKEN ]] || grep -m10 -e 'error' -e 'undefined reference' "$build_log" | sed 's/^/    /'
  } >"$work/results/$i"
  cat "$work/results/$i"
}

# run_mutant I BINARY LOG BUILD_LOG [MUTANT]: runs entry I's spec and records what it found. The
# run stops at the first failure, which is all a verdict needs: a mutant can make a test slow.
run_mutant() {
  local i=$1 binary=$2 log=$3 build_log=$4 mutant=${5:-} run_status=0 timeout_seconds=$mutant_timeout
  JIGGLE_MUTANT=$mutant run_tests "$binary" "${specs[i]}" "$log" --abort || run_status=$?
  if ((run_status == 0)); then
    record_result "$i" SURVIVED "${specs[i]} passes: a test is missing" "$build_log"
  else
    record_result "$i" killed "${specs[i]}: $(describe_failure "$run_status" "$log" stopped)" "$build_log"
  fi
}

mutate() {
  local i=$1 dir=$work/mutants/${ids[$1]} test_files
  mkdir -p "$dir"
  cp -R "$snapshot/include" "$snapshot/tests" "$snapshot/apps" "$snapshot/cmake" "$dir/"
  apply_edits "$i" "$dir/${files[i]}"
  read -r -a test_files <<<"${tests[i]}"
  local kernels_from_tree=""
  [[ -z ${kernels_depend_on[${files[i]}]+set} ]] || kernels_from_tree=1
  if ! KERNELS_FROM_TREE=$kernels_from_tree build "$dir" "$dir/test-program" "${test_files[@]}" >"$dir/build.log" 2>&1; then
    record_result "$i" BROKEN "does not compile; fix the entry in mutations.txt" "$dir/build.log"
  else
    run_mutant "$i" "$dir/test-program" "$dir/run.log" "$dir/build.log"
  fi
  rm -rf "$dir"
}

# trim_into NAME TEXT: TEXT without the blanks that start and end it, into NAME (no subshell: it
# runs for every line of every mutated file).
trim_into() {
  local -n trimmed_text=$1
  trimmed_text=${2#"${2%%[![:space:]]*}"}
  trimmed_text=${trimmed_text%"${trimmed_text##*[![:space:]]}"}
}

balanced() {
  local text=$1 open close pair
  for pair in '()' '[]' '{}'; do
    open=${text//[^"${pair:0:1}"]/} close=${text//[^"${pair:1:1}"]/}
    ((${#open} == ${#close})) || return 1
  done
}

# Whether TEXT (trimmed, with no comment) is one statement, and not a declaration, which braces
# would end the scope of.
is_statement() {
  local text=$1
  [[ $text == *';' ]] || return 1
  [[ ! $text =~ ^(else|case|default)([^A-Za-z0-9_]|$) ]] || return 1
  balanced "$text" || return 1
  [[ $text =~ ^(return|throw)[^A-Za-z0-9_] ]] && return 0
  [[ ! $text =~ ^([A-Za-z_][A-Za-z0-9_:\<\>,]*[[:space:]*\&]+)+[A-Za-z_][A-Za-z0-9_]*[[:space:]]*[=\{\(\;] ]]
}

# Splits TEXT (trimmed) into the form it can be switched in: form, head, body and tail, where
# head + body + tail is the text and body is what a mutant replaces. Non-zero if it has none.
switchable_form() {
  local text=$1 declared value
  [[ $text != *'//'* && $text != *'/*'* ]] || return 1
  if [[ $text =~ ^if\ \((.*)\)\ \{$ ]] && balanced "${BASH_REMATCH[1]}"; then
    form=condition head='if (' body=${BASH_REMATCH[1]} tail=') {'
  elif [[ $text =~ ^(([A-Za-z_][A-Za-z0-9_:\<\>,]*[[:space:]*\&]+)+[A-Za-z_][A-Za-z0-9_]*)\ =\ (.*)\;$ ]] &&
    declared=${BASH_REMATCH[1]} value=${BASH_REMATCH[3]} &&
    [[ ! $declared =~ (^|[^A-Za-z0-9_])(auto|static|constexpr|return|throw|using|typedef)([^A-Za-z0-9_]|$) ]] &&
    balanced "$value"; then
    form=declaration head="$declared = " body=$value tail=';'
  elif is_statement "$text"; then
    form=statement head='' body=$text tail=''
  else
    return 1
  fi
}

# code_into NAME TEXT: TEXT, trimmed, without a comment that ends it (kept where a quote could
# hide a '//'), into NAME.
code_into() {
  local -n code_text=$1
  trim_into code_text "$2"
  if [[ $code_text != *'"'* && $code_text =~ ^(.*[^[:space:]])[[:space:]]+//.*$ ]]; then
    code_text=${BASH_REMATCH[1]}
  elif [[ $code_text == '//'* ]]; then
    code_text=""
  fi
}

# previous_code_line N: the last line before line N of code_lines that holds code, or -1, into
# previous.
previous_code_line() {
  previous=$(($1 - 1))
  while ((previous >= 0)) && [[ -z ${code_lines[previous]} ]]; do previous=$((previous - 1)); done
}

# Whether TEXT is a pragma: a JIGGLE_OMP, a #pragma or a _Pragma.
is_pragma() {
  [[ $1 =~ ^(JIGGLE_OMP\(|#[[:space:]]*pragma|_Pragma) ]]
}

# whole_line_switch ORIGINAL REPLACEMENT: the edit switched in one of the three forms, on the line
# that is ORIGINAL or ends with it: sets found, line_form, line_head, line_body, line_tail, pragma
# and body (the replacement's). Non-zero if it cannot be.
whole_line_switch() {
  local original=$1 replacement=$2 n prefix="" form head tail previous
  found=-1
  for n in "${!code_lines[@]}"; do
    local line_prefix=""
    if [[ ${code_lines[n]} != "$original" ]]; then
      # A statement that ends a line, after a loop's or a condition's ')' or an 'else'.
      [[ ${code_lines[n]} == *" $original" ]] || continue
      trim_into line_prefix "${code_lines[n]%"$original"}"
      [[ $line_prefix == *')' || $line_prefix == else || $line_prefix == *' else' ]] && balanced "$line_prefix" ||
        continue
    fi
    ((found < 0)) || return 1  # on two lines: which one the entry means is not clear
    found=$n prefix=$line_prefix
  done
  ((found >= 0)) || return 1
  switchable_form "$original" || return 1
  [[ -z $prefix || $form == statement ]] || return 1
  # A pragma binds to the loop that follows it: a JIGGLE_OMP goes into each branch that is a
  # loop; any other pragma rules the line out.
  pragma=""
  if ((${#prefix} == 0)); then
    previous_code_line "$found"
    if ((previous >= 0)) && is_pragma "${code_lines[previous]}"; then
      [[ ${code_lines[previous]} =~ ^JIGGLE_OMP\(.*\)$ ]] || return 1
      pragma=${code_lines[previous]}
    fi
  fi
  line_form=$form line_head="$prefix$head" line_body=$body line_tail=$tail
  if [[ -z $replacement && $form == statement ]]; then
    body=""
  else
    switchable_form "$replacement" || return 1
    [[ $form == "$line_form" && "$prefix$head" == "$line_head" && $tail == "$line_tail" ]] || return 1
  fi
}

# Whether TEXT (trimmed) can stand as an operand of '?:': balanced, with no ',' or ';' outside its
# brackets, and not a statement's or a declaration's first word.
is_operand() {
  local text=$1 position character depth=0
  [[ -n $text ]] && balanced "$text" || return 1
  [[ ! $text =~ ^(if|for|while|switch|do|else|case|default|return|throw|const|constexpr|static|auto|using|template|typename)([^A-Za-z0-9_]|$) ]] ||
    return 1
  for ((position = 0; position < ${#text}; ++position)); do
    character=${text:position:1}
    case $character in
      '(' | '[' | '{') depth=$((depth + 1)) ;;
      ')' | ']' | '}') depth=$((depth - 1)) ;;
      ',' | ';') ((depth > 0)) || return 1 ;;
    esac
  done
}

# mask_strings_into NAME LINE: LINE with the insides of its string literals blanked, into NAME, so
# that no bracket or separator in a string is read as code.
mask_strings_into() {
  local -n masked_text=$1
  local line=$2 position character in_string=0
  masked_text=""
  for ((position = 0; position < ${#line}; ++position)); do
    character=${line:position:1}
    if ((in_string)) && [[ $character == "\\" ]]; then
      masked_text+="__"
      position=$((position + 1))
      continue
    fi
    [[ $character != '"' ]] || in_string=$((1 - in_string))
    if ((in_string)) && [[ $character != '"' ]]; then masked_text+="_"; else masked_text+=$character; fi
  done
}

# changed_span ORIGINAL REPLACEMENT LINE: where an edit changes LINE, which holds ORIGINAL once.
# Sets edit_start and edit_end, the span of LINE that ORIGINAL and REPLACEMENT differ in once their
# common ends are set aside, and changed_replacement, REPLACEMENT's text for that span.
changed_span() {
  local original=$1 replacement=$2 line=$3 same=0 changed_original before
  while ((same < ${#original} && same < ${#replacement})) && [[ ${original:same:1} == "${replacement:same:1}" ]]; do
    same=$((same + 1))
  done
  before=${line%%"$original"*}
  edit_start=$((${#before} + same))
  changed_original=${original:same} changed_replacement=${replacement:same}
  while [[ -n $changed_original && -n $changed_replacement && ${changed_original: -1} == "${changed_replacement: -1}" ]]; do
    changed_original=${changed_original%?} changed_replacement=${changed_replacement%?}
  done
  edit_end=$((edit_start + ${#changed_original}))
}

# expression_around START END: the smallest expression of the caller's `line` that holds its text
# from START to END, read in `masked` (its strings blanked): bounded by brackets, a ',', a ';', an
# assignment's '=', a return or throw, or the start of the line if the caller's `starts_statement`
# says a statement starts there. Sets bound_first and bound_last, the positions just inside its
# bounds, and first and last, its text's without the blanks around it or a return or throw.
# Non-zero if the line does not bound it.
expression_around() {
  local start=$1 end=$2 position character depth opened=0 closed=0
  # The brackets the text leaves open to either side.
  for ((position = start; position < end; ++position)); do
    case ${masked:position:1} in
      '(' | '[' | '{') opened=$((opened + 1)) ;;
      ')' | ']' | '}') if ((opened > 0)); then opened=$((opened - 1)); else closed=$((closed + 1)); fi ;;
    esac
  done
  first=-1 depth=$closed
  for ((position = start - 1; position >= 0; --position)); do
    character=${masked:position:1}
    case $character in
      ')' | ']' | '}') depth=$((depth + 1)) ;;
      '(' | '[' | '{') ((depth > 0)) || { first=$((position + 1)); break; }; depth=$((depth - 1)) ;;
      ',' | ';') ((depth > 0)) || { first=$((position + 1)); break; } ;;
      '=')
        if ((depth == 0)) && [[ ${masked:position+1:1} != '=' && ! ${masked:position-1:1} =~ [=!\<\>] ]]; then
          first=$((position + 1))
          break
        fi
        ;;
    esac
  done
  if ((first < 0)); then
    ((depth == 0 && starts_statement)) || [[ $line =~ ^(return|throw)[[:space:]] ]] || return 1
    first=0
  fi
  last=-1 depth=$opened
  for ((position = end; position < ${#masked}; ++position)); do
    case ${masked:position:1} in
      '(' | '[' | '{') depth=$((depth + 1)) ;;
      ')' | ']' | '}') ((depth > 0)) || { last=$position; break; }; depth=$((depth - 1)) ;;
      ',' | ';') ((depth > 0)) || { last=$position; break; } ;;
    esac
  done
  ((last >= 0)) || return 1
  bound_first=$first bound_last=$last
  while [[ ${line:first:1} == [[:space:]] ]]; do first=$((first + 1)); done
  if [[ ${line:first} =~ ^(return|throw)[[:space:]]+ ]]; then first=$((first + ${#BASH_REMATCH[0]})); fi
  while ((last > first)) && [[ ${line:last-1:1} == [[:space:]] ]]; do last=$((last - 1)); done
}

# fragment_switch ORIGINAL REPLACEMENT: the edit switched as an operand, on the one line that
# holds ORIGINAL. The smallest expression around the text the edit changes (expression_around)
# becomes
#     (jiggle_mutant_is(K) ? (K's expression) : (the original expression))
# which means what the edited text means, since each operand is a whole expression. Changed text
# that spans a call's arguments takes in the call. Sets what whole_line_switch sets; non-zero if
# the expression goes on over another line, the line holds a character literal, a comment or a
# constant the compiler evaluates, or follows a pragma (a loop's form is the pragma's), or the two
# expressions are not operands.
# Operands of different types (two Eigen expressions, say) do not compile: the schema then drops
# the entry, as for any switch that does not.
fragment_switch() {
  local original=$1 replacement=$2 n line="" masked start end first last bound_first bound_last
  local edit_start edit_end changed_replacement starts_statement=0 previous
  found=-1
  for n in "${!code_lines[@]}"; do
    [[ ${code_lines[n]} == *"$original"* ]] || continue
    ((found < 0)) || return 1
    found=$n line=${code_lines[n]}
  done
  ((found >= 0)) || return 1
  [[ $line != *\'* ]] || return 1
  # A value the compiler must know cannot wait for the run to choose it.
  [[ ! $line =~ (^|[^A-Za-z0-9_])(constexpr|consteval|constinit|static_assert)([^A-Za-z0-9_]|$) ]] || return 1
  # Nor can a type.
  [[ ! $line =~ ^[[:space:]]*(using|typedef)[[:space:]] ]] || return 1
  previous_code_line "$found"
  if ((previous < 0)) || [[ ${code_lines[previous]} == *[\;\{\}] ]]; then starts_statement=1; fi
  ((previous < 0)) || ! is_pragma "${code_lines[previous]}" || return 1
  mask_strings_into masked "$line"
  [[ $masked != *'//'* && $masked != *'/*'* ]] || return 1
  changed_span "$original" "$replacement" "$line"
  start=$edit_start end=$edit_end
  while :; do
    expression_around "$start" "$end" || return 1
    ((first <= edit_start && edit_end <= last)) || return 1
    line_body=${line:first:last-first}
    body=${line:first:edit_start-first}$changed_replacement${line:edit_end:last-edit_end}
    is_operand "$line_body" && is_operand "$body" && break
    # Operands of a call or a list apart: the whole call or list.
    ((bound_first > 0)) && [[ ${masked:bound_first-1:1} == [\(\[\{] && ${masked:bound_last:1} == [\)\]\}] ]] || return 1
    start=$((bound_first - 1)) end=$((bound_last + 1))
  done
  line_form=fragment line_head="${line:0:first}(" line_tail=")${line:last}" pragma=""
}

# switch_lines I: for each of entry I's edits, in order, the line of its file it switches
# (switched), the line's form, and the edit's replacement body (replacement_bodies); the line's
# own head, body and tail are line_heads, line_bodies and line_tails, and line_pragmas the
# JIGGLE_OMP of the line before, which each branch that is a loop takes with it. Reads the file's
# code, line by line, from code_lines. Non-zero if an edit cannot be switched.
switch_lines() {
  local i=$1 k original replacement found form head body tail pragma line_form line_head line_body line_tail
  switched=() replacement_bodies=()
  for k in ${edits[i]}; do
    code_into original "${originals[k]}"
    code_into replacement "${replacements[k]}"
    whole_line_switch "$original" "$replacement" || fragment_switch "$original" "$replacement" || return 1
    [[ " ${switched[*]} " != *" $found "* ]] || return 1
    switched+=("$found") replacement_bodies+=("$body")
    line_forms[found]=$line_form line_heads[found]=$line_head line_bodies[found]=$line_body
    line_tails[found]=$line_tail line_pragmas[found]=$pragma
  done
}

# The code of each line of FILE (of the snapshot), into code_lines.
load_code_lines() {
  local text code
  [[ ${code_lines_of:-} != "$1" ]] || return 0
  code_lines=()
  while IFS= read -r text || [[ -n $text ]]; do
    code_into code "$text"
    code_lines+=("$code")
  done <"$snapshot/$1"
  code_lines_of=$1
}

# What switch_lines found for each entry that a schema takes, kept for writing the schema: the
# lines, and for each line its form, head, body, tail and pragma, and the replacement's body.
declare -A switched_of=() switch_of_entry_line=() replacement_of_edit=()
remember_switch() {
  local i=$1 k n
  switched_of[$i]=${switched[*]}
  for k in "${!switched[@]}"; do
    n=${switched[k]}
    replacement_of_edit[$i:$k]=${replacement_bodies[k]}
    switch_of_entry_line[$i:$n]=${line_forms[n]}$'\x1f'${line_heads[n]}$'\x1f'${line_bodies[n]}$'\x1f'${line_tails[n]}$'\x1f'${line_pragmas[n]}
  done
}
# recall_switch I: entry I's switch as switch_lines left it, its lines added to line_forms etc.
recall_switch() {
  local i=$1 k n
  read -r -a switched <<<"${switched_of[$i]}"
  replacement_bodies=()
  for k in "${!switched[@]}"; do
    n=${switched[k]}
    replacement_bodies+=("${replacement_of_edit[$i:$k]}")
    IFS=$'\x1f' read -r "line_forms[n]" "line_heads[n]" "line_bodies[n]" "line_tails[n]" "line_pragmas[n]" \
      <<<"${switch_of_entry_line[$i:$n]}"
  done
}

# The work: schema_jobs[g] holds the entries of schema g, and single_jobs the entries built alone.
schema_jobs=() single_jobs=()
declare -A schema_of_group=() switch_of_line=() switch_of_entry=()
for i in "${chosen[@]}"; do
  load_code_lines "${files[i]}"
  line_forms=() line_heads=() line_bodies=() line_tails=() line_pragmas=()
  if [[ -n ${alone[i]} ]] || ! switch_lines "$i"; then
    single_jobs+=("$i")
    continue
  fi
  group=${set_of[$i]}
  # A line is switched one way in a schema: an operand another entry switches on it must be the
  # same text.
  switch_of_entry=() clash=0
  for n in "${switched[@]}"; do
    switch_of_entry["$group|${files[i]}:$n"]="${line_forms[n]}|${line_heads[n]}|${line_bodies[n]}"
  done
  for line_key in "${!switch_of_entry[@]}"; do
    [[ ${switch_of_line[$line_key]:-${switch_of_entry[$line_key]}} == "${switch_of_entry[$line_key]}" ]] || clash=1
  done
  if ((clash)); then
    single_jobs+=("$i")
    continue
  fi
  for line_key in "${!switch_of_entry[@]}"; do switch_of_line[$line_key]=${switch_of_entry[$line_key]}; done
  remember_switch "$i"
  if [[ -z ${schema_of_group[$group]+set} ]]; then
    schema_of_group[$group]=${#schema_jobs[@]}
    schema_jobs+=("")
  fi
  schema_jobs[${schema_of_group[$group]}]+=" $i"
done
# Every set of test files is built unmutated once, as a schema's run with no mutant chosen or as
# a baseline of its own: so a schema of one entry is one build where the entry alone would be two.
declare -A schema_tests=()
for g in "${!schema_jobs[@]}"; do
  read -r -a members <<<"${schema_jobs[g]}"
  schema_tests[${set_of[${members[0]}]}]=1
done

# write_schema OUTPUT MEMBERS...: the members' file (they share one) with each of their edits
# switched in.
write_schema() {
  local output=$1 i k n indent
  shift
  local -a file_lines=() clauses=()
  line_forms=() line_heads=() line_bodies=() line_tails=() line_pragmas=()
  mapfile -t file_lines <"$snapshot/${files[$1]}"
  load_code_lines "${files[$1]}"
  for i; do
    recall_switch "$i"
    for k in "${!switched[@]}"; do
      n=${switched[k]}
      if [[ ${line_forms[n]} == statement ]]; then
        clauses[n]+="if (jiggle_mutant_is($((i + 1)))) { $(with_pragma "$n" "${replacement_bodies[k]}") } else "
      else
        clauses[n]+="jiggle_mutant_is($((i + 1))) ? (${replacement_bodies[k]}) : "
      fi
    done
  done
  # The selector goes after '#pragma once', or first if there is none.
  schema_selector_after=-1
  for n in "${!code_lines[@]}"; do
    if [[ ${code_lines[n]} == '#pragma once' ]]; then
      schema_selector_after=$n
      break
    fi
  done
  {
    ((schema_selector_after >= 0)) || write_selector
    for n in "${!file_lines[@]}"; do
      indent=${file_lines[n]%%[![:space:]]*}
      if [[ -n ${clauses[n + 1]:-} && -n ${line_pragmas[n + 1]:-} ]]; then
        echo "$indent"  # the pragma, moved into the next line's branches
      elif [[ -z ${clauses[n]:-} ]]; then
        printf '%s\n' "${file_lines[n]}"
      elif [[ ${line_forms[n]} == statement ]]; then
        printf '%s\n' "$indent${line_heads[n]}${line_heads[n]:+ }${clauses[n]}{ $(with_pragma "$n" "${line_bodies[n]}") }"
      else
        printf '%s\n' "$indent${line_heads[n]}${clauses[n]}(${line_bodies[n]})${line_tails[n]}"
      fi
      ((n != schema_selector_after)) || write_selector
    done
  } >"$output"
}

# with_pragma N STATEMENT: the statement, after line N's pragma if it has one and is a loop.
with_pragma() {
  if [[ -n ${line_pragmas[$1]:-} && $2 == 'for ('* ]]; then
    printf '%s %s' "${line_pragmas[$1]}" "$2"
  else
    printf '%s' "$2"
  fi
}

# The mutant a schema's program runs, from JIGGLE_MUTANT (none when it is unset or 0).
write_selector() {
  cat <<'SELECTOR'
#ifndef JIGGLE_MUTANT_SELECTOR
#define JIGGLE_MUTANT_SELECTOR
#include <cstdlib>
inline bool jiggle_mutant_is(int mutant) {
  static const int chosen = [] {
    const char* text = std::getenv("JIGGLE_MUTANT");
    return text != nullptr ? std::atoi(text) : 0;
  }();
  return chosen == mutant;
}
#endif
SELECTOR
}
selector_lines=$(write_selector | wc -l)

# The lines of the schema file a build log names, as indices of the file's own lines.
named_lines() {
  local log=$1 file=$2 line
  while IFS= read -r line; do
    line=$((line - 1))
    if ((line > schema_selector_after)); then line=$((line - selector_lines)); fi
    echo "$line"
  done < <(grep -o -E "$file:[0-9]+:" "$log" | cut -d: -f2 | sort -u)
}

# A schema holds the mutants of one set of test files, in any of the files they reach. One whose
# build fails drops the mutants on the lines the errors name (a switch in code the compiler must
# evaluate, say) and is built again without them, while two or more are left.
schema() {
  local g=$1 dir=$work/schemata/$1 members test_files m n file spec why run_status kernels_from_tree alone=()
  local -a kept dropped schema_files
  local -A named=() selector_after_of=() members_of=()
  read -r -a members <<<"${schema_jobs[g]}"
  read -r -a test_files <<<"${tests[${members[0]}]}"
  while :; do
    why="" kernels_from_tree="" members_of=()
    for m in "${members[@]}"; do members_of[${files[m]}]+=" $m"; done
    schema_files=("${!members_of[@]}")
    rm -rf "$dir"
    mkdir -p "$dir"
    cp -R "$snapshot/include" "$snapshot/tests" "$snapshot/apps" "$snapshot/cmake" "$dir/"
    for file in "${schema_files[@]}"; do
      # shellcheck disable=SC2086  # the members' indices, one word each
      write_schema "$dir/$file" ${members_of[$file]}
      selector_after_of[$file]=$schema_selector_after
      [[ -z ${kernels_depend_on[$file]+set} ]] || kernels_from_tree=1
    done
    if KERNELS_FROM_TREE=$kernels_from_tree build "$dir" "$dir/test-program" "${test_files[@]}" >"$dir/build.log" 2>&1; then
      break
    fi
    why="does not compile: $(grep -m1 'error' "$dir/build.log" | sed "s|$dir/||" | cut -c1-160)"
    named=()
    for file in "${schema_files[@]}"; do
      schema_selector_after=${selector_after_of[$file]}
      for n in $(named_lines "$dir/build.log" "$file"); do named[$file:$n]=1; done
    done
    kept=() dropped=()
    for m in "${members[@]}"; do
      recall_switch "$m"
      local hit=0
      for n in "${switched[@]}"; do [[ -z ${named[${files[m]}:$n]+set} ]] || hit=1; done
      if ((hit)); then dropped+=("$m"); else kept+=("$m"); fi
    done
    ((${#dropped[@]} > 0 && ${#kept[@]} >= 2)) || break
    echo "a schema for ${tests[${members[0]}]} $why; the mutants on the lines named (${#dropped[@]})" \
      "are built on their own"
    alone+=("${dropped[@]}")
    members=("${kept[@]}")
  done
  if [[ -z $why ]]; then
    # With no mutant chosen the schema is the unmutated code, and is the set's baseline.
    while IFS= read -r spec; do
      [[ -n $spec ]] || continue
      run_status=0
      JIGGLE_MUTANT=0 run_tests "$dir/test-program" "$spec" "$dir/run.log" || run_status=$?
      ((run_status == 0)) || why="fails $spec unmutated: $(describe_failure "$run_status" "$dir/run.log")"
    done <<<"${set_specs[${set_of[${members[0]}]}]}"
  fi
  if [[ -n $why ]]; then
    echo "a schema of ${#members[@]} mutants for ${tests[${members[0]}]} $why; each is built on its own"
    alone+=("${members[@]}")
    if ! baseline "${set_of[${members[0]}]}"; then
      rm -rf "$dir"
      return
    fi
  else
    for m in "${members[@]}"; do run_mutant "$m" "$dir/test-program" "$dir/run.log" "$dir/build.log" $((m + 1)); done
  fi
  rm -rf "$dir"
  for m in "${alone[@]}"; do mutate "$m"; done
}

# One pool for every kind of job: the unmutated builds of the sets that no schema tests first,
# then the schemata, as they take longest, then the entries built alone. No job starts once an
# unmutated run has failed.
job() {
  case $1 in
    baseline:*) baseline "${1#baseline:}" || true ;;
    schema:*) schema "${1#schema:}" ;;
    *) mutate "$1" ;;
  esac
}
job_list=()
baseline_count=0
for key in "${sets[@]}"; do
  [[ -n ${schema_tests[$key]+set} ]] || { job_list+=("baseline:$key"); baseline_count=$((baseline_count + 1)); }
done
for g in "${!schema_jobs[@]}"; do job_list+=("schema:$g"); done
job_list+=("${single_jobs[@]}")
schema_entries=$((${#chosen[@]} - ${#single_jobs[@]}))
echo "${#chosen[@]} mutations over ${#sets[@]} test programs, $jobs at a time"
echo "${#chosen[@]} mutants in $((${#schema_jobs[@]} + ${#single_jobs[@]})) builds:" \
  "$schema_entries in ${#schema_jobs[@]} schemata, ${#single_jobs[@]} on their own;" \
  "and $baseline_count test programs that no schema builds, built unmutated"
if ((${#single_jobs[@]} > 0)); then
  alone_ids=()
  for i in "${single_jobs[@]}"; do alone_ids+=("${ids[i]}"); done
  echo "on their own (no switch that means the edit): ${alone_ids[*]}"
fi
pool job "${job_list[@]}"
if [[ -e $work/baseline-failed ]]; then
  echo "the unmutated tests do not pass: fix them, and mutate again ($((SECONDS - started)) s)" >&2
  exit 1
fi

killed=0 survived=() broken=()
for i in "${chosen[@]}"; do
  result=$(head -n1 "$work/results/$i" 2>/dev/null || echo "BROKEN (no result)")
  case $result in
    killed*) killed=$((killed + 1)) ;;
    SURVIVED*) survived+=("${ids[i]}") ;;
    *) broken+=("${ids[i]}") ;;
  esac
done
echo
echo "${#chosen[@]} mutations: $killed killed, ${#survived[@]} survived, ${#broken[@]} broken" \
  "($((SECONDS - started)) s)"
((${#not_run[@]} == 0)) ||
  echo "NOT RUN (code this CPU cannot run, whose tests skip here; run them on a CPU that has it): ${not_run[*]}"
((${#survived[@]} == 0)) || echo "SURVIVED (add a test that fails on each): ${survived[*]}"
((${#broken[@]} == 0)) || echo "BROKEN (each must compile): ${broken[*]}"
((${#survived[@]} == 0 && ${#broken[@]} == 0))
