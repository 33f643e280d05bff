#!/usr/bin/env bash
# Mutation testing: proves that the tests catch a broken formula.
#
#   tests/mutation/run.sh [--jobs N] [ID...]
#
# Each entry of mutations.txt (all of them, or the IDs given) is applied to its own copy of
# include/ and tests/. The test files it lists are compiled with g++ and linked with the Catch2
# main and the product kernels (each compiled once, the kernels again for a mutant of a file
# they include), and the binary runs the entry's test spec:
#   killed    the build succeeds and a test fails: the tests caught the mistake;
#   SURVIVED  every test passes: a test is missing;
#   BROKEN    the mutated code does not compile: the entry is wrong, fix mutations.txt.
# First every entry's original text must occur exactly once in its file, and every test program
# must build and pass unmutated; otherwise nothing is mutated. Exits 0 only if every mutation is
# killed.
#
# --jobs N runs N builds at a time (default 1). Environment: CXX (default g++),
# MUTATION_OPTIMIZATION, the test files' optimisation (default -O1; the kernels are always
# compiled -O2, so that the products stay fast whatever it is), EIGEN3_INCLUDE_DIR (default
# /usr/include/eigen3), MUTATION_TIMEOUT, the seconds a test program may run (default 300).
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
# The list: ids[i], files[i], tests[i], specs[i], and edits[i], the indices into originals and
# replacements of entry i's edits, in order.
ids=() files=() tests=() specs=() edits=() originals=() replacements=()
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
      ids+=("${line#id: }") files+=("") tests+=("") specs+=("") edits+=("")
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
      *) problem "line $number: not 'id:', 'file:', 'tests:', 'spec:', '- text' or '+ text': $line" ;;
    esac
  done <"$list_file"
  ((awaiting == 0)) || problem "the last original text has no '+' replacement"
}

