import { datasets, layers, sequential } from 'gradc';
const data = datasets.mnist({ pixels: 'uint8' });
const model = sequential({ seed: 42 });
model.add(layers.rescaling({ scale: 1 / 255, inputDim: 784 }));
model.add(layers.dense({ units: 32, activation: 'relu' }));
model.add(layers.dense({ units: 10, activation: 'softmax' }));
model.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
await model.fit(data.xTrain, data.yTrain, { epochs: 1, batchSize: 32, verbose: 0 });
for (const shuffle of [true, false, true, false]) {
const t = performance.now();
await model.fit(data.xTrain, data.yTrain, { epochs: 2, batchSize: 32, verbose: 0, shuffle });
console.log('shuffle', shuffle, ((performance.now() - t) / (2 * 1875) * 1000).toFixed(1), 'us/batch');
}
