// Map labels that do not sit on each other: each label tries the right of its
// point, then below, above and left, and takes the first spot that overlaps
// no label already placed (greedy, in the order given).

export interface LabelInput {
  x: number;
  y: number;
  text: string;
}

export interface PlacedLabel extends LabelInput {
  dx: number;
  dy: number;
  anchor: 'start' | 'end';
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const CANDIDATES: { dx: number; dy: number; anchor: 'start' | 'end' }[] = [
  { dx: 9, dy: 4, anchor: 'start' },
  { dx: 9, dy: 18, anchor: 'start' },
  { dx: 9, dy: -10, anchor: 'start' },
  { dx: -9, dy: 4, anchor: 'end' },
  { dx: -9, dy: 18, anchor: 'end' },
  { dx: -9, dy: -10, anchor: 'end' },
  { dx: 9, dy: 32, anchor: 'start' },
  { dx: 9, dy: -24, anchor: 'start' },
];

export function placeLabels(
  labels: LabelInput[],
  opts: { charWidth?: number; height?: number; width?: number } = {},
): PlacedLabel[] {
  const cw = opts.charWidth ?? 6.6;
  const h = opts.height ?? 13;
  const placed: Box[] = [];
  const out: PlacedLabel[] = [];
  for (const l of labels) {
    const w = l.text.length * cw;
    let chosen = CANDIDATES[0]!;
    let box = boxOf(l, chosen, w, h);
    for (const c of CANDIDATES) {
      const b = boxOf(l, c, w, h);
      const inside = opts.width === undefined || (b.x0 >= 0 && b.x1 <= opts.width);
      if (inside && !placed.some((p) => overlaps(p, b))) {
        chosen = c;
        box = b;
        break;
      }
    }
    placed.push(box);
    out.push({ ...l, ...chosen });
  }
  return out;
}

function boxOf(l: LabelInput, c: { dx: number; dy: number; anchor: 'start' | 'end' }, w: number, h: number): Box {
  const x0 = c.anchor === 'start' ? l.x + c.dx : l.x + c.dx - w;
  const base = l.y + c.dy;
  return { x0, x1: x0 + w, y0: base - h + 3, y1: base + 3 };
}

function overlaps(a: Box, b: Box): boolean {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}
