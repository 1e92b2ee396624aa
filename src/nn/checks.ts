// Argument checks for the model API: names from a known list, layer names, positive numbers.
/** Checks a user's choice against the names we know, with a clear error listing them. */
export function checkName<T extends string>(what: string, value: unknown, known: readonly T[], hint = ''): T {
  if (typeof value === 'string' && (known as readonly string[]).includes(value)) return value as T;
  const got = typeof value === 'string' ? JSON.stringify(value) : String(value);
  throw new Error(`unknown ${what} ${got}; use one of ${known.map((k) => `'${k}'`).join(', ')}${hint}`);
}

/** Layer names become parts of param names: letters, digits and _ only, starting with a letter. */
export function checkLayerName(name: unknown): string {
  if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(name)) {
    throw new Error(`layer name ${JSON.stringify(name)} is invalid: use 1–64 letters, digits or _, starting with a letter (e.g. 'hidden_1')`);
  }
  return name;
}

export function checkPositiveInt(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new Error(`${what} must be a positive integer, got ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  }
  return v;
}

export function checkPositiveNumber(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new Error(`${what} must be a positive finite number, got ${String(v)}`);
  }
  return v;
}
