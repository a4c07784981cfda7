// Requests started before the page that needs them has loaded (main.tsx starts
// the shipment's while the page's chunk downloads); useApi takes each once,
// while fresh.
const primed = new Map<string, { at: number; p: Promise<unknown> }>();

export function prime<T>(key: string, load: () => Promise<T>): void {
  const p = load();
  p.catch(() => undefined);
  primed.set(key, { at: performance.now(), p });
}

export function takePrimed<T>(key: string): Promise<T> | undefined {
  const e = primed.get(key);
  primed.delete(key);
  return e && performance.now() - e.at < 5000 ? (e.p as Promise<T>) : undefined;
}
