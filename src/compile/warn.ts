/**
 * Warnings gradc prints once and goes on: through `process.emitWarning` (type 'GradcWarning'),
 * so `node --no-warnings` silences them and `process.on('warning')` sees them.
 */
export function warn(message: string): void {
  if (typeof process !== 'undefined' && typeof process.emitWarning === 'function') process.emitWarning(message, 'GradcWarning');
  else console.warn(`GradcWarning: ${message}`);
}
