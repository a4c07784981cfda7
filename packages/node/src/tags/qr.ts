// A tag as a QR code (SVG) for a label. ISO/IEC 18004 error correction M (15 %)
// — GS1's recommendation for Digital Link QR codes on packaging; a ~190-character
// tag then needs version 10 (57 × 57 modules). The `qrcode` package is the one
// packages/web draws QR codes with.
import QRCode from 'qrcode';

export async function tagQrSvg(uri: string, opts: { margin?: number } = {}): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: opts.margin ?? 4 });
}
