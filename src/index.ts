// gradc: the public entry for Node: everything in the browser entry (src/browser.ts: graphs,
// gradients, simplification, printing, compilation, models), plus what needs files: model.save
// and loadModel, IDX files and MNIST from disk.
// ONNX export is the subpath 'gradc/onnx'. Helpers for tools and tests live behind subpaths:
// 'gradc/cli' (the training curve, the seed derivation) and 'gradc/internals' (the op tables,
// `make`, shape helpers, atomic files).
import { installSaveFiles } from './nn/save-files.js';
import { saveModel } from './nn/serialize.js';

installSaveFiles(saveModel);

export * from './browser.js';

// Files (Node)
export { loadModel, type LoadOptions } from './nn/load.js';
export { readIdx } from './data/idx-file.js';
export { datasets } from './data/datasets.js';
export { mnist, mnistDataDir, MNIST_FILES, type Mnist, type MnistOptions } from './data/mnist.js';

// Export: a standalone TypeScript module of a model's training step and prediction (ts-morph, loaded on use)
export { exportModule, type ExportOptions, type ExportResult } from './export/export-module.js';
