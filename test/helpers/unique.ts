/** A name no other test (or earlier run against the same cluster) uses: `base-<time>-<random>`. */
export function unique(base: string): string {
  return `${base}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e4)}`;
}
