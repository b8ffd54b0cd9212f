// The outcome of the last action, in words: errors in red until the next action, successes fade after a while.
import { useEffect, useState } from 'preact/hooks';
import type { Notice } from '../core/model';

/** Long enough to read: a few seconds plus a little per character, at most 15 s. */
export function readingTimeMs(text: string): number {
  return Math.min(4_000 + 60 * text.length, 15_000);
}

const FADE_MS = 600;

export function NoticeLine({ notice }: { notice: Notice | null }) {
  const [stage, setStage] = useState<'shown' | 'fading' | 'gone'>('shown');
  useEffect(() => {
    setStage('shown');
    if (notice?.tone !== 'ok') return;
    const shown = readingTimeMs(notice.text);
    const fade = setTimeout(() => setStage('fading'), shown);
    const gone = setTimeout(() => setStage('gone'), shown + FADE_MS);
    return () => {
      clearTimeout(fade);
      clearTimeout(gone);
    };
  }, [notice]);
  if (notice === null || stage === 'gone') return null;
  return (
    <p
      class={`notice notice-${notice.tone}${stage === 'fading' ? ' fading' : ''}`}
      role={notice.tone === 'ok' ? 'status' : 'alert'}
    >
      {notice.text}
    </p>
  );
}
