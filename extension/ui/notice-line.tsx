// The outcome of the last row action, in words; errors in red.
import type { Notice } from '../model';

export function NoticeLine({ notice }: { notice: Notice | null }) {
  if (notice === null) return null;
  return (
    <p class={`notice notice-${notice.tone}`} role="alert">
      {notice.text}
    </p>
  );
}
