// The layering docs/architecture.md draws, checked from the imports: no import circle in src/ or
// codegen/, codegen/ never imports src/, each layer of src/ imports only layers below it, lowering
// reads the schedule as data (types only from src/schedule), and no source file grows past 600 lines.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { opInfo, reference, scalarLowering, vjps, type OpInfoTable, type ReferenceTable, type ScalarLoweringTable, type VjpTable } from 'gradc/internals';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The layers of src/, lowest first. A file may import its own layer and the layers before it;
 * layers in one row are independent of each other. codegen/ is below all of them; the entries
 * (src/index.ts, src/browser.ts, src/internals.ts) are above.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['graph', 'data'],
  ['eval'],
  ['grad'],
  ['print'],
  ['rewrite'],
  ['schedule'],
  ['lower'],
  ['compile'],
  ['nn'],
  ['export', 'onnx'],
  ['cli'],
];
const ENTRIES = ['src/index.ts', 'src/browser.ts', 'src/internals.ts'];

const MAX_LINES = 600;

function filesUnder(dir: string, ext: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (ext.test(name) && !name.endsWith('.d.ts')) out.push(relative(root, p).split('\\').join('/'));
    }
  };
  walk(join(root, dir));
  return out.sort();
}

const sources = [...filesUnder('src', /\.ts$/), ...filesUnder('codegen', /\.ts$/)];
const known = new Set(sources);

/** Relative imports of each source file (import, import type, export … from, import()), as source paths. */
const imports = new Map<string, string[]>(
  sources.map((file) => {
    const info = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
    const targets: string[] = [];
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const base = relative(root, resolve(root, dirname(file), fileName)).split('\\').join('/').replace(/\.js$/, '');
      const hit = [`${base}.ts`, `${base}/index.ts`].find((c) => known.has(c));
      if (hit === undefined) throw new Error(`${file}: cannot resolve import '${fileName}'`);
      targets.push(hit);
    }
    return [file, targets];
  }),
);

/**
 * Imports of `file` that bring values (not `import type` / `export type`, and not an import whose
 * every name is marked `type`), as source paths.
 */
function valueImports(file: string): string[] {
  const src = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  const resolveFrom = (spec: string) => {
    const base = relative(root, resolve(root, dirname(file), spec)).split('\\').join('/').replace(/\.js$/, '');
    return [`${base}.ts`, `${base}/index.ts`].find((c) => known.has(c)) ?? base;
  };
  for (const st of src.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      const c = st.importClause;
      const typeOnly = c !== undefined && (c.isTypeOnly || (c.name === undefined && c.namedBindings !== undefined
        && ts.isNamedImports(c.namedBindings) && c.namedBindings.elements.length > 0 && c.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly && st.moduleSpecifier.text.startsWith('.')) out.push(resolveFrom(st.moduleSpecifier.text));
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
      if (!st.isTypeOnly && st.moduleSpecifier.text.startsWith('.')) out.push(resolveFrom(st.moduleSpecifier.text));
    }
  }
  return out;
}

/** Strongly connected components with more than one file (Tarjan), or a file importing itself. */
function circles(): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of imports.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || imports.get(v)!.includes(v)) found.push(scc.sort());
    }
  };
  for (const f of sources) if (!index.has(f)) visit(f);
  return found;
}

/** The layer rank of a file of src/ (codegen −1, entries +∞). */
function rankOf(file: string): number {
  if (file.startsWith('codegen/')) return -1;
  if (ENTRIES.includes(file)) return Infinity;
  const dir = file.split('/')[1]!;
  const rank = LAYERS.findIndex((row) => row.includes(dir));
  if (rank < 0) throw new Error(`${file}: src/${dir} is in no layer; add it to LAYERS (and to docs/architecture.md)`);
  return rank;
}
const layerOf = (file: string): string => (file.startsWith('codegen/') ? 'codegen' : ENTRIES.includes(file) ? file : file.split('/')[1]!);