# The number of times `pattern` occurs in `text`.
occurrences() {
  local text=$1 pattern=$2 count=0
  while [[ $text == *"$pattern"* ]]; do
    text=${text#*"$pattern"}
    count=$((count + 1))
  done
  echo "$count"
}

# Entry i's edits applied to `path` (a copy of its file), each original checked first to occur
# exactly once. Returns non-zero, saying why, if one does not.
apply_edits() {
  local i=$1 path=$2 content count k
  content=$(cat "$path" && printf x)  # the x keeps trailing newlines
  content=${content%x}
  for k in ${edits[i]}; do
    count=$(occurrences "$content" "${originals[k]}")
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
  read -r -a test_files <<<"${tests[i]}"
  for test_file in "${test_files[@]}"; do
    [[ $test_file == tests/*.cpp && -f $root/$test_file ]] || problem "$id: no test file $test_file under tests/"
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

kernels_source=cmake/kernels.cpp

# One snapshot of the sources for the whole run: every original is checked against it, the
# unmutated tests are built from it, and every mutant is copied from it.
snapshot=$work/snapshot
mkdir -p "$snapshot/cmake"
cp -R "$root/include" "$root/tests" "$snapshot/"
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
  -DJIGGLE_SEPARATE_KERNELS)
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
# The optimisation SOURCE is compiled with.
optimization_of() {
  if [[ $1 == "$kernels_source" ]]; then echo -O2; else echo "$optimization"; fi
}

# The files the kernels' object depends on, relative to the tree.
declare -A kernels_depend_on=()
while read -r dependency; do
  kernels_depend_on[${dependency#"$snapshot/"}]=1
done < <("$cxx" "${compile_flags[@]}" -I"$snapshot/include" -MM "$snapshot/$kernels_source" |
  tr -d '\\' | tr ' ' '\n' | grep "^$snapshot/")

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

# The Catch2 main, the kernels and the precompiled header, built once while the first test files
# compile; build() waits for them. NAME OUTPUT SOURCE COMPILER-ARGUMENTS...
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
shared_object main "$work/main.o" tests/support/main.cpp -c &
shared_object kernels "$work/kernels.o" "$kernels_source" -c &
shared_object precompiled "$precompiled_output" "$precompiled_source" -x c++-header &

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
# Catch2 main and the kernels, compiled afresh from TREE if KERNELS_FROM_TREE is set.
build() {
  local tree=$1 output=$2 source object objects=() precompiled
  shift 2
  if [[ -n ${KERNELS_FROM_TREE:-} ]]; then
    set -- "$@" "$kernels_source"
  else
    await_shared_object kernels || return 1
    objects+=("$work/kernels.o")
  fi
  for source; do
    object=${output%/*}/${source//\//_}.o
    precompiled=()
    if [[ $source != "$kernels_source" ]] && takes_precompiled_header "$tree/$source"; then
      await_shared_object precompiled || return 1
      precompiled=("${precompiled_use[@]}")
    fi
    "$cxx" "${compile_flags[@]}" "$(optimization_of "$source")" -I"$tree/include" -I"$tree/tests" "${precompiled[@]}" \
      -c "$tree/$source" -o "$object" || return 1
    objects+=("$object")
  done
  await_shared_object main || return 1
  "$cxx" "${link_flags[@]}" "$work/main.o" "${objects[@]}" -o "$output" -lz
}

# run_tests BINARY SPEC LOG: fails if any test of SPEC fails, or if SPEC matches no test.
run_tests() {
  { (cd "${1%/*}" && timeout "$run_timeout" "$1" --warn NoTests "$2") >"$3" 2>&1; } 2>/dev/null
}

# Why a run failed, in a few words, naming the first test that failed.
describe_failure() {
  local status=$1 log=$2 summary first
  if ((status == 124)); then
    summary="timed out after $run_timeout s"
  elif ((status > 128)); then
    summary="crashed (signal $((status - 128)))"
  elif summary=$(grep -m1 '^test cases:' "$log") && [[ $summary =~ ^test\ cases:\ *([0-9]+).*\ ([0-9]+)\ failed ]]; then
    summary="${BASH_REMATCH[2]} of ${BASH_REMATCH[1]} test cases failed"
  else
    summary="exit status $status"
  fi
  # Catch2's console reporter heads each failing test with its name between two rules of dashes.
  first=$(awk '/^-+$/ { if (++rules == 1) { getline; print; exit } }' "$log")
  echo "$summary${first:+, first: \"$first\"}"
}

# FUNCTION once per argument, at most $jobs at a time.
pool() {
  local function=$1 argument finished pid running=() still_running
  shift
  for argument; do
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

line() { printf '%-9s %-46s %s\n' "$1" "$2" "$3"; }

# ---------------------------------------------------------------------------------------------
# Baselines: each distinct set of test files once, unmutated, with each spec used on it.
declare -A set_specs=()
sets=()
for i in "${chosen[@]}"; do
  read -r -a test_files <<<"${tests[i]}"
  key=$(printf '%s\n' "${test_files[@]}" | sort -u | tr '\n' ' ')
  key=${key% }
  if [[ -z ${set_specs[$key]+set} ]]; then
    sets+=("$key")
    set_specs[$key]=""
  fi
  [[ $'\n'${set_specs[$key]} == *$'\n'"${specs[i]}"$'\n'* ]] || set_specs[$key]+="${specs[i]}"$'\n'
done

baseline() {
  local key=${sets[$1]} dir=$work/baseline/$1 spec status test_files
  mkdir -p "$dir"
  read -r -a test_files <<<"$key"
  if ! build "$snapshot" "$dir/test-program" "${test_files[@]}" >"$dir/build.log" 2>&1; then
    line "FAILED" "baseline: $key" "does not compile unmutated"
    sed 's/^/    /' "$dir/build.log" | grep -m20 -e 'error' -e 'Catch2 main' || true
    touch "$work/baseline-failed"
    return
  fi
  while IFS= read -r spec; do
    [[ -n $spec ]] || continue
    status=0
    run_tests "$dir/test-program" "$spec" "$dir/run.log" || status=$?
    if ((status != 0)); then
      line "FAILED" "baseline: $key $spec" "fails unmutated: $(describe_failure "$status" "$dir/run.log")"
      sed 's/^/    /' "$dir/run.log" | tail -n 30
      touch "$work/baseline-failed"
    fi
  done <<<"${set_specs[$key]}"
  rm -rf "$dir"
}

echo "${#chosen[@]} mutations over ${#sets[@]} test programs, $jobs at a time"
pool baseline "${!sets[@]}"
if [[ -e $work/baseline-failed ]]; then
  echo "the unmutated tests do not pass: fix them before mutating ($((SECONDS - started)) s)" >&2
  exit 1
fi
echo "unmutated: every test program builds and passes ($((SECONDS - started)) s)"

# ---------------------------------------------------------------------------------------------
# The mutants.
mkdir -p "$work/results"
mutate() {
  local i=$1 id=${ids[$1]} dir=$work/mutants/${ids[$1]} status detail run_status test_files
  mkdir -p "$dir"
  cp -R "$snapshot/include" "$snapshot/tests" "$snapshot/cmake" "$dir/"
  apply_edits "$i" "$dir/${files[i]}"
  read -r -a test_files <<<"${tests[i]}"
  local kernels_from_tree=""
  [[ -z ${kernels_depend_on[${files[i]}]+set} ]] || kernels_from_tree=1
  if ! KERNELS_FROM_TREE=$kernels_from_tree build "$dir" "$dir/test-program" "${test_files[@]}" >"$dir/build.log" 2>&1; then
    status=BROKEN detail="does not compile; fix the entry in mutations.txt"
  else
    run_status=0
    run_tests "$dir/test-program" "${specs[i]}" "$dir/run.log" || run_status=$?
    if ((run_status == 0)); then
      status=SURVIVED detail="${specs[i]} passes: a test is missing"
    else
      status=killed detail="${specs[i]}: $(describe_failure "$run_status" "$dir/run.log")"
    fi
  fi
  {
    line "$status" "$id" "$detail"
    [[ $status != BROKEN ]] || grep -m10 -e 'error' -e 'undefined reference' "$dir/build.log" | sed 's/^/    /'
  } >"$work/results/$i"
  cat "$work/results/$i"
  rm -rf "$dir"
}
pool mutate "${chosen[@]}"

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
((${#survived[@]} == 0)) || echo "SURVIVED (add a test that fails on each): ${survived[*]}"
((${#broken[@]} == 0)) || echo "BROKEN (each must compile): ${broken[*]}"
((${#survived[@]} == 0 && ${#broken[@]} == 0))
