// Eager compile hints for the bundle (tools/bundle.mjs applies them to the compile path's modules).
//
// V8 compiles a function lazily, at its first call: a second, full parse and bytecode generation,
// inside whatever called it. A function literal wrapped in parentheses is compiled with its
// script instead. A cold `compile` of the seed step first-calls some 400 top-level functions of
// gradc, and compiling them there cost ~11 ms of its ~56 ms (bench/compile-time.js); at import,
// where the lazy path pre-parses them anyway, they cost less (one parse instead of two).
//
//   export function f<T>(a: T): R { … }   →   export const f = (function f<T>(a: T): R { … });
//   rule('name', (t, ctx) => { … })        →   rule('name', (function (t, ctx) { … }))
//
// Arrows are rewritten where a top-level statement defines them (a const's value, an argument of
// a call such as a rule's), when they do not use `this` or `arguments`; closures made inside
// functions stay as they are (most are small or never called).
// In place, so lines (and source maps) stay as they were. A const is not hoisted as a function
// declaration is, so a function stays a declaration when the module's own initialisation could
// call it: when its name appears in code the module runs at import (top-level statements outside
// function declarations, nested functions included, as a table of callbacks may be called there),
// or in a function such code names (transitively). Other modules cannot call it before it exists:
// a module is initialised before the modules that import it (there are no import circles).
import ts from 'typescript';

/** Identifiers named under `node`, nested functions' bodies aside (unless `deep`). */
function namesUnder(node, into, deep = false) {
  const visit = (n) => {
    if (ts.isIdentifier(n)) into.add(n.text);
    if (!deep && n !== node && ts.isFunctionLike(n)) return;
    ts.forEachChild(n, visit);
  };
  visit(node);
  return into;
}

/** Names in the code `st` runs when the module is initialised (not functions it only defines). */
function namesRunAtInit(st, into) {
  if (ts.isImportDeclaration(st) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) return into;
  if (ts.isClassDeclaration(st)) {
    for (const h of st.heritageClauses ?? []) namesUnder(h, into);
    for (const m of st.members) {
      const isStatic = ts.getModifiers(m)?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword) ?? false;
      if (m.name && ts.isComputedPropertyName(m.name)) namesUnder(m.name, into);
      if (ts.isClassStaticBlockDeclaration(m) || (isStatic && ts.isPropertyDeclaration(m))) namesUnder(m, into);
    }
    return into;
  }
  return namesUnder(st, into);
}

/** True when `fn`'s body names this, arguments, super or new.target (an arrow's are its scope's). */
function usesScope(fn) {
  let uses = false;
  const visit = (n) => {
    if (uses) return;
    if (n.kind === ts.SyntaxKind.ThisKeyword || n.kind === ts.SyntaxKind.SuperKeyword || ts.isMetaProperty(n) || (ts.isIdentifier(n) && n.text === 'arguments')) uses = true;
    else if (!(ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isClassLike(n))) ts.forEachChild(n, visit);
  };
  visit(fn.body);
  return uses;
}

/** Arrows a top-level statement defines (a const's value, a call's argument), for later calls. */
function topLevelArrows(st) {
  const found = [];
  const visit = (n) => {
    if (ts.isArrowFunction(n)) {
      const async = ts.getModifiers(n)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) ?? false;
      if (!async && !usesScope(n)) found.push(n);
      return;
    }
    if (ts.isFunctionLike(n) || ts.isClassLike(n)) return;
    ts.forEachChild(n, visit);
  };
  if (ts.isVariableStatement(st) || ts.isExpressionStatement(st) || ts.isExportAssignment(st)) visit(st);
  return found;
}

function convertible(st) {
  if (!ts.isFunctionDeclaration(st) || !st.name || !st.body || st.asteriskToken) return false;
  // export default, async and declare keep their form
  return (ts.getModifiers(st) ?? []).every((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

/**
 * The module's text with its top-level functions marked for eager compilation, line for line;
 * `null` when none is. `fileName` decides how it is parsed (.ts or .js).
 */
export function withEagerHints(text, fileName) {
  const kind = fileName.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind);
  const functions = new Map();
  const atInit = new Set();
  for (const st of file.statements) {
    if (ts.isFunctionDeclaration(st) && st.name && st.body) functions.set(st.name.text, st);
    else namesRunAtInit(st, atInit);
  }
  // Functions reachable from initialisation code stay declarations.
  const keep = new Set();
  const todo = [...atInit].filter((n) => functions.has(n));
  while (todo.length > 0) {
    const name = todo.pop();
    if (keep.has(name)) continue;
    keep.add(name);
    for (const n of namesUnder(functions.get(name).body, new Set(), true)) if (functions.has(n) && !keep.has(n)) todo.push(n);
  }
  // Overloads: the signatures name the function too; it must have exactly one implementation.
  const edits = [];
  for (const st of file.statements) {
    if (!convertible(st) || keep.has(st.name.text)) continue;
    const overloaded = file.statements.some((o) => o !== st && ts.isFunctionDeclaration(o) && o.name?.text === st.name.text);
    if (overloaded) continue;
    const fn = st.getChildren(file).find((c) => c.kind === ts.SyntaxKind.FunctionKeyword);
    edits.push([fn.getStart(file), `const ${st.name.text} = (`], [st.end, ');']);
  }
  // (x: T): R => e   →   (function (x: T): R { return (e); })
  for (const st of file.statements) {
    for (const a of topLevelArrows(st)) {
      const head = text.slice(a.getStart(file), a.equalsGreaterThanToken.getStart(file)).trimEnd();
      const params = a.parameters.length === 1 && !head.startsWith('(') && !head.startsWith('<') ? `(${head})` : head;
      const block = ts.isBlock(a.body);
      // the head keeps its own line breaks; the body starts where it did, or on that line
      edits.push([a.getStart(file), '', a.body.getStart(file), `(function ${params} ${block ? '' : '{ return ('}`]);
      edits.push([a.end, block ? ')' : '); })']);
    }
  }
  if (edits.length === 0) return null;
  // [at, text] inserts; [at, '', until, text] replaces at..until. Applied from the end.
  edits.sort((a, b) => b[0] - a[0]);
  let out = text;
  for (const e of edits) out = e.length === 2 ? out.slice(0, e[0]) + e[1] + out.slice(e[0]) : out.slice(0, e[0]) + e[3] + out.slice(e[2]);
  return out;
}