describe('architecture', () => {
  it('has no import circle in src/ or codegen/', () => {
    expect(circles().map((c) => `circle: ${c.join(' → ')}`)).toEqual([]);
  });

  it('codegen/ never imports src/', () => {
    const bad = [...imports].flatMap(([from, tos]) => (from.startsWith('codegen/') ? tos.filter((t) => t.startsWith('src/')).map((t) => `${from} → ${t}`) : []));
    expect(bad).toEqual([]);
  });

  it(`src/ imports only down: ${LAYERS.map((row) => row.join(' | ')).join(' → ')}`, () => {
    const bad: string[] = [];
    for (const [from, tos] of imports) {
      for (const to of tos) {
        if (layerOf(from) === layerOf(to)) continue;
        if (ENTRIES.includes(to) && ENTRIES.includes(from)) continue; // the Node entry re-exports the browser entry
        if (ENTRIES.includes(to)) bad.push(`${from} → ${to}: the entries are for users, not for the layers below`);
        else if (rankOf(to) >= rankOf(from)) bad.push(`${from} → ${to}: ${layerOf(from)} may not import ${layerOf(to)}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('src/lower reads the schedule as data: it imports only types from src/schedule', () => {
    const bad = sources.filter((f) => f.startsWith('src/lower/'))
      .flatMap((f) => valueImports(f).filter((t) => t.startsWith('src/schedule/')).map((t) => `${f} → ${t}: import only types (the Schedule artifact, src/schedule/schedule.ts)`));
    expect(bad).toEqual([]);
    // the check sees value imports: compile/ calls the scheduler
    expect(valueImports('src/compile/compile.ts')).toContain('src/schedule/fusion.ts');
  });

  it(`no source file is over ${MAX_LINES} lines`, () => {
    const all = [...sources, ...filesUnder('test', /\.ts$/), ...filesUnder('bench', /\.m?js$/)];
    const long = all
      .map((f) => [f, readFileSync(join(root, f), 'utf8').split('\n').length - 1] as const)
      .filter(([, n]) => n > MAX_LINES)
      .map(([f, n]) => `${f}: ${n} lines`);
    expect(long).toEqual([]);
  });

  it('ts-morph (~350 ms to import) is loaded only by the export path, on use: type imports elsewhere, import() in src/export only', () => {
    const found: string[] = [];
    for (const file of sources) {
      const text = readFileSync(join(root, file), 'utf8');
      if (!text.includes('ts-morph')) continue;
      const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
      const visit = (n: ts.Node): void => {
        if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier) && n.moduleSpecifier.text === 'ts-morph' && !n.importClause?.isTypeOnly) found.push(`${file}: static import`);
        if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && ts.isStringLiteral(n.arguments[0]!) && (n.arguments[0] as ts.StringLiteral).text === 'ts-morph') found.push(`${file}: import()`);
        ts.forEachChild(n, visit);
      };
      visit(sf);
    }
    expect(found).toEqual(['src/export/export-module.ts: import()']);
  });

  it('the check sees the imports (sanity: the graph layer is imported, type-only imports count)', () => {
    expect(imports.get('src/graph/tensor.ts')).toContain('src/graph/ops.ts');
    expect(imports.get('src/grad/vjps.ts')).toContain('src/graph/tensor.ts'); // `import type`
    expect(sources.length).toBeGreaterThan(50);
  });
});

describe('op tables', () => {
  // `tsc --noEmit -p .` (CI) checks these: a table missing an op is a type error, not a throw at run time.
  it('are exhaustive over the op vocabulary', () => {
    const { exp: _e1, ...noExpInfo } = opInfo;
    const { exp: _e2, ...noExpVjp } = vjps;
    const { exp: _e3, ...noExpRef } = reference;
    const { exp: _e4, ...noExpLowering } = scalarLowering;
    // @ts-expect-error the shape table lacks 'exp'
    const a: OpInfoTable = noExpInfo;
    // @ts-expect-error the VJP table lacks 'exp'
    const b: VjpTable = noExpVjp;
    // @ts-expect-error the reference table lacks 'exp'
    const c: ReferenceTable = noExpRef;
    // @ts-expect-error the scalar lowering table lacks 'exp'
    const d: ScalarLoweringTable = noExpLowering;
    expect([a, b, c, d].map((t) => Object.keys(t).length)).toEqual([opInfo, vjps, reference, scalarLowering].map((t) => Object.keys(t).length - 1));
    expect(Object.keys(vjps).sort()).toEqual(Object.keys(opInfo).sort());
    expect(Object.keys(reference).sort()).toEqual(Object.keys(opInfo).sort());
    expect(Object.keys(scalarLowering).sort()).toEqual(Object.keys(opInfo).sort());
  });
});
