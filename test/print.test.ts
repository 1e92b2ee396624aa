// The printers: show (infix maths), debugPrint (tree), toMermaid and toDot (diagrams).
import { describe, expect, it } from 'vitest';
import {
  add, debugPrint, div, exp, GraphError, grad, input, matmul, mul, neg, param, pow, show, simplify, square, sub, sum,
  tanh, toDot, toMermaid, transpose, type Tensor,
} from 'gradc';
import { seedGraph } from 'gradc/cli';

const seed = seedGraph({ batch: 32 });
const simplified = simplify([seed.loss, ...seed.grads]);
const names = { h: simplify(seed.h), y: simplify(seed.y) };
const labels = ['L', '∂L/∂W1', '∂L/∂b1', '∂L/∂W2', '∂L/∂b2'];

describe('show', () => {
  const [a, b, c] = ['a', 'b', 'c'].map((n) => input(n, [2, 2]));

  it('brackets only where precedence needs them', () => {
    expect(show(sub(a, sub(b, c)))).toBe('a − (b − c)');
    expect(show(sub(sub(a, b), c))).toBe('a − b − c');
    expect(show(mul(add(a, b), c))).toBe('(a + b) ⊙ c');
    expect(show(neg(add(a, b)))).toBe('−(a + b)');
    expect(show(neg(div(a, b)))).toBe('−a / b');
    expect(show(transpose(add(a, b)))).toBe('(a + b)ᵀ');
    expect(show(square(sub(a, b)))).toBe('(a − b)²');
    expect(show(pow(a, -1))).toBe('a⁻¹');
    expect(show(mul(matmul(a, b), c))).toBe('(a · b) ⊙ c');
    expect(show(div(matmul(a, b), 4))).toBe('a · b / 4');
    expect(show(div(a, mul(b, c)))).toBe('a / (b ⊙ c)');
    expect(show(mul(a, 3))).toBe('a · 3');
    expect(show(sum(a, 1, true))).toBe('Σ₁(a)');
    expect(show(sum(a))).toBe('Σ(a)');
    expect(show(a.greater(0))).toBe('[a > 0]');
  });

  it('names a shared subexpression once', () => {
    const e = exp(add(a, b));
    expect(show(mul(e, sub(e, c)))).toBe('let d = exp(a + b)\nd ⊙ (d − c)');
  });

  it('several outputs, labelled, with shapes on request', () => {
    const W = param('W', [2, 3]);
    expect(show([matmul(a, W), sum(W, 0)], { labels: ['z', 'colsum'], shapes: true })).toBe(
      ['a: [2,2], W: [2,3]', 'z = a · W : [2,3]', 'colsum = Σ₀(W) : [3]'].join('\n'),
    );
  });

  it('the seed MLP, as built by reverse mode', () => {
    expect(show([seed.loss, ...seed.grads], { labels, names: { h: seed.h, y: seed.y } })).toMatchInlineSnapshot(`
      "let a = x · W1 + b1
      let h = relu(a)
      let y = softmax(h · W2 + b2)
      let b = broadcast(reshape(−1 / 32, [1,1]), [32,10]) ⊙ t / y
      let c = y ⊙ (b − Σ₁(b ⊙ y))
      let d = (c · W2ᵀ) ⊙ [a > 0]
      L = −Σ(t ⊙ log(y)) / 32
      ∂L/∂W1 = xᵀ · d
      ∂L/∂b1 = reshape(Σ₀(d), [32])
      ∂L/∂W2 = hᵀ · c
      ∂L/∂b2 = reshape(Σ₀(c), [10])"
    `);
  });

  it('the seed MLP, simplified', () => {
    expect(show(simplified, { labels, names })).toMatchInlineSnapshot(`
      "let a = x · W1 + b1
      let h = relu(a)
      let b = h · W2 + b2
      let y = softmax(b)
      let c = ((y − t) · W2ᵀ) ⊙ [a > 0]
      L = −Σ(logSoftmax(b) ⊙ t) / 32
      ∂L/∂W1 = xᵀ · c / 32
      ∂L/∂b1 = Σ₀(c) / 32
      ∂L/∂W2 = hᵀ · (y − t) / 32
      ∂L/∂b2 = Σ₀(y − t) / 32"
    `);
  });

  it('the seed MLP’s ∂L/∂W2 with shapes', () => {
    expect(show(simplified[3], { names, shapes: true })).toMatchInlineSnapshot(`
      "x: [32,784], W1: [784,32], b1: [32], W2: [32,10], b2: [10], t: [32,10]
      let h: [32,32] = relu(x · W1 + b1)
      let y: [32,10] = softmax(h · W2 + b2)
      hᵀ · (y − t) / 32 : [32,10]"
    `);
  });

  it('a 20,000-deep chain prints in bounded lines, without recursion', () => {
    let y: Tensor = input('x', [2]);
    for (let i = 0; i < 20_000; i++) y = i % 2 ? tanh(y) : add(y, 1);
    const text = show(y);
    expect(Math.max(...text.split('\n').map((l) => l.length))).toBeLessThan(140);
    expect(debugPrint(y).split('\n')).toHaveLength(20_000 + 2 + 10_000 - 1);
  });

  it('rejects what is not a tensor', () => {
    expect(() => show(1 as unknown as Tensor)).toThrow(GraphError);
    expect(() => show([])).toThrow(/^show: expects a Tensor or a non-empty array/);
    expect(() => show(seed.loss, { names: { h: 3 as unknown as Tensor } })).toThrow(/names.h is not a Tensor/);
  });
});

