/**
 * Progress per epoch: a cli-progress bar on a terminal (loss, accuracy, samples/s, ETA), and one
 * plain line per epoch when the output is a file or a pipe.
 */
import cliProgress from 'cli-progress';
import type { BatchLogs, EpochLogs } from '../nn/fit.js';

export interface EpochProgress {
  begin(epoch: number): void;
  batch(logs: BatchLogs): void;
  end(epoch: number, logs: EpochLogs): void;
}

function pct(v: number | undefined): string {
  return v === undefined ? '-' : `${(v * 100).toFixed(2)}%`;
}

export function epochProgress(epochs: number, batchesPerEpoch: number, samplesPerEpoch: number, out: NodeJS.WriteStream = process.stdout): EpochProgress {
  const tty = out.isTTY === true;
  const width = String(epochs).length;
  let bar: cliProgress.SingleBar | null = null;
  let started = 0;
  let seen = 0;
  let lossSum = 0;
  let correctish = 0;
  let batches = 0;
  const label = (e: number) => `Epoch ${String(e + 1).padStart(width)}/${epochs}`;
  const speed = () => Math.round(seen / Math.max(1e-3, (Date.now() - started) / 1000));
  return {
    begin(epoch) {
      started = Date.now();
      seen = lossSum = correctish = batches = 0;
      if (!tty) return;
      bar = new cliProgress.SingleBar(
        {
          format: `${label(epoch)} {bar} {percentage}% | loss {loss} | acc {acc} | {speed} samples/s | ETA {eta_formatted}`,
          barsize: 24,
          hideCursor: true,
          stream: out,
          fps: 8,
          etaBuffer: 200,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(batchesPerEpoch, 0, { loss: '-', acc: '-', speed: '-' });
    },
    batch(logs) {
      seen += logs.size;
      lossSum += logs.loss * logs.size;
      if (logs.acc !== undefined) correctish += logs.acc * logs.size;
      batches++;
      if (bar && (batches % 25 === 0 || batches === batchesPerEpoch)) {
        bar.update(batches, { loss: (lossSum / seen).toFixed(4), acc: pct(correctish / seen), speed: speed().toLocaleString('en-US') });
      }
    },
    end(epoch, logs) {
      const secs = (Date.now() - started) / 1000;
      const val = logs.val_loss === undefined ? '' : ` | val loss ${logs.val_loss.toFixed(4)} | val acc ${pct(logs.val_acc)}`;
      if (bar) {
        bar.update(batchesPerEpoch, { loss: logs.loss.toFixed(4), acc: pct(logs.acc), speed: speed().toLocaleString('en-US') });
        bar.stop();
        bar = null;
        if (val) out.write(`${' '.repeat(label(epoch).length)}${val}\n`);
      } else {
        out.write(`${label(epoch)} | ${samplesPerEpoch} samples in ${secs.toFixed(1)}s | loss ${logs.loss.toFixed(4)} | acc ${pct(logs.acc)} | ${speed().toLocaleString('en-US')} samples/s${val}\n`);
      }
    },
  };
}
