#!/bin/bash
# Instructions (valgrind callgrind, Ir) per phase of one cold seed-step compile + first step: a
# load-independent figure for bench/compile-time.js on a shared machine. A copy of the built
# package (dist/, bench/) in a temporary directory gets one process.getuid() call at each phase
# boundary (compile's t0..t5, and the child's start, params and first run), and callgrind dumps
# its counts before every getuid. Node runs --single-threaded so that the counts repeat (±1%); that
# puts V8's optimizing compiler and GC on the main thread, so they count too.
#   npm run build && bench/compile-instructions.sh [wasm|js] [depth]
set -euo pipefail
backend=${1:-wasm}; depth=${2:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
command -v valgrind >/dev/null || { echo "compile-instructions: valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
[ -f "$root/dist/bundle/index.js" ] || { echo "compile-instructions: no dist/bundle/ (run npm run build first)" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/pkg" "$tmp/out"
cp -r "$root/package.json" "$root/dist" "$root/bench" "$tmp/pkg/"
ln -s "$root/node_modules" "$tmp/pkg/node_modules"
node - "$tmp/pkg" <<'JS'
const fs = require('node:fs');
const d = process.argv[2];
const edit = (f, pairs) => {
  let s = fs.readFileSync(f, 'utf8');
  for (const [a, b] of pairs) { if (!s.includes(a)) throw new Error(`${f}: no ${a}`); s = s.replace(a, b); }
  fs.writeFileSync(f, s);
};
// compile() is in whichever chunk of the bundle holds its phase marks
const chunk = fs.readdirSync(`${d}/dist/bundle`).filter((f) => f.endsWith('.js')).find((f) => fs.readFileSync(`${d}/dist/bundle/${f}`, 'utf8').includes('const t5 = performance.now();'));
if (!chunk) throw new Error('no chunk of dist/bundle holds compile()');
edit(`${d}/dist/bundle/${chunk}`, [0, 1, 2, 3, 4, 5].map((k) => [`const t${k} = performance.now();`, `const t${k} = (process.getuid(), performance.now());`]));
edit(`${d}/bench/compile-time.js`, [
  ['  const t0 = performance.now();\n  const x = input(', '  process.getuid(); const t0 = performance.now();\n  const x = input('],
  ['  for (const p of ps) {\n    const name = p.attrs.name.replace', '  process.getuid(); for (const p of ps) {\n    const name = p.attrs.name.replace'],
  ['  const loss = exe.run(', '  process.getuid(); const loss = exe.run('],
  ['  const firstStep = performance.now() - t0;', '  const firstStep = performance.now() - t0; process.getuid();'],
]);
JS
valgrind --tool=callgrind --cache-sim=no --dump-before=getuid --callgrind-out-file="$tmp/out/cg" \
  node --single-threaded "$tmp/pkg/bench/compile-time.js" --child --depth "$depth" --backends "$backend" >/dev/null 2>"$tmp/out/log" \
  || { tail -5 "$tmp/out/log" >&2; exit 1; }
# Node calls getuid at startup too: ours are the last 10 dumps (each counts up to its getuid).
names=(startup graph+grad check simplify schedule lower emit+build report setParams firstRun)
dumps=$(ls "$tmp/out" | sed -n 's/^cg\.\([0-9]*\)$/\1/p' | sort -n | tail -10)
i=0; total=0
echo "instructions (millions), $backend, depth $depth, cold, node $(node --version)"
for k in $dumps; do
  ir=$(grep -m1 '^totals:' "$tmp/out/cg.$k" | awk '{print $2}')
  if [ $i -gt 0 ]; then printf "%-11s %8.1f\n" "${names[$i]}" "$(echo "$ir / 1000000" | bc -l)"; total=$((total + ir)); fi
  i=$((i + 1))
done
printf "%-11s %8.1f\n" "total" "$(echo "$total / 1000000" | bc -l)"