describe('debugPrint', () => {
  it('the seed MLP’s simplified loss', () => {
    expect(debugPrint(simplified[0])).toMatchInlineSnapshot(`
      "%0 neg [] float32
      └─ %1 div [] float32
         ├─ %2 sum axes=[0,1] [] float32
         │  └─ %3 mul [32,10] float32
         │     ├─ %4 logSoftmax axis=1 [32,10] float32
         │     │  └─ %5 add [32,10] float32
         │     │     ├─ %6 matmul [32,10] float32
         │     │     │  ├─ %7 relu [32,32] float32
         │     │     │  │  └─ %8 add [32,32] float32
         │     │     │  │     ├─ %9 matmul [32,32] float32
         │     │     │  │     │  ├─ %10 input "x" [32,784] float32
         │     │     │  │     │  └─ %11 param "W1" [784,32] float32
         │     │     │  │     └─ %12 param "b1" [32] float32
         │     │     │  └─ %13 param "W2" [32,10] float32
         │     │     └─ %14 param "b2" [10] float32
         │     └─ %15 input "t" oneHot [32,10] float32
         └─ %16 constant 32 [] float32"
    `);
  });

  it('the seed MLP’s simplified ∂L/∂W2', () => {
    expect(debugPrint(simplified[3])).toMatchInlineSnapshot(`
      "%0 div [32,10] float32
      ├─ %1 matmul [32,10] float32
      │  ├─ %2 transpose perm=[1,0] [32,32] float32
      │  │  └─ %3 relu [32,32] float32
      │  │     └─ %4 add [32,32] float32
      │  │        ├─ %5 matmul [32,32] float32
      │  │        │  ├─ %6 input "x" [32,784] float32
      │  │        │  └─ %7 param "W1" [784,32] float32
      │  │        └─ %8 param "b1" [32] float32
      │  └─ %9 sub [32,10] float32
      │     ├─ %10 softmax axis=1 [32,10] float32
      │     │  └─ %11 add [32,10] float32
      │     │     ├─ %12 matmul [32,10] float32
      │     │     │  ├─ %3 ↑
      │     │     │  └─ %13 param "W2" [32,10] float32
      │     │     └─ %14 param "b2" [10] float32
      │     └─ %15 input "t" oneHot [32,10] float32
      └─ %16 constant 32 [] float32"
    `);
  });
});

