/**
 * Where `model.save(dir)` writes: a file system, which the core does not import, so that it runs
 * in a browser. The Node entries (`gradc`, the CLI) install Node's (`serialize.ts`); the browser
 * entry (`gradc/browser`) has none, and `save` says what to do instead.
 */
import type { SaveState } from './trainable.js';

export type SaveModel = (state: SaveState, dir: string) => void;

let installed: SaveModel | null = null;

/** Makes `model.save(dir)` write through `save` (the Node entries pass `saveModel`). */
export function installSaveFiles(save: SaveModel): void {
  installed = save;
}

export function saveFiles(): SaveModel {
  if (installed === null) {
    throw new Error("model.save(dir) writes files, and this build of gradc has no file system (the browser entry 'gradc/browser'); " +
      "in a browser keep the weights with model.getWeights() and restore them with model.setWeights(), or save from Node ('gradc')");
  }
  return installed;
}
