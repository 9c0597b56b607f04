import type { JSX } from 'solid-js';
import { For, Show, createSignal } from 'solid-js';
import type { MembersView } from '../../shared/queries.ts';
import type { CollectionId } from '../../shared/types.ts';
import { errorMessage } from '../engine-client.ts';
import { useEngine } from '../engine-context.tsx';

type Role = 'owner' | 'editor' | 'viewer';

/**
 * "Members": who may view or edit the collection, as every device resolves it from signed entries.
 * Owners change roles, remove members and set the visibility; everyone else sees the list.
 */
export function MembersDialog(props: {
  collectionId: CollectionId;
  members: MembersView | undefined;
}): JSX.Element {
  const engine = useEngine();
  let dialog: HTMLDialogElement | undefined;
  const [error, setError] = createSignal<string | null>(null);
  const [status, setStatus] = createSignal<string | null>(null);
  const isOwner = () => props.members?.myRole === 'owner';

  const run = async (command: Parameters<typeof engine.command>[0], done: string) => {
    setError(null);
    setStatus(null);
    try {
      await engine.command(command);
      setStatus(done);
    } catch (failure) {
      setError(errorMessage(failure));
    }
  };

  const setRole = (member: string, role: Role | null) =>
    run(
      { type: 'setMemberRole', collectionId: props.collectionId, member, role },
      role ? 'Role changed.' : 'Member removed.',
    );

  const add = (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const field = (key: string) => {
      const value = data.get(key);
      return typeof value === 'string' ? value.trim() : '';
    };
    const member = field('member');
    const name = field('name');
    const role = (field('role') || 'viewer') as Role;
    void run(
      { type: 'setMemberRole', collectionId: props.collectionId, member, role, ...(name ? { name } : {}) },
      'Member added.',
    ).then(() => !error() && form.reset());
  };

  return (
    <>
      <button class="ghost" onClick={() => dialog?.showModal()}>
        Members
      </button>
      <dialog ref={(el) => (dialog = el)} aria-labelledby="members-title" class="dialog members-dialog">
        <h2 id="members-title">Members</h2>
        <Show
          when={props.members?.guarded}
          fallback={
            <p>This collection was made before members and roles: anyone with its link can edit it.</p>
          }
        >
          <fieldset disabled={!isOwner()}>
            <legend>Who can see it</legend>
            <label>
              <input
                type="radio"
                name="visibility"
                checked={props.members?.visibility === 'link'}
                onChange={() =>
                  void run(
                    { type: 'setVisibility', collectionId: props.collectionId, visibility: 'link' },
                    'Anyone with the link can view it now.',
                  )
                }
              />{' '}
              Anyone with the link can view
            </label>
            <label>
              <input
                type="radio"
                name="visibility"
                checked={props.members?.visibility === 'members'}
                onChange={() =>
                  void run(
                    { type: 'setVisibility', collectionId: props.collectionId, visibility: 'members' },
                    'Only members can see it now.',
                  )
                }
              />{' '}
              Members only
            </label>
          </fieldset>
          <ul class="members" aria-label="Members">
            <For each={props.members?.members ?? []}>
              {(member) => (
                <li>
                  <span class="member-name">
                    {member.name ?? (member.isYou ? 'You' : 'Member')}
                    {member.isYou && member.name ? ' (you)' : ''}
                  </span>{' '}
                  <span class="fingerprint" title={member.user}>
                    {member.fingerprint}
                  </span>
                  <Show when={isOwner()} fallback={<span class="role">{member.role}</span>}>
                    <select
                      aria-label={`Role of ${member.name ?? member.fingerprint}`}
                      value={member.role}
                      onChange={(e) => void setRole(member.user, e.currentTarget.value as Role)}
                    >
                      <option value="owner">owner</option>
                      <option value="editor">editor</option>
                      <option value="viewer">viewer</option>
                    </select>
                    <button class="ghost danger" onClick={() => void setRole(member.user, null)}>
                      Remove {member.name ?? member.fingerprint}
                    </button>
                  </Show>
                </li>
              )}
            </For>
          </ul>
          <Show when={(props.members?.requests.length ?? 0) > 0}>
            <h3 id="requests-title">Requests to join</h3>
            <ul class="members" aria-labelledby="requests-title">
              <For each={props.members?.requests ?? []}>
                {(request) => (
                  <li>
                    <span class="member-name">{request.name || 'Someone'}</span>{' '}
                    <span class="fingerprint" title={request.user}>
                      {request.fingerprint}
                    </span>
                    <button
                      onClick={() =>
                        void run(
                          {
                            type: 'setMemberRole',
                            collectionId: props.collectionId,
                            member: request.user,
                            role: 'editor',
                            ...(request.name ? { name: request.name } : {}),
                          },
                          'Approved.',
                        )
                      }
                    >
                      Approve as editor
                    </button>
                    <button
                      onClick={() =>
                        void run(
                          {
                            type: 'setMemberRole',
                            collectionId: props.collectionId,
                            member: request.user,
                            role: 'viewer',
                            ...(request.name ? { name: request.name } : {}),
                          },
                          'Approved.',
                        )
                      }
                    >
                      Approve as viewer
                    </button>
                    <button
                      class="ghost danger"
                      onClick={() =>
                        void run(
                          { type: 'denyRequest', collectionId: props.collectionId, member: request.user },
                          'Request denied.',
                        )
                      }
                    >
                      Deny
                    </button>
                  </li>
                )}
              </For>
            </ul>
          </Show>
          <Show when={(props.members?.unverified ?? 0) > 0}>
            <p class="muted">
              {props.members?.unverified} unverified{' '}
              {props.members?.unverified === 1 ? 'entry is' : 'entries are'} ignored: their signature did not
              verify, or their author was not an owner.
            </p>
          </Show>
          <Show when={isOwner()}>
            <form class="add-member" onSubmit={add}>
              <label for="member-key">Member key</label>
              <input id="member-key" name="member" required placeholder="did:key:z6Mk…" autocomplete="off" />
              <label for="member-name">Name (optional)</label>
              <input id="member-name" name="name" autocomplete="off" />
              <label for="member-role">Role</label>
              <select id="member-role" name="role">
                <option value="viewer">viewer</option>
                <option value="editor">editor</option>
                <option value="owner">owner</option>
              </select>
              <button class="primary" type="submit">
                Add member
              </button>
            </form>
          </Show>
          <p class="muted">
            Removing someone stops their future changes from reaching anyone. What they already have on their
            own devices stays with them.
          </p>
        </Show>
        <p role="status" class="muted">
          {status()}
        </p>
        <Show when={error()}>
          <p role="alert" class="field-error">
            {error()}
          </p>
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
