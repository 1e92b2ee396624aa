// Property tests explore new random cases on every local run; CI replays one fixed seed so a
// red build is reproducible (FC_SEED=<n> replays any seed a failure printed).
import fc from 'fast-check';

const seed = process.env['FC_SEED'] ?? (process.env['CI'] ? '20261128' : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });
