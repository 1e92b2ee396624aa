/** The text writer: the same module as encode.ts, flat instructions indented by block nesting. */
import { spellImmediate } from './immediates.js';
import type { Immediate } from './instr.js';
import { opInfo } from './opcodes.js';
import type { ValType } from './types.js';
import type { FuncView, ModuleView } from './view.js';

const sig = (params: readonly ValType[], results: readonly ValType[]): string =>
  [params.length ? `(param ${params.join(' ')})` : '', results.length ? `(result ${results.join(' ')})` : '']
    .filter(Boolean).join(' ');

export function printModule(m: ModuleView): string {
  const lines = ['(module'];
  if (m.memory) {
    const { min, max, shared } = m.memory;
    lines.push(`  (import "env" "memory" (memory ${min}${max === undefined ? '' : ` ${max}`}${shared ? ' shared' : ''}))`);
  }
  m.types.forEach((t, i) => lines.push(`  (type (;${i};) (func${t.params.length || t.results.length ? ' ' : ''}${sig(t.params, t.results)}))`));
  // Function imports after the types (no forward type references) and before any func definition.
  for (const i of m.imports) lines.push(`  (import "${i.module}" "${i.field}" (func $${i.name} (type ${i.typeIndex})))`);
  for (const f of m.funcs) lines.push(...printFunc(f));
  for (const e of m.exports) lines.push(`  (export "${e.name}" (func $${e.funcName}))`);
  lines.push(')');
  return lines.join('\n') + '\n';
}

function printFunc(f: FuncView): string[] {
  const params = f.params.map((t, i) => (f.paramNames[i] ? `(param $${f.paramNames[i]} ${t})` : `(param ${t})`));
  const results = f.results.length ? [`(result ${f.results.join(' ')})`] : [];
  const lines = [`  (func $${f.name} (type ${f.typeIndex})${[...params, ...results].map((s) => ' ' + s).join('')}`];
  f.localTypes.forEach((t, i) => {
    const name = f.localNames[i];
    lines.push(`    (local ${name ? `$${name} ` : ''}${t})`);
  });
  let depth = 0;
  f.ops.forEach((op, i) => {
    if (op === undefined) {
      for (const line of (f.imms[i] as string).split(/\r\n|\r|\n/)) lines.push(`${pad(depth)};;${line ? ' ' + line : ''}`);
      return;
    }
    if (op === 'end' || op === 'else') depth--;
    const text = spellImmediate(opInfo(op)!, f.imms[i] as Immediate, f.localName);
    lines.push(`${pad(depth)}${op}${text ? ' ' + text : ''}`);
    if (op === 'block' || op === 'loop' || op === 'if' || op === 'else') depth++;
  });
  lines.push('  )');
  return lines;
}

const pad = (depth: number): string => '  '.repeat(depth + 2);
