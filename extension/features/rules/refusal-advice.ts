// What a 403 means for the token that got it, from what the token and its owner hold: add the permission to a
// restricted token, ask an administrator when the owner lacks it, or look elsewhere when the token carries it.
import { holdsPermission } from '../../../shared/permissions';
import type { Token } from '../../../shared/schemas/token';
import { permissionLabel } from '../../ui/permission-label';

export interface RefusalAdvice {
  /** One sentence per kind of finding, in words. */
  text: string;
  /** What "Add it to <token>" should tick: permissions a restricted API token lacks and its owner may hold. */
  offer: string[];
}

function list(permissions: readonly string[]): string {
  const labels = permissions.map(permissionLabel);
  return labels.length <= 1 ? (labels[0] ?? '') : `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}`;
}

const them = (permissions: readonly string[]) => (permissions.length === 1 ? 'it' : 'them');

/**
 * `owner`: what the token's owner holds now, or null when that is not known. A session or an All Permissions
 * token carries exactly its owner's permissions, whatever they are now, so adding one to it changes nothing.
 */
export function refusalAdvice(
  token: Token,
  owner: readonly string[] | null,
  required: readonly string[],
): RefusalAdvice {
  const { name, user } = token;
  const everything = token.type === 'SESSION' || !token.restricted;
  const carries = (permission: string) => everything || holdsPermission(token.permissions ?? [], permission);
  const ownerHolds = (permission: string) =>
    owner === null ? undefined : holdsPermission(owner, permission);

  const lacking = required.filter((permission) => ownerHolds(permission) === false);
  const addable = required.filter((permission) => !carries(permission) && ownerHolds(permission) !== false);
  const carried = required.filter((permission) => carries(permission) && ownerHolds(permission) === true);
  const unsure = required.filter((permission) => carries(permission) && ownerHolds(permission) === undefined);

  const sentences: string[] = [];
  if (everything)
    sentences.push(
      token.type === 'SESSION'
        ? `“${name}” is a session of ${user}: it carries all of ${user}'s permissions, so none can be added to it.`
        : `“${name}” has All Permissions: it carries all of ${user}'s permissions, so none can be added to it.`,
    );
  if (lacking.length > 0)
    sentences.push(
      `${user} does not hold ${list(lacking)}, so no token of ${user}'s can carry ${them(lacking)}: an administrator has to give ${user} a role that grants ${them(lacking)}.`,
    );
  if (addable.length > 0)
    sentences.push(
      owner === null
        ? `“${name}” does not carry ${list(addable)}: add ${them(addable)} to the token (the server accepts ${them(addable)} only if ${user} holds ${them(addable)}).`
        : `“${name}” does not carry ${list(addable)}, which ${user} holds: add ${them(addable)} to the token.`,
    );
  if (carried.length > 0)
    sentences.push(
      `${user} holds ${list(carried)} and “${name}” carries ${them(carried)}, so the refusal is not about this token's permissions: the API may check them on another server, or they changed after the request (send it again).`,
    );
  if (unsure.length > 0)
    sentences.push(
      `“${name}” carries ${list(unsure)} if ${user} still holds ${them(unsure)}; this sign-in cannot see ${user}'s permissions.`,
    );
  return { text: sentences.join(' '), offer: addable };
}

/** What the token's server said about the token after a 401 (the rule's state), as the pages receive it. */
export interface TokenFinding {
  state: string;
  message?: string | undefined;
}

/**
 * A 401 on a request a rule matched: what the server answered, what the extension then learned from the token's
 * own server (the rule's state), and what to do about it.
 */
export function unauthorizedAdvice(
  token: { server: string; user: string; name: string },
  url: string,
  finding: TokenFinding | undefined,
): string {
  const { server, user, name } = token;
  const answered = `The server answered 401 Unauthorized: it did not accept “${name}”.`;
  let api = url;
  try {
    api = new URL(url).origin;
  } catch {
    // Shown as stored.
  }
  switch (finding?.state) {
    case 'disabled':
      return `${answered} “${name}” is disabled on ${server}, so the rule stopped. Enable it under Tokens and the rule resumes.`;
    case 'expired':
      return `${answered} “${name}” has expired, so the rule stopped. Renew it under Tokens (Expired) and the rule resumes.`;
    case 'removed':
      return `${answered} “${name}” was removed from ${server}, so the rule stopped and its value was forgotten. Create a new token and choose it in this rule.`;
    case 'no-access':
      return `${answered} The token itself is fine, but ${user} has no access to ${server} any more: ask an administrator to enable the account.`;
    case 'rejected':
      return `${answered} ${server} refuses the value held for it too. Sign in to ${server} to see why, or paste the value again.`;
    case 'sign-in':
      return `${answered} No lease of it is held: sign in to ${server} as ${user} (or paste its value) and the rule resumes.`;
    case 'no-value':
      return `${answered} Its value is no longer held in this browser: paste it again to resume.`;
    case 'active':
      return `${answered} Yet ${server} accepts it, so the API at ${api} does not take tokens from that server: point the API at it (forward auth), or bind a token of the server the API trusts.`;
    case 'off':
    case 'paused':
      return `${answered} The rule is not injecting now.`;
    case 'checking':
    case undefined:
      return `${answered} The extension is asking ${server} about the token; the rule's state will say what it finds.`;
    default:
      return `${answered} ${finding?.message ?? ''}`.trim();
  }
}
