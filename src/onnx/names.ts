/**
 * Value names of an exported ONNX graph. User names (inputs, params, output keys) are kept where
 * they are plain: letters, digits and `_ . / : -` (`dense_1/kernel` stays `dense_1/kernel`, as
 * PyTorch's exporter writes `layer1/Gemm`); any other character becomes `_xHH_` (its UTF-16 code
 * in hex), so a name never carries a quote, a space, a newline or a control character into the file
 * or into a tool that prints it. Every name is unique: a clash gets `_2`, `_3`, … The caller
 * reports what each user name became.
 */
const PLAIN = /^[A-Za-z0-9_./:-]$/;
const MAX = 200;

/** `name` with every character outside the plain set escaped; an empty name becomes `_`. */
export function escapeName(name: string): string {
  let out = '';
  for (const ch of name) {
    if (PLAIN.test(ch)) out += ch;
    else for (let i = 0; i < ch.length; i++) out += `_x${ch.charCodeAt(i).toString(16).padStart(2, '0')}_`;
  }
  if (out === '') out = '_';
  return out.length > MAX ? out.slice(0, MAX) : out;
}

export class Names {
  private readonly taken = new Set<string>();

  /** A unique, plain name from `wanted` (a user's name or a generated base like `matmul`). */
  claim(wanted: string): string {
    const base = escapeName(wanted);
    let name = base;
    for (let k = 2; this.taken.has(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    return name;
  }
}
