// A small flowing layout over pdf-lib: headings, paragraphs, key/value lists and
// tables that wrap and break pages, in the standard PDF fonts (WinAnsi text, so
// characters outside it are spelled out first). Only layout: what is said is
// report-pdf.ts's.
import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from 'pdf-lib';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 50;
const INK = rgb(0.1, 0.1, 0.12);
const MUTED = rgb(0.4, 0.4, 0.45);
const RULE = rgb(0.8, 0.8, 0.84);
const BAD = rgb(0.7, 0.1, 0.1);
const GOOD = rgb(0.05, 0.45, 0.2);

/** Characters the standard fonts cannot show, as text they can. */
const SPELLED: Record<string, string> = {
  '→': '->',
  '←': '<-',
  '≤': '<=',
  '≥': '>=',
  '−': '-',
  '✔': 'OK',
  '✘': 'FAILED',
  '≈': '~',
  '\u2009': ' ',
  '\u202f': ' ',
};
/** WinAnsi's characters above Latin-1 (cp1252 0x80–0x9f). */
const CP1252 = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

export function winAnsi(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (SPELLED[ch] !== undefined) out += SPELLED[ch];
    else if ((cp >= 0x20 && cp < 0x7f) || (cp >= 0xa0 && cp <= 0xff) || CP1252.has(ch)) out += ch;
    else if (ch === '\n' || ch === '\t') out += ' ';
    else out += '?';
  }
  return out;
}

export type Tone = 'normal' | 'muted' | 'good' | 'bad';
const colour = (t: Tone) => (t === 'muted' ? MUTED : t === 'good' ? GOOD : t === 'bad' ? BAD : INK);

export class PdfWriter {
  private page!: PDFPage;
  private y = 0;
  private readonly pages: PDFPage[] = [];

  private constructor(
    readonly doc: PDFDocument,
    private readonly fonts: { regular: PDFFont; bold: PDFFont; mono: PDFFont },
    private readonly footer: string,
  ) {
    this.newPage();
  }

  static async create(footer: string): Promise<PdfWriter> {
    const doc = await PDFDocument.create();
    const fonts = {
      regular: await doc.embedFont(StandardFonts.Helvetica),
      bold: await doc.embedFont(StandardFonts.HelveticaBold),
      mono: await doc.embedFont(StandardFonts.Courier),
    };
    return new PdfWriter(doc, fonts, winAnsi(footer));
  }

  private get width(): number {
    return A4[0] - 2 * MARGIN;
  }

  private newPage(): void {
    this.page = this.doc.addPage(A4);
    this.pages.push(this.page);
    this.y = A4[1] - MARGIN;
  }

  private room(h: number): void {
    if (this.y - h < MARGIN + 20) this.newPage();
  }

  /** Split text into lines no wider than `width` (long tokens such as hashes are cut). */
  wrap(text: string, font: PDFFont, size: number, width: number): string[] {
    const lines: string[] = [];
    for (const para of winAnsi(text).split(/\r?\n/)) {
      let line = '';
      for (const word of para.split(' ')) {
        let w = word;
        const candidate = line ? `${line} ${w}` : w;
        if (font.widthOfTextAtSize(candidate, size) <= width) {
          line = candidate;
          continue;
        }
        if (line) lines.push(line);
        while (font.widthOfTextAtSize(w, size) > width) {
          let n = w.length;
          while (n > 1 && font.widthOfTextAtSize(w.slice(0, n), size) > width) n--;
          lines.push(w.slice(0, n));
          w = w.slice(n);
        }
        line = w;
      }
      lines.push(line);
    }
    return lines;
  }

  title(text: string, sub?: string): void {
    this.text(text, { size: 18, bold: true });
    if (sub) this.text(sub, { size: 10, tone: 'muted' });
    this.gap(6);
  }

  heading(text: string): void {
    this.room(40);
    this.gap(8);
    this.text(text, { size: 12.5, bold: true });
    this.gap(3);
    this.page.drawLine({
      start: { x: MARGIN, y: this.y },
      end: { x: MARGIN + this.width, y: this.y },
      thickness: 0.6,
      color: RULE,
    });
    this.gap(4);
  }

