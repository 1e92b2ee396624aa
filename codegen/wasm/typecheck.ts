/** The operand-stack and control-frame checker run as each instruction is appended (the spec's algorithm). */
import type { ValType } from './types.js';

/** 'any' is what an empty stack yields in unreachable code. */
type Slot = ValType | 'any';

interface Frame {
  readonly kind: 'func' | 'block' | 'loop' | 'if' | 'else';
  readonly results: readonly ValType[];
  readonly height: number;
  unreachable: boolean;
}

const show = (ts: readonly Slot[]): string => (ts.length ? ts.join(' ') : 'nothing');

export class StackChecker {
  private readonly stack: Slot[] = [];
  private readonly frames: Frame[];

  constructor(results: readonly ValType[]) {
    this.frames = [{ kind: 'func', results, height: 0, unreachable: false }];
  }

  /** Open blocks, not counting the function body. */
  get depth(): number {
    return this.frames.length - 1;
  }

  private get top(): Frame {
    return this.frames[this.frames.length - 1]!;
  }

  push(...ts: readonly Slot[]): void {
    this.stack.push(...ts);
  }

  /** Pops operands (bottom first in `ts`); throws naming what was expected and what the stack held. */
  pop(ts: readonly ValType[]): Slot[] {
    const frame = this.top;
    const got: Slot[] = [];
    for (let i = ts.length - 1; i >= 0; i--) {
      const want = ts[i]!;
      if (this.stack.length === frame.height) {
        if (!frame.unreachable) throw new Error(`expects ${show(ts)} on the stack, found ${show(this.available())}`);
        got.unshift('any');
        continue;
      }
      const t = this.stack[this.stack.length - 1]!;
      if (t !== want && t !== 'any') throw new Error(`expects ${show(ts)} on the stack, found ${show(this.available())}`);
      this.stack.pop();
      got.unshift(t);
    }
    return got;
  }

  /** Pops any one operand (drop, select). */
  popAny(): Slot {
    const frame = this.top;
    if (this.stack.length === frame.height) {
      if (!frame.unreachable) throw new Error('expects an operand on the stack, found nothing');
      return 'any';
    }
    return this.stack.pop()!;
  }

  private available(): Slot[] {
    return this.stack.slice(this.top.height);
  }

  /** Everything after this point is unreachable until the frame ends. */
  setUnreachable(): void {
    this.stack.length = this.top.height;
    this.top.unreachable = true;
  }

  open(kind: 'block' | 'loop' | 'if', result: ValType | undefined): void {
    if (kind === 'if') this.pop(['i32']);
    this.frames.push({ kind, results: result ? [result] : [], height: this.stack.length, unreachable: false });
  }

  else(): void {
    const frame = this.top;
    if (frame.kind !== 'if') throw new Error('else without a matching if');
    this.closeFrame(frame);
    this.frames[this.frames.length - 1] = { kind: 'else', results: frame.results, height: frame.height, unreachable: false };
  }

  end(): void {
    const frame = this.top;
    if (frame.kind === 'func') throw new Error('end without an open block, loop or if');
    if (frame.kind === 'if' && frame.results.length) throw new Error(`if with result ${frame.results[0]} needs an else`);
    this.closeFrame(frame);
    this.frames.pop();
    this.push(...frame.results);
  }

  /** Checks, without changing state, that the body is closed and ends with exactly its results. */
  finish(): void {
    if (this.depth > 0) throw new Error(`${this.depth} block(s) left open (missing end)`);
    const frame = this.top, have = this.available(), want = frame.results;
    const extra = have.length - want.length;
    const fits = (extra === 0 || (extra < 0 && frame.unreachable))
      && have.every((t, i) => t === 'any' || t === want[i - extra]);
    if (!fits) throw new Error(`the body ends with ${show(have)} on the stack; the function returns ${show(want)}`);
  }

  private closeFrame(frame: Frame): void {
    this.pop(frame.results);
    if (this.stack.length !== frame.height) {
      throw new Error(`leaves ${show(this.available())} on the stack; the ${frame.kind} expects ${show(frame.results)}`);
    }
  }

  /** Types a branch to `depth` carries (a loop's label takes none). */
  labelTypes(depth: number): readonly ValType[] {
    if (!Number.isInteger(depth) || depth < 0 || depth >= this.frames.length) {
      throw new Error(`label depth ${depth} out of range (0..${this.frames.length - 1})`);
    }
    const frame = this.frames[this.frames.length - 1 - depth]!;
    return frame.kind === 'loop' ? [] : frame.results;
  }

  /** The function's results (for return). */
  get funcResults(): readonly ValType[] {
    return this.frames[0]!.results;
  }
}
