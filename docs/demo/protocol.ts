/** The messages between the page (main.ts) and the training worker (worker.ts). */

export type BackendChoice = 'auto' | 'wasm' | 'js';

export type ToWorker =
  | { type: 'train'; epochs: number; backend: BackendChoice; seed: number }
  | { type: 'classify'; id: number; pixels: Uint8Array };

export type FromWorker =
  | { type: 'data'; trainSize: number; testSize: number; bytes: number; ms: number }
  | {
      type: 'model';
      /** The backend the compiled step runs on (model.config.backend). */
      backend: 'wasm' | 'js' | 'reference';
      requested: BackendChoice;
      summary: string;
      /** show(simplify(∂L/∂W1)): the first layer's gradient as the step computes it. */
      gradient: string;
      /** The training step's generated code (WAT for wasm, JavaScript for js) and its kernels. */
      source: string;
      kernels: string[];
      compileMs: number;
      testAcc: number;
      testLoss: number;
    }
  /** Losses of the steps since the last message (one per batch), from step `firstStep` on. */
  | { type: 'losses'; firstStep: number; losses: Float32Array; epoch: number; stepsPerSecond: number }
  | { type: 'epoch'; epoch: number; epochs: number; loss: number; acc: number; testAcc: number; testLoss: number; steps: number; ms: number }
  | { type: 'done'; steps: number; ms: number; testAcc: number }
  | { type: 'prediction'; id: number; probs: number[] }
  | { type: 'error'; message: string };