describe('toMermaid and toDot', () => {
  it('the seed MLP’s simplified loss and ∂L/∂W2 as a Mermaid flowchart', () => {
    expect(toMermaid([simplified[0], simplified[3]])).toMatchInlineSnapshot(`
      "flowchart TD
        n0["x<br/>input [32,784]"]
        n1["W1<br/>param [784,32]"]
        n2["matmul<br/>[32,32]"]
        n3["b1<br/>param [32]"]
        n4["add<br/>[32,32]"]
        n5["relu<br/>[32,32]"]
        n6["W2<br/>param [32,10]"]
        n7["matmul<br/>[32,10]"]
        n8["b2<br/>param [10]"]
        n9["add<br/>[32,10]"]
        n10["logSoftmax axis=1<br/>[32,10]"]
        n11["t<br/>input oneHot [32,10]"]
        n12["mul<br/>[32,10]"]
        n13["sum axes=[0,1]<br/>[]"]
        n14["constant 32<br/>[]"]
        n15["div<br/>[]"]
        n16(["neg<br/>[]<br/>output 0"])
        n17["transpose perm=[1,0]<br/>[32,32]"]
        n18["softmax axis=1<br/>[32,10]"]
        n19["sub<br/>[32,10]"]
        n20["matmul<br/>[32,10]"]
        n21(["div<br/>[32,10]<br/>output 1"])
        n0 -->|0| n2
        n1 -->|1| n2
        n2 --> n4
        n3 --> n4
        n4 --> n5
        n5 -->|0| n7
        n6 -->|1| n7
        n7 --> n9
        n8 --> n9
        n9 --> n10
        n10 --> n12
        n11 --> n12
        n12 --> n13
        n13 -->|0| n15
        n14 -->|1| n15
        n15 --> n16
        n5 --> n17
        n9 --> n18
        n18 -->|0| n19
        n11 -->|1| n19
        n17 -->|0| n20
        n19 -->|1| n20
        n20 -->|0| n21
        n14 -->|1| n21"
    `);
  });

  it('∂L/∂W2 as Graphviz DOT', () => {
    expect(toDot(simplified[3])).toMatchInlineSnapshot(`
      "digraph gradc {
        node [shape=box, fontname="Helvetica"];
        n0 [label="x\\ninput [32,784]"];
        n1 [label="W1\\nparam [784,32]"];
        n2 [label="matmul\\n[32,32]"];
        n3 [label="b1\\nparam [32]"];
        n4 [label="add\\n[32,32]"];
        n5 [label="relu\\n[32,32]"];
        n6 [label="transpose perm=[1,0]\\n[32,32]"];
        n7 [label="W2\\nparam [32,10]"];
        n8 [label="matmul\\n[32,10]"];
        n9 [label="b2\\nparam [10]"];
        n10 [label="add\\n[32,10]"];
        n11 [label="softmax axis=1\\n[32,10]"];
        n12 [label="t\\ninput oneHot [32,10]"];
        n13 [label="sub\\n[32,10]"];
        n14 [label="matmul\\n[32,10]"];
        n15 [label="constant 32\\n[]"];
        n16 [label="div\\n[32,10]", style=rounded, xlabel="output 0"];
        n0 -> n2 [label="0"];
        n1 -> n2 [label="1"];
        n2 -> n4;
        n3 -> n4;
        n4 -> n5;
        n5 -> n6;
        n5 -> n8 [label="0"];
        n7 -> n8 [label="1"];
        n8 -> n10;
        n9 -> n10;
        n10 -> n11;
        n11 -> n13 [label="0"];
        n12 -> n13 [label="1"];
        n6 -> n14 [label="0"];
        n13 -> n14 [label="1"];
        n14 -> n16 [label="0"];
        n15 -> n16 [label="1"];
      }"
    `);
  });

  const hostile = ['a"b', '<img src=x onerror=alert(1)>', 'c\\Nd', 'e\nf', 'g`h#i;', 'j]k"]; n0-->n1'];
  const graph = hostile.map((name) => input(name, [1])).reduce((s, x) => add(s, x) as typeof x);

  it('escapes user names in Mermaid: nothing can close a label or start markup', () => {
    const text = toMermaid(graph);
    const labels = text.split('\n').slice(1).filter((l) => !l.includes('-->'));
    // Our own line breaks are the only markup.
    for (const line of labels) expect(line.replaceAll('<br/>', '')).toMatch(/^ {2}n\d+(\["[^"<>`]*"\]|\(\["[^"<>`]*"\]\))$/);
    // Decoding the entity codes gives the names back.
    const decoded = text.replace(/#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)));
    for (const name of hostile) expect(decoded).toContain(name);
  });

  it('escapes user names in DOT: quotes and backslashes escaped, no raw newline in a label', () => {
    const text = toDot(graph);
    const labels = [...text.matchAll(/label="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
    expect(labels.some((l) => l.includes('a\\"b'))).toBe(true);
    expect(labels.some((l) => l.includes('c\\\\Nd'))).toBe(true); // \N stays literal, not the node name
    expect(labels.some((l) => l.includes('e&#10;f'))).toBe(true);
    for (const line of text.split('\n').slice(2, -1)) expect(line).toMatch(/^ {2}n\d+ (\[label="(?:[^"\\]|\\.)*"(, [^\]]*)?\]|-> n\d+( \[label="\d+"\])?);$/);
  });

  it('ids are positions, never names, and operand order is marked where it matters', () => {
    const x = input('x', [2]);
    const y = input('y', [2]);
    expect(toMermaid(sub(x, y))).toBe(
      ['flowchart TD', '  n0["x<br/>input [2]"]', '  n1["y<br/>input [2]"]', '  n2(["sub<br/>[2]<br/>output 0"])', '  n0 -->|0| n2', '  n1 -->|1| n2'].join('\n'),
    );
    void grad;
  });
});
