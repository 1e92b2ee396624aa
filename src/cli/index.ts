// gradc/cli: what the command line draws and derives, for scripts that want the same output.
export { trainingCurveSvg, niceTicks, type CurveData, type CurveOptions } from './training-curve.js';
export { seedDerivation, seedGraph, type SeedOptions } from './explain.js';
