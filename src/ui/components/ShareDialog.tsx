import type { JSX } from 'solid-js';
import { Show, createSignal } from 'solid-js';
import type { CollectionId } from '../../shared/types.ts';
import { collectionHref } from '../router.ts';
import { qrDataUrl } from '../qr.ts';

/**
 * "Share": the collection's link (origin plus a fragment naming its document; nothing in the path
 * or query), a Copy button, and a QR code for a phone. The QR library loads only when the dialog
 * opens, so it costs the first paint nothing.
 */
export function ShareDialog(props: {
  collectionId: CollectionId;
  name: string;
  /** Who the link lets in: 'open' for a collection from before members and roles. */
  audience: 'open' | 'link' | 'members';
}): JSX.Element {
  let dialog: HTMLDialogElement | undefined;
  const [qr, setQr] = createSignal<string | null>(null);
  const [copied, setCopied] = createSignal<string | null>(null);
  const link = () => `${location.origin}${location.pathname}${collectionHref(props.collectionId)}`;

  const open = () => {
    setCopied(null);
    dialog?.showModal();
    void qrDataUrl(link()).then(setQr, () => setQr(null));
  };

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link());
      setCopied('Link copied.');
    } catch {
      // No clipboard permission (or an insecure origin): select the text for a manual copy.
      const input = dialog?.querySelector<HTMLInputElement>('#share-link');
      input?.select();
      setCopied('Press Ctrl+C (or ⌘C) to copy the selected link.');
    }
  };

  return (
    <>
      <button class="ghost" onClick={open}>
        Share
      </button>
      <dialog ref={(el) => (dialog = el)} aria-labelledby="share-title" class="dialog share-dialog">
        <h2 id="share-title">Share “{props.name}”</h2>
        <p class="muted">
          {props.audience === 'open'
            ? 'Anyone with this link can open, follow and edit the collection.'
            : props.audience === 'link'
              ? 'Anyone with this link can open and follow the collection. Only the members you add can edit it.'
              : 'Only members can open this collection. Add people under Members, then send them the link.'}
        </p>
        <label for="share-link">Share link</label>
        <div class="share-row">
          <input id="share-link" readonly value={link()} onFocus={(e) => e.currentTarget.select()} />
          <button class="primary" onClick={() => void copy()}>
            Copy link
          </button>
        </div>
        <p role="status" class="muted">
          {copied() ?? ''}
        </p>
        <Show when={qr()}>
          {(src) => <img class="qr" src={src()} alt="QR code" width="200" height="200" />}
        </Show>
        <div class="actions">
          <button class="ghost" onClick={() => dialog?.close()}>
            Close
          </button>
        </div>
      </dialog>
    </>
  );
}
