// QR codes for links (collection links, device pairing), as SVG data URLs. The library loads on
// first use: most sessions never show a code.

export async function qrDataUrl(text: string): Promise<string> {
  const { default: qrcode } = await import('qrcode-generator');
  const code = qrcode(0, 'M');
  code.addData(text);
  code.make();
  // An SVG scales crisply at any size and is far smaller than a GIF of the same code.
  const svg = code.createSvgTag({ cellSize: 4, margin: 4, scalable: true });
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
