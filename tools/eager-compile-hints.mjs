// Eager compile hints for the bundle (tools/bundle.mjs applies them to the compile path's modules).
//
// V8 compiles a function lazily, at its first call: a second, full parse and bytecode generation,
// inside whatever called it. A function literal wrapped in parentheses is compiled with its
// script instead (and the parenthesized functions inside it with it). A cold `compile` of the seed
// step first-calls ~1,000 of gradc's functions; compiling them there cost ~17 ms of its ~61 ms
// (bench/compile-time.js). At import, where the lazy path pre-parses them anyway, it costs ~2 ms.
//
//   export function f<T>(a: T): R { … }   →   export const f = (function f<T>(a: T): R { … });
//   rule('name', (t, ctx) => { … })        →   rule('name', (function (t, ctx) { … }))
//   const tile = (rows) => { … }           →   const tile = (function (rows) { … })
//
// Arrows are rewritten unless they use the enclosing `this` or `arguments` (or are async); class
// methods cannot be, and stay lazy. In place, so lines (and source maps) stay as they were.
//
// Hoisting: a const is not initialised before the code above it runs, as a function declaration
// is. So a top-level function stays a declaration when the module's initialisation names it (its
// top-level statements, outside the functions they define) or names a function that does
// (transitively); a nested declaration, when an earlier statement of its block names it. A
// callback that the initialisation itself calls is not followed: calling a function not yet
// initialised then fails at import ("is not a function"), every time, and test/bundle.test.ts
// imports every entry. Other modules cannot call it early: a module is initialised before the
// modules that import it (there are no import circles).
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

/**
 * The arrows to rewrite: those a top-level statement defines (a const's value, a call's argument,
 * for later calls) and those inside functions, when they do not use the enclosing `this` or
 * `arguments`. An arrow's default parameters are left alone (no rewrite inside another's head).
 */
function arrowsOf(file) {
  const found = [];
  const visit = (n) => {
    if (ts.isArrowFunction(n)) {
      const async = ts.getModifiers(n)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) ?? false;
      if (!async && !usesScope(n)) found.push(n);
      visit(n.body);
      return;
    }
    if (ts.isClassLike(n)) {
      for (const m of n.members) if (ts.isFunctionLike(m) && m.body) visit(m.body);
      return;
    }
    if (ts.isFunctionLike(n)) {
      if (n.body) visit(n.body);
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(file);
  return found;
}

/**
 * Function declarations inside function bodies that no earlier statement of their block names:
 * as a const they are initialised before anything can call them.
 */
function innerDeclarations(file) {
  const found = [];
  const visitBody = (block) => {
    block.statements.forEach((st, i) => {
      if (!convertible(st, block.statements)) return;
      const earlier = new Set();
      for (const e of block.statements.slice(0, i)) namesUnder(e, earlier, true);
      if (!earlier.has(st.name.text)) found.push(st);
    });
  };
  const visit = (n) => {
    if (ts.isFunctionLike(n) && n.body && ts.isBlock(n.body)) visitBody(n.body);
    ts.forEachChild(n, visit);
  };
  for (const st of file.statements) visit(st);
  return found;
}

/**
 * True when the declaration `st` (one of `statements`) can become a const: export default, async,
 * declare and generators keep their form, and so do overloads (the signatures name it too).
 */
function convertible(st, statements) {
  if (!ts.isFunctionDeclaration(st) || !st.name || !st.body || st.asteriskToken) return false;
  if (!(ts.getModifiers(st) ?? []).every((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return false;
  return !statements.some((o) => o !== st && ts.isFunctionDeclaration(o) && o.name?.text === st.name.text);
}

/** `function f(…) {…}` → `const f = (function f(…) {…});`, as edits. */
function declarationEdits(st, file) {
  const fn = st.getChildren(file).find((c) => c.kind === ts.SyntaxKind.FunctionKeyword);
  return [[fn.getStart(file), fn.getStart(file), `const ${st.name.text} = (`], [st.end, st.end, ');']];
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
  // [from, to, text]: text replaces from..to (an insert where from = to)
  const edits = [];
  for (const st of file.statements) if (convertible(st, file.statements) && !keep.has(st.name.text)) edits.push(...declarationEdits(st, file));
  for (const st of innerDeclarations(file)) edits.push(...declarationEdits(st, file));
  // (x: T): R => e   →   (function (x: T): R { return (e); })
  for (const a of arrowsOf(file)) {
    const head = text.slice(a.getStart(file), a.equalsGreaterThanToken.getStart(file)).trimEnd();
    const params = a.parameters.length === 1 && !head.startsWith('(') && !head.startsWith('<') ? `(${head})` : head;
    const block = ts.isBlock(a.body);
    // the head keeps its own line breaks; the body starts where it did, or on that line
    edits.push([a.getStart(file), a.body.getStart(file), `(function ${params} ${block ? '' : '{ return ('}`]);
    edits.push([a.end, a.end, block ? ')' : '); })']);
  }
  if (edits.length === 0) return null;
  // applied from the end, so each edit's positions are still the original text's
  edits.sort((a, b) => b[0] - a[0]);
  let out = text;
  for (const [from, to, insert] of edits) out = out.slice(0, from) + insert + out.slice(to);
  return out;
}
