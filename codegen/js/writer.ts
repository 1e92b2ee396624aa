/** Indented lines of generated JavaScript. */
export class Writer {
  private readonly lines: string[] = [];
  private depth = 0;

  line(text: string): void {
    this.lines.push('  '.repeat(this.depth) + text);
  }

  /** `head {`, body, `}` */
  block(head: string, body: () => void): void {
    this.line(`${head} {`);
    this.depth++;
    body();
    this.depth--;
    this.line('}');
  }

  toString(): string {
    return this.lines.join('\n');
  }
}
