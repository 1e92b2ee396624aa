/**
 * Warnings gradc prints once and goes on: through `process.emitWarning` (type 'GradcWarning'),
 * so `node --no-warnings` silences them and `process.on('warning')` sees them.
 */
export function warn(message: string): void {
  if (typeof process !== 'undefined' && typeof process.emitWarning === 'function') process.emitWarning(message, 'GradcWarning');
  else console.warn(`GradcWarning: ${message}`);
}

/** A line for the user outside the results: stderr in Node, the console in a browser or worker. */
export function printLine(line: string): void {
  if (typeof process !== 'undefined' && typeof process.stderr?.write === 'function') process.stderr.write(`${line}\n`);
  else console.info(line);
}