  text(text: string, o: { size?: number; bold?: boolean; mono?: boolean; tone?: Tone; indent?: number } = {}): void {
    const size = o.size ?? 9.5;
    const font = o.mono ? this.fonts.mono : o.bold ? this.fonts.bold : this.fonts.regular;
    const indent = o.indent ?? 0;
    for (const line of this.wrap(text, font, size, this.width - indent)) {
      this.room(size * 1.35);
      this.y -= size * 1.35;
      this.page.drawText(line, { x: MARGIN + indent, y: this.y, size, font, color: colour(o.tone ?? 'normal') });
    }
  }

  gap(h: number): void {
    this.y -= h;
  }

  /** Key/value rows: keys in bold in a fixed column, values wrapped beside them. */
  keyValues(rows: [string, string, Tone?][], keyWidth = 150): void {
    this.table(
      [
        { width: keyWidth, bold: true },
        { width: this.width - keyWidth, mono: false },
      ],
      rows.map(([k, v, tone]) => [k, v, tone]),
    );
  }

  /** A table: each row's cells wrapped in their column; optional header row in bold; a tone per row. */
  table(
    cols: { width: number; bold?: boolean; mono?: boolean }[],
    rows: (string | Tone | undefined)[][],
    header?: string[],
  ): void {
    const size = 8.8;
    const lineH = size * 1.3;
    const draw = (cells: string[], bold: boolean, tone: Tone) => {
      const wrapped = cells.map((c, i) => {
        const col = cols[i]!;
        const font = bold || col.bold ? this.fonts.bold : col.mono ? this.fonts.mono : this.fonts.regular;
        return { font, lines: this.wrap(c, font, col.mono ? size - 0.8 : size, col.width - 6) };
      });
      const h = Math.max(...wrapped.map((w) => w.lines.length)) * lineH + 3;
      this.room(h);
      let x = MARGIN;
      wrapped.forEach((w, i) => {
        const col = cols[i]!;
        w.lines.forEach((line, j) => {
          this.page.drawText(line, {
            x,
            y: this.y - (j + 1) * lineH,
            size: col.mono ? size - 0.8 : size,
            font: w.font,
            color: colour(i === 0 || bold ? 'normal' : tone),
          });
        });
        x += col.width;
      });
      this.y -= h;
    };
    if (header) draw(header, true, 'normal');
    for (const r of rows) draw(r.slice(0, cols.length) as string[], false, (r[cols.length] as Tone | undefined) ?? 'normal');
  }

  async save(meta: { title: string; author: string; subject: string; at: Date }): Promise<Uint8Array> {
    const total = this.pages.length;
    const size = 7.5;
    const font = this.fonts.regular;
    // The footer on one line: cut to leave room for the page number, right-aligned.
    let footer = this.footer;
    const room = this.width - font.widthOfTextAtSize('page 99 of 99', size) - 12;
    while (footer.length > 1 && font.widthOfTextAtSize(footer, size) > room) footer = `${footer.slice(0, -2)}…`;
    this.pages.forEach((p, i) => {
      const page = `page ${i + 1} of ${total}`;
      p.drawText(footer, { x: MARGIN, y: MARGIN - 20, size, font, color: MUTED });
      const x = MARGIN + this.width - font.widthOfTextAtSize(page, size);
      p.drawText(page, { x, y: MARGIN - 20, size, font, color: MUTED });
    });
    this.doc.setTitle(winAnsi(meta.title));
    this.doc.setAuthor(winAnsi(meta.author));
    this.doc.setSubject(winAnsi(meta.subject));
    this.doc.setCreator('TradeTwin');
    this.doc.setProducer('TradeTwin node (pdf-lib)');
    this.doc.setCreationDate(meta.at);
    this.doc.setModificationDate(meta.at);
    return this.doc.save();
  }
}
