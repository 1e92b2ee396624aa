// gradc/internals: the machinery under the public API, for tools, tests and new backends.
// Not covered by the main entry's stability: names here may change between minor versions.

// The op vocabulary's tables, one per transform, each exhaustive over OpName
export { opInfo, type OpInfo, type OpInfoTable, type OpKind } from './graph/ops.js';
export { vjps, type Vjp, type VjpTable } from './grad/vjps.js';
export { reference, type Reference, type ReferenceTable } from './eval/reference.js';
export { scalarLowering, type ScalarLoweringTable } from './lower/values.js';

// Building nodes directly (the op functions check their arguments first; `make` checks only shapes)
export { make } from './graph/tensor.js';
export type { FluentMethods } from './graph/functions.js';
export { broadcastShapes, sizeOf } from './graph/shape.js';

// The rewrite rules simplify runs, in the order they are tried at a node
export { rewriteRules } from './rewrite/simplify.js';
export type { Rule, RuleContext, Rewrite, Phase } from './rewrite/rule.js';

// Files
export { writeFileAtomic, type FileContent } from './data/atomic-file.js';

// ONNX export: the rule table and the exporter with a table of one's own
export { onnxRules, type OnnxRule, type OnnxRuleTable, type OnnxEmitter, type OnnxAttr } from './onnx/rules.js';
export { exportOnnxWith } from './onnx/export.js';
export { escapeName as escapeOnnxName } from './onnx/names.js';
