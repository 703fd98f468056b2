// Validity bitmaps in Arrow's layout: one bit per row, least-significant bit first, 1 = value present.
// `null` stands for "no nulls in this column", so the common case costs nothing.

export function validityBytes(length: number): number {
  return (length + 7) >>> 3;
}

export function isValid(validity: Uint8Array | null, i: number): boolean {
  return validity === null || ((validity[i >>> 3] >>> (i & 7)) & 1) === 1;
}

export function setValid(validity: Uint8Array, i: number, valid: boolean): void {
  if (valid) validity[i >>> 3] |= 1 << (i & 7);
  else validity[i >>> 3] &= ~(1 << (i & 7));
}

export function countNulls(validity: Uint8Array | null, length: number): number {
  if (validity === null) return 0;
  let valid = 0;
  for (let i = 0; i < length; i++) valid += (validity[i >>> 3] >>> (i & 7)) & 1;
  return length - valid;
}

/** An all-valid bitmap of the given length, for building columns that are about to receive a null. */
export function allValid(length: number, capacity = length): Uint8Array {
  const v = new Uint8Array(validityBytes(capacity));
  const full = length >>> 3;
  v.fill(0xff, 0, full);
  for (let i = full << 3; i < length; i++) setValid(v, i, true);
  return v;
}
