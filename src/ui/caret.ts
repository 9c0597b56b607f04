// Applies a remote value to a focused text field without moving the caret: the selection is
// shifted by however much text changed before it, found from the common prefix and suffix.

export function replacePreservingCaret(el: HTMLInputElement | HTMLTextAreaElement, next: string): void {
  const prev = el.value;
  if (document.activeElement !== el || el.selectionStart === null || el.selectionEnd === null) {
    el.value = next;
    return;
  }
  const { start, delta } = diffRegion(prev, next);
  const shift = (pos: number) => (pos <= start ? pos : Math.max(start, pos + delta));
  const selectionStart = shift(el.selectionStart);
  const selectionEnd = shift(el.selectionEnd);
  el.value = next;
  el.setSelectionRange(selectionStart, selectionEnd);
}

/** Where two strings first differ, and how much longer `next` is. */
export function diffRegion(prev: string, next: string): { start: number; delta: number } {
  let start = 0;
  const max = Math.min(prev.length, next.length);
  while (start < max && prev.charCodeAt(start) === next.charCodeAt(start)) start++;
  return { start, delta: next.length - prev.length };
}
