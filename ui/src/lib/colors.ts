// Stable per-service colours: a service keeps its colour across pages and reloads (hash of the
// name into a palette chosen to read on light and dark backgrounds).
const PALETTE = [
  '#4c6ef5', '#12b886', '#f59f00', '#e64980', '#7950f2', '#15aabf', '#82c91e', '#fd7e14',
  '#be4bdb', '#228be6', '#40c057', '#fab005', '#f06595', '#5c7cfa', '#20c997', '#ff922b',
  '#94d82d', '#cc5de8', '#339af0', '#ff6b6b',
];

export function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export function serviceColor(service: string): string {
  return PALETTE[hashString(service) % PALETTE.length];
}
